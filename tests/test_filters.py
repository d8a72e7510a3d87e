import datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import override_settings

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    StatementFactory,
    TopicFactory,
)
from timeline.facets import FACET_LIMIT, facets, month_counts, total
from timeline.filters import EventFilter, Problem, refusals
from timeline.models import Event, Participant
from timeline.search import HIGHLIGHT_START, HIGHLIGHT_STOP
from timeline.statement_filters import StatementFilter

D = datetime.date
pytestmark = pytest.mark.django_db


def titles(query: str) -> list[str]:
    return [event.title for event in EventFilter(QueryDict(query)).qs]


def facet(query: str, name: str) -> dict[str, int]:
    return {choice.value: choice.count for choice in facets(EventFilter(QueryDict(query)))[name]}


@pytest.fixture
def story():
    """Four published events and a draft, with participants, topics and statements to filter on."""
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney", country="CA")
    trump = ParticipantFactory(slug="donald-trump", name="Donald Trump", country="US")
    leblanc = ParticipantFactory(slug="dominic-leblanc", name="Dominic LeBlanc", country="CA")
    tariffs = TopicFactory(slug="tariffs", name="Tariffs")
    defence = TopicFactory(slug="defence", name="Defence")
    meeting = EventFactory(
        title="White House meeting",
        summary="Carney and Trump met about steel tariffs.",
        start_date=D(2025, 5, 6),
        event_type=Event.Type.MEETING,
        topics=[tariffs],
    )
    InvolvementFactory(event=meeting, participant=carney)
    InvolvementFactory(event=meeting, participant=trump)
    StatementFactory(event=meeting, speaker=carney, text="Canada is not for sale.")
    levy = EventFactory(
        title="Steel levy announced",
        summary="Washington announced a levy.",
        body="Aluminum too.",
        start_date=D(2025, 3, 12),
        event_type=Event.Type.TARIFF_ACTION,
        topics=[tariffs],
    )
    InvolvementFactory(event=levy, participant=trump)
    talks = EventFactory(
        title="Trade talks",
        summary="Officials kept talking.",
        start_date=D(2025, 6, 1),
        end_date=D(2025, 7, 15),
        event_type=Event.Type.NEGOTIATION,
        topics=[tariffs, defence],
    )
    InvolvementFactory(event=talks, participant=leblanc)
    EventFactory(
        title="Defence review",
        summary="A review of NORAD.",
        start_date=D(2024, 11, 1),
        date_precision="month",
        event_type=Event.Type.OTHER,
        topics=[defence],
    )
    draft = DraftEventFactory(
        title="Secret steel draft",
        summary="Not yet public steel tariffs.",
        start_date=D(2025, 5, 7),
        event_type=Event.Type.MEETING,
        topics=[tariffs],
    )
    InvolvementFactory(event=draft, participant=carney)
    StatementFactory(event=draft, speaker=carney, text="A draft statement.")


# Each filter on its own


def test_no_filter_lists_every_published_event_oldest_first(story):
    assert titles("") == ["Defence review", "Steel levy announced", "White House meeting", "Trade talks"]


def test_newest_first(story):
    assert titles("sort=newest") == ["Trade talks", "White House meeting", "Steel levy announced", "Defence review"]


@pytest.mark.parametrize("q", ["steel", "STEEL", "Steel"])
def test_search_matches_title_and_summary_case_insensitively_and_never_a_draft(story, q):
    assert titles(f"q={q}") == ["Steel levy announced", "White House meeting"]


def test_search_looks_in_body_and_needs_every_word(story):
    assert titles("q=aluminum") == ["Steel levy announced"]
    assert titles("q=steel+aluminum") == ["Steel levy announced"]
    assert titles("q=steel+norad") == []


def test_search_ranks_a_title_match_first_when_sorted_by_relevance(story):
    assert titles("q=steel&sort=relevance") == ["Steel levy announced", "White House meeting"]


def test_search_marks_the_matches(story):
    event = EventFilter(QueryDict("q=steel")).qs.get(title="White House meeting")
    assert f"{HIGHLIGHT_START}steel{HIGHLIGHT_STOP} tariffs" in event.search_summary
    assert HIGHLIGHT_START not in event.search_title


def test_search_understands_websearch_syntax_on_postgresql_and_degrades_simply_elsewhere(story):
    assert titles("q=tariff") == ["White House meeting"]  # "tariffs" in the summary: stemmed, or a substring
    assert titles('q="steel levy"') == ["Steel levy announced"]
    if connection.vendor == "postgresql":
        assert titles("q=steel+-aluminum") == ["White House meeting"]
        assert titles("q=steel+or+norad") == ["Defence review", "Steel levy announced", "White House meeting"]
    else:  # no operators: "-word" and "or" are left out, every other word must match
        assert titles("q=steel+-aluminum") == ["Steel levy announced", "White House meeting"]
        assert titles("q=steel+or+norad") == []


def test_date_range_includes_events_overlapping_it(story):
    assert titles("start=2025-05-01&end=2025-06-30") == ["White House meeting", "Trade talks"]
    assert titles("start=2025-07-01") == ["Trade talks"]  # runs until 15 July
    assert titles("end=2025-03-12") == ["Defence review", "Steel levy announced"]


def test_partial_dates_stand_for_the_whole_month_or_year(story):
    assert titles("start=2025-03&end=2025-05") == ["Steel levy announced", "White House meeting"]
    assert titles("start=2024&end=2024") == ["Defence review"]


def test_a_backwards_range_is_swapped_and_said_so(story):
    filterset = EventFilter(QueryDict("start=2025-06-30&end=2025-05-01"))
    assert [e.title for e in filterset.qs] == ["White House meeting", "Trade talks"]
    assert filterset.notes == ["The From date was after the To date, so the two were swapped."]


def test_a_backwards_range_of_years_or_months_keeps_every_day_of_both(story):
    assert titles("start=2025&end=2024") == titles("start=2024&end=2025") != []
    assert titles("start=2025-05&end=2025-03") == titles("start=2025-03&end=2025-05") != []
    assert EventFilter(QueryDict("start=2025&end=2024")).notes == [
        "The From date was after the To date, so the two were swapped."
    ]


def test_several_participants_widen_the_selection(story):
    assert titles("participant=mark-carney") == ["White House meeting"]
    assert titles("participant=mark-carney&participant=dominic-leblanc") == ["White House meeting", "Trade talks"]


def test_several_topics_widen_the_selection(story):
    assert titles("topic=defence") == ["Defence review", "Trade talks"]
    assert titles("topic=defence&topic=tariffs") == [
        "Defence review",
        "Steel levy announced",
        "White House meeting",
        "Trade talks",
    ]


def test_event_type(story):
    assert titles("type=meeting") == ["White House meeting"]
    assert titles("type=meeting&type=negotiation") == ["White House meeting", "Trade talks"]


def test_country_of_a_participant(story):
    assert titles("country=US") == ["Steel levy announced", "White House meeting"]
    assert titles("country=ca") == ["White House meeting", "Trade talks"]


def test_has_statements(story):
    assert titles("has_statements=yes") == ["White House meeting"]
    assert titles("has_statements=no") == ["Defence review", "Steel levy announced", "Trade talks"]


@pytest.mark.parametrize("few", [2000, 0])
def test_a_statements_choice_with_few_events_has_them_read_first_on_postgresql(story, monkeypatch, few):
    """On PostgreSQL, the events of a choice with at most FEW_EVENTS are read first, as one array; with more, they
    are a subquery the planner may read as it walks the timeline. The same events either way, on both databases."""
    monkeypatch.setattr("timeline.eventkeys.FEW_EVENTS", few)
    read_first = "= ANY(ARRAY(SELECT event_id FROM timeline_eventkey WHERE facet = 4 AND value IN (0)))"
    assert (read_first in str(EventFilter(QueryDict("has_statements=no")).qs.query)) == (
        few > 0 and connection.vendor == "postgresql"
    )
    assert titles("has_statements=no") == ["Defence review", "Steel levy announced", "Trade talks"]
    assert titles("topic=defence&has_statements=no&sort=newest") == ["Trade talks", "Defence review"]


def test_an_event_matching_several_values_is_listed_once(story):
    assert titles("participant=mark-carney&participant=donald-trump") == ["Steel levy announced", "White House meeting"]
    assert titles("country=CA&country=US") == ["Steel levy announced", "White House meeting", "Trade talks"]


# Combinations narrow


def test_filters_of_different_kinds_narrow_each_other(story):
    assert titles("participant=donald-trump&topic=tariffs&start=2025-04-01") == ["White House meeting"]
    assert titles("q=steel&type=tariff_action") == ["Steel levy announced"]
    assert titles("topic=defence&has_statements=no&sort=newest") == ["Trade talks", "Defence review"]
    assert titles("participant=dominic-leblanc&country=US") == []


# Facets: counts with every other filter applied


def test_facet_counts_without_filters_count_published_events_only(story):
    assert facet("", "participant") == {"donald-trump": 2, "dominic-leblanc": 1, "mark-carney": 1}
    assert facet("", "topic") == {"tariffs": 3, "defence": 2}
    assert facet("", "type") == {"meeting": 1, "tariff_action": 1, "negotiation": 1, "other": 1}
    assert facet("", "country") == {"US": 2, "CA": 2}
    assert facet("", "has_statements") == {"yes": 1, "no": 3}


def test_facet_counts_reflect_the_other_filters(story):
    query = "topic=defence"
    assert facet(query, "participant") == {"dominic-leblanc": 1}
    assert facet(query, "type") == {"negotiation": 1, "other": 1}
    assert facet(query, "has_statements") == {"yes": 0, "no": 2}
    # A facet's own selection does not shrink its counts: the other topics stay choosable.
    assert facet(query, "topic") == {"tariffs": 3, "defence": 2}


def test_facet_choices_come_most_frequent_first_then_by_name_up_to_the_limit():
    """An event with two parts for one participant counts once; ties are alphabetical; the rest is cut off."""
    busy = ParticipantFactory(slug="zed", name="Zed Busy")
    names = [f"Person {letter}" for letter in "ONMLKJIHGFEDCBA"]  # created in reverse alphabetical order
    people = [ParticipantFactory(slug=name.lower().replace(" ", "-"), name=name) for name in names]
    topics = [TopicFactory(slug=f"t-{letter}", name=f"Topic {letter}") for letter in "CBA"]
    for day in range(3):
        event = EventFactory(start_date=D(2025, 1, 1 + day))
        InvolvementFactory(event=event, participant=busy, part="subject")
        InvolvementFactory(event=event, participant=busy, part="speaker")
        event.topics.add(*topics[day:])
    for person in people:
        InvolvementFactory(event=EventFactory(start_date=D(2024, 1, 1)), participant=person)
    for _ in range(3):  # were drafts counted, Person O would lead the list
        InvolvementFactory(event=DraftEventFactory(), participant=people[0])

    choices = facets(EventFilter(QueryDict("")))["participant"]
    assert [(c.label, c.count) for c in choices] == [("Zed Busy", 3)] + [
        (f"Person {letter}", 1) for letter in "ABCDEFGHIJK"
    ]
    assert len(choices) == FACET_LIMIT
    assert [(c.label, c.count) for c in facets(EventFilter(QueryDict("")))["topic"]] == [
        ("Topic A", 3),
        ("Topic B", 2),
        ("Topic C", 1),
    ]


@pytest.mark.parametrize(
    ("query", "without"), [("q=or", ""), ("q=%22%22&participant=mark-carney", "participant=mark-carney")]
)
def test_a_search_without_words_is_ignored_with_a_note(story, query, without, client):
    """ "or" or empty quotes are no words to look for: the timeline ignores the search and says so, as it does any
    value it cannot use, and the API refuses it (each was a 500 before, then matched nothing without a word)."""
    assert facets(EventFilter(QueryDict(query))) == facets(EventFilter(QueryDict(without)))
    for url in [f"/?{query}", f"/?{query}&sort=relevance"]:
        response = client.get(url)
        assert response.status_code == 200, url  # best match first over no words was a 500 on SQLite
        assert "it has no words to look for." in response.text
        assert response.context["page"].total == EventFilter(QueryDict(without)).qs.count() > 0
    response = client.get(f"/api/events?{query}&sort=relevance")
    assert response.status_code == 400 and response.json()["errors"][0]["parameter"] == "q"


def test_selected_choices_stay_listed_even_when_nothing_matches_them(story):
    filterset = EventFilter(QueryDict("participant=mark-carney&type=negotiation"))
    participants = {c.value: (c.count, c.selected) for c in facets(filterset)["participant"]}
    assert participants == {"mark-carney": (0, True), "dominic-leblanc": (1, False)}


def test_facets_take_one_query_each(story, django_assert_num_queries, settings):
    """Facet counts are aggregated in the database, however many events and choices (the cache, and the data
    version it reads, left out: tests/test_caching.py counts those). The facets whose own filter is not in force
    share one query, which also gives the total and the overview's months, and the participants and topics it
    ranks are named in one query each: 3 queries here, where one per facet took 5. A facet whose own filter is in
    force is counted on its own (one query). The events a search matches are read once per page (on PostgreSQL,
    one query of their ids), by whichever query needs them first, and those it and the other filters select in
    one more query (facets.searched), which the counts then read."""
    settings.TIMELINE_CACHE = False
    filterset = EventFilter(QueryDict("q=steel&start=2025"))
    filterset.search_matches("steel")
    with django_assert_num_queries(4):
        facets(filterset)
    with django_assert_num_queries(0):  # read from the counts the facets took
        assert total(filterset) == 2
        assert sum(month_counts(filterset).values()) == 2
    filterset = EventFilter(QueryDict("topic=tariffs&type=meeting"))
    assert filterset.in_force() == ["topic", "type"]  # the topic's slug looked up
    with django_assert_num_queries(4):  # topics alone, types alone, the rest together, and participants named
        facets(filterset)


def test_selected_participants_beyond_the_ranked_are_counted_in_one_query_more(db, django_assert_num_queries, settings):
    """A selected participant the ranked counts leave out is counted in one more query (all of them in the same
    one), and only then: not when every selected participant is ranked."""
    from tests.test_views import crowded_by_busier_participants

    settings.TIMELINE_CACHE = False
    crowded_by_busier_participants()
    for query, queries in [
        ("participant=busy-00&topic=trade&type=meeting", 4),  # each filtered facet alone, the rest together
        ("participant=zed-quiet&topic=trade&type=meeting", 5),
        ("participant=zed-quiet&participant=busy-00&topic=trade&type=meeting", 5),
    ]:
        filterset = EventFilter(QueryDict(query))
        filterset.in_force()  # the slugs looked up
        with django_assert_num_queries(queries):
            facets(filterset)


def alone(monkeypatch):
    """Every facet, total and month count taken on its own, as before they were taken together."""
    monkeypatch.setattr("timeline.facets.shares", lambda filterset, excluded: False)


@pytest.mark.parametrize(
    "query",
    [
        "start=2024",
        "start=2025-05&end=2025-06-30",
        "type=meeting&type=tariff_action",
        "topic=tariffs&country=US",
        "participant=donald-trump&has_statements=no",
        "q=steel",
        "has_statements=yes&start=2020",
    ],
)
def test_facets_counted_together_are_those_counted_one_by_one(story, query, monkeypatch):
    filterset = EventFilter(QueryDict(query))
    together = (facets(filterset), total(filterset), month_counts(filterset))
    assert together[1] == filterset.qs.count()
    alone(monkeypatch)
    filterset = EventFilter(QueryDict(query))
    assert together == (facets(filterset), total(filterset), month_counts(filterset))


@pytest.mark.parametrize("named", [500, 3])  # past MAX_NAMED tied values, the ranking is left to the database
def test_facets_counted_together_rank_as_the_database_does(named, monkeypatch):
    """Most events first, ties by name, cut at the limit: the same order from the counts taken together, named in
    one query, as from one query per facet."""
    monkeypatch.setattr("timeline.facets.MAX_NAMED", named)
    busy = ParticipantFactory(slug="zed", name="Zed Busy")
    people = [ParticipantFactory(slug=f"p-{letter}", name=f"Person {letter}") for letter in "ONMLKJIHGFEDCBA"]
    topics = [TopicFactory(slug=f"t-{letter}", name=f"Topic {letter}") for letter in "CBA"]
    for day in range(3):
        event = EventFactory(start_date=D(2025, 1, 1 + day))
        InvolvementFactory(event=event, participant=busy)
        event.topics.add(*topics[day:])
    for person in people:
        InvolvementFactory(event=EventFactory(start_date=D(2024, 1, 1)), participant=person)
    EventFactory(start_date=D(2019, 1, 1), topics=[topics[0]])  # outside the dates: counts for none

    found = facets(EventFilter(QueryDict("start=2020")))
    assert [(c.label, c.count) for c in found["participant"]] == [("Zed Busy", 3)] + [
        (f"Person {letter}", 1) for letter in "ABCDEFGHIJK"
    ]
    assert [(c.label, c.count) for c in found["topic"]] == [("Topic A", 3), ("Topic B", 2), ("Topic C", 1)]
    alone(monkeypatch)
    assert found == facets(EventFilter(QueryDict("start=2020")))


# Bad input is ignored, visibly, and the rest still applies


@pytest.mark.parametrize(
    "query, note",
    [
        ("start=2025-13-45", "Ignored the From date \u201c2025-13-45\u201d: no such date."),
        ("end=yesterday", "Ignored the To date \u201cyesterday\u201d: not a date (use YYYY-MM-DD, YYYY-MM or YYYY)."),
        ("participant=nobody", "Ignored participant \u201cnobody\u201d: no published event has this participant."),
        ("topic=../../etc", "Ignored topic \u201c../../etc\u201d: there is no such topic."),
        ("type=war", "Ignored event type \u201cwar\u201d: there is no such event type."),
        ("country=Canada", "Ignored country \u201cCanada\u201d: not a two-letter country code."),
        ("has_statements=maybe", "Ignored the statements choice \u201cmaybe\u201d: use yes or no."),
        ("q=" + "a" * 10_240, "Ignored the search: it is longer than 200 characters."),
        ("q=%00", "Ignored the search \u201c\ufffd\u201d: Null characters are not allowed."),
        ("sort=relevance", "Best match needs a search; the events are shown oldest first."),
    ],
)
def test_a_bad_value_is_ignored_with_a_note(story, query, note):
    filterset = EventFilter(QueryDict(query))
    assert filterset.notes == [note]
    assert len(filterset.qs) == 4


def test_only_the_bad_values_are_dropped(story):
    filterset = EventFilter(QueryDict("participant=nobody&participant=mark-carney&start=2025-02-30&type=meeting"))
    assert [e.title for e in filterset.qs] == ["White House meeting"]
    assert len(filterset.notes) == 2


def test_a_participant_known_only_from_a_draft_is_unknown(story):
    ParticipantFactory(slug="secret-source")
    InvolvementFactory(event=DraftEventFactory(), participant__slug="secret-source")
    filterset = EventFilter(QueryDict("participant=secret-source"))
    assert filterset.notes == [
        "Ignored participant \u201csecret-source\u201d: no published event has this participant."
    ]


@pytest.mark.sqlite
def test_a_participant_named_by_a_filter_is_looked_up_alone(story):
    """A filter's participant is checked against the kept counts by its own id: gathering every public
    participant's id first took SQLite 12 ms at 100,000 events, twice a page (the overview's years clean it again)."""
    filterset = EventFilter(QueryDict("participant=mark-carney"))
    assert [p.slug for p in filterset.cleaned["participant"]] == ["mark-carney"]
    sql, params = Participant.objects.public().filter(slug__in=["mark-carney"]).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = [str(row[-1]) for row in cursor.fetchall()]
    assert not any(step.startswith("LIST SUBQUERY") for step in plan), plan
    assert any("timeline_facetcount USING PRIMARY KEY (facet=? AND value=?)" in step for step in plan), plan


@pytest.mark.parametrize(
    ("query", "expected", "from_keys"),
    [
        ("type=tariff_action", ["Steel levy announced"], False),
        ("type=meeting&type=negotiation", ["White House meeting", "Trade talks"], False),
        ("topic=tariffs&type=meeting&type=negotiation", ["White House meeting", "Trade talks"], True),
        ("participant=donald-trump&type=tariff_action", ["Steel levy announced"], True),
        ("country=CA&type=negotiation", ["Trade talks"], True),
        ("has_statements=yes&type=meeting", ["White House meeting"], True),
        ("has_statements=no&type=meeting", [], True),  # "without statements" is a key too
    ],
)
def test_a_type_among_another_keyed_filter_is_read_from_the_keys(story, query, expected, from_keys):
    """Under a participant, topic, country or a statements choice, the type is read from the keys too, so that the
    two lists of keys are joined (on PostgreSQL, which otherwise reads the type from each event's row), and the
    events are the same either way."""
    filterset = EventFilter(QueryDict(query))
    assert sorted(event.title for event in filterset.qs) == sorted(expected)
    conditions = str(filterset.qs.query).split(" WHERE ", 1)[1]
    if connection.vendor == "postgresql":
        assert ("event_type" in conditions) != from_keys, conditions
    else:  # SQLite reads a type from its keys always (EventQuerySet.of_types)
        assert "event_type" not in conditions, conditions


@pytest.mark.parametrize(
    ("query", "expected", "by_ids"),
    [
        ("q=steel&topic=tariffs", ["Steel levy announced", "White House meeting"], True),
        ("q=steel&participant=donald-trump&type=tariff_action", ["Steel levy announced"], True),
        ("q=steel&topic=defence", [], True),
        ("q=steel&topic=tariffs&start=2025-04", ["White House meeting"], True),
        ("q=aluminum&participant=donald-trump&participant=mark-carney", ["Steel levy announced"], True),
        ("q=steel&type=meeting&has_statements=yes&sort=relevance", ["White House meeting"], True),
        ("q=steel&country=CA&type=meeting", ["White House meeting"], True),
        # A country, the statements choice or dates alone can leave most of the matches: separate conditions.
        ("q=steel&country=CA", ["White House meeting"], False),
        ("q=steel&has_statements=no", ["Steel levy announced"], False),
        ("q=steel&country=CA&start=2025-04", ["White House meeting"], False),
    ],
)
@override_settings(TIMELINE_CACHE=False)  # each side counted, not read back from the other's cache
def test_a_search_among_keyed_filters_reads_the_page_by_the_ids_the_counts_read(
    story, query, expected, by_ids, monkeypatch
):
    """On PostgreSQL, under a search among keyed filters and dates, one of them a participant, a topic or a type, the
    page's events are read by the ids of the events those select together (facets.searched, which the counts read),
    with no condition of the filters' own: under a word, a topic and a type, the SQL looked up each of the word's
    and the topic's events to test its type. The events listed, in their order, their total and every facet's
    counts are those of the filters taken one by one (on SQLite, which takes them so always)."""
    filterset = EventFilter(QueryDict(query))
    listed = [event.title for event in filterset.qs]
    assert sorted(listed) == sorted(expected)
    assert reads_keys(filterset) != (by_ids and connection.vendor == "postgresql")
    found = facets(filterset), total(filterset), month_counts(filterset)
    monkeypatch.setattr("timeline.facets.searched_from_keys", lambda filterset: None)
    separately = EventFilter(QueryDict(query))
    assert reads_keys(separately)  # the control: one by one
    assert [event.title for event in separately.qs] == listed
    assert found == (facets(separately), total(separately), month_counts(separately))


def reads_keys(filterset) -> bool:
    """Whether the SQL of the filterset's events reads the keys (dated or not) in its conditions."""
    conditions = str(filterset.qs.query).split(' FROM "timeline_event" WHERE ', 1)[1]
    return "timeline_eventkey" in conditions or "timeline_datedkey" in conditions


def test_too_many_values_are_cut_with_a_note(story):
    query = "&".join(f"topic=t{n}" for n in range(25))
    notes = EventFilter(QueryDict(query)).notes
    assert "Ignored 5 topic values beyond the first 20." in notes


def test_hostile_search_text_is_only_text(story):
    for q in ["<script>alert(1)</script>", "'; DROP TABLE timeline_event; --", "!!! ((( :* zz"]:
        assert EventFilter(QueryDict(mutable=True) | {"q": q}).qs.count() == 0, q
    # Nothing to look for: the search is ignored, and the page says so.
    for q in ["%_\\", "!!! ((( :*", "\u202e\ufeff"]:
        filterset = EventFilter(QueryDict(mutable=True) | {"q": q})
        assert filterset.qs.count() == Event.objects.published().count() > 0, q
        assert filterset.notes == [f"Ignored the search \u201c{q}\u201d: it has no words to look for."]
    assert Event.objects.count() == 5


def test_the_parameters_in_force_come_in_a_fixed_order_without_what_was_dropped(story):
    filterset = EventFilter(QueryDict("type=meeting&q=steel&participant=nobody&end=2025-06&sort=&start=2025&utm=x"))
    assert filterset.params() == [
        ("q", "steel"),
        ("start", "2025-01-01"),
        ("end", "2025-06-30"),
        ("type", "meeting"),
    ]


def test_links_keep_the_filters_in_force_and_nothing_else(story):
    filterset = EventFilter(QueryDict("utm_source=x&topic=tariffs&start=garbage&page=3&participant=nobody"))
    assert filterset.url() == "?topic=tariffs"
    assert filterset.url(page=2) == "?topic=tariffs&page=2"
    assert filterset.url(page=1) == "?topic=tariffs"  # page 1 has one URL: without a page
    assert filterset.url(start=D(2025, 3, 1), end=D(2025, 3, 31)) == "?start=2025-03-01&end=2025-03-31&topic=tariffs"
    assert filterset.url(topic=None) == "/"  # nothing left: the timeline's own path
    assert EventFilter.link(participant=ParticipantFactory(slug="mark-carney-2")) == "/?participant=mark-carney-2"
    with pytest.raises(TypeError, match="no such parameter: utm_source"):
        filterset.url(utm_source="y")


@pytest.mark.parametrize(
    "query", ["", "topic=tariffs&type=meeting&type=summit&q=steel&sort=newest", "start=2025&end=2025-06&topic=tariffs"]
)
def test_links_made_many_at_a_time_are_the_page_s_own_links(story, query):
    """The overview links its periods and years through url_maker: each link as `url` writes it."""
    filterset = EventFilter(QueryDict(query))
    url = filterset.url_maker("start", "end")
    for start, end in [
        (D(1990, 1, 1), D(1999, 12, 31)),
        (D(2025, 5, 6), D(2025, 5, 6)),
        (None, None),
        (None, D(2025, 1, 31)),
    ]:
        assert url(start=start, end=end) == filterset.url(start=start, end=end)
    assert url(start=D(2025, 3, 1), end=D(2025, 3, 31)).startswith("?")


def test_validation_yields_one_list_of_problems_for_notes_and_refusals(story):
    query = "participant=nobody&participant=ghost&start=2025-13-45&sort=relevance&" + "&".join(
        f"type=meeting&type=t{n}" for n in range(25)
    )
    filterset = EventFilter(QueryDict(query))
    problems = filterset.problems
    assert problems[0] == Problem("start", "2025-13-45", "no such date", "invalid")
    assert [(p.parameter, p.value, p.code) for p in problems[1:3]] == [
        ("participant", "nobody", "unknown"),
        ("participant", "ghost", "unknown"),
    ]
    assert [p.code for p in problems if p.parameter == "type"] == ["unknown"] * 19 + ["excess"] * 6
    assert problems[-1] == Problem("sort", "relevance", "", "needs_search")
    assert refusals(problems) == [
        ("start", "no such date"),
        ("participant", "unknown value: 'nobody', 'ghost'"),
        ("type", "unknown value: 't0', 't1', 't2', 't3', 't4'"),
        ("type", "at most 20 values"),
    ]
    assert filterset.notes[:3] == [
        "Ignored the From date \u201c2025-13-45\u201d: no such date.",
        "Ignored participant \u201cnobody\u201d: no published event has this participant.",
        "Ignored participant \u201cghost\u201d: no published event has this participant.",
    ]
    assert "Ignored 14 more unknown event type values." in filterset.notes
    assert "Ignored 6 event type values beyond the first 20." in filterset.notes


def test_statements_have_their_own_problems_then_the_timelines(story):
    filterset = StatementFilter(QueryDict("language=xx&speaker=nobody&start=2025-13-45&end=2024&start=2026"))
    assert refusals(filterset.problems) == [
        ("speaker", "unknown value: 'nobody'"),
        ("language", "unknown value: 'xx'"),
    ]
    swapped = StatementFilter(QueryDict("start=2026&end=2024"))
    assert [p.code for p in swapped.problems] == ["swapped"] and refusals(swapped.problems) == []
