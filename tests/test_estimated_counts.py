"""A search matching many events has the counts beside it (the facets, the overview) estimated from a sample of
its matches and marked so; the events listed and their total are every match, always."""

import datetime
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories import EventFactory, InvolvementFactory, ParticipantFactory, StatementFactory, TopicFactory
from timeline import facets, languages, statementkeys
from timeline.filters import EventFilter
from timeline.models import Event, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(monkeypatch):
    """Twelve events a search for "tariffs" finds, all on one topic and with one participant, five of them with a
    statement; and one it does not find. A sample is at most 4 events here, so the twelve are read every 3rd."""
    monkeypatch.setattr(facets, "SAMPLE_SIZE", 4)
    trade = TopicFactory(slug="trade", name="Trade", name_fr="Commerce")
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    for day in range(1, 13):
        event = EventFactory(
            title=f"Tariffs, round {day}", summary="Duties change.", start_date=datetime.date(2025, 3, day)
        )
        event.topics.add(trade)
        InvolvementFactory(event=event, participant=carney)
        if day <= 5:
            StatementFactory(event=event, slug=f"said-{day}", text="We will answer these duties.")
    EventFactory(title="Defence review", summary="Spending rises.", start_date=datetime.date(2025, 3, 1))


def test_a_search_matching_more_events_than_a_sample_has_its_counts_estimated_and_marked(client, found):
    response = client.get("/", {"q": "tariffs"})
    html = response.text
    assert response.context["page"].total == 12
    assert '<h2 id="results-heading" tabindex="-1">12 events</h2>' in html
    assert html.count("<article") == 12  # every match is listed
    assert "are estimated from a sample of them. Every matching event is listed below." in html
    choices = response.context["facets"]
    # Every 3rd of the twelve by id: four events of the topic and the participant, counted as twelve.
    assert [(c.value, c.count, c.count.estimated) for c in choices["topic"]] == [("trade", 12, True)]
    assert [(c.value, c.count) for c in choices["participant"]] == [("mark-carney", 12)]
    # With statements, the sample's 1st and 4th (days 1 and 4 of 1 to 5): 6 of 12, and so 6 without.
    assert [(c.value, c.count) for c in choices["has_statements"]] == [("yes", 6), ("no", 6)]
    assert all(isinstance(c.count, facets.Estimate) for c in choices["has_statements"])
    assert '<span class="count">≈\u00a012<span class="visually-hidden"> events</span>' in html
    assert 'aria-label="March 2025: ≈\u00a012 events"' in html  # the overview, a month of a year's events


def test_a_search_matching_no_more_events_than_a_sample_is_counted_exactly(client, found, monkeypatch):
    monkeypatch.setattr(facets, "SAMPLE_SIZE", 12)
    response = client.get("/", {"q": "tariffs"})
    choices = response.context["facets"]
    assert [(c.value, c.count) for c in choices["has_statements"]] == [("yes", 5), ("no", 7)]
    assert not any(isinstance(c.count, facets.Estimate) for facet in choices.values() for c in facet)
    assert "≈" not in response.text
    assert "estimated from a sample" not in response.text


def test_counts_under_a_search_and_another_filter_read_a_sample_of_the_events_they_select(client, found):
    """Under a search and a filter selecting many of its matches (here all twelve), the counts read a sample of the
    events both select, as under the search alone; a facet whose own filter is in force is counted under the
    others, here the search alone. The total and the events listed are every one. A draft the search and the
    filter would select is in none of them."""
    draft = EventFactory(title="Tariffs, a draft", start_date=datetime.date(2025, 3, 20), status=Event.Status.DRAFT)
    draft.topics.add(Topic.objects.get(slug="trade"))
    response = client.get("/", {"q": "tariffs", "topic": "trade"})
    choices = response.context["facets"]
    assert [(c.value, c.count) for c in choices["has_statements"]] == [("yes", 6), ("no", 6)]
    assert all(isinstance(c.count, facets.Estimate) for c in choices["has_statements"])
    assert [(c.value, c.count, c.count.estimated) for c in choices["participant"]] == [("mark-carney", 12, True)]
    assert isinstance(choices["topic"][0].count, facets.Estimate)
    assert response.context["page"].total == 12
    assert response.text.count("<article") == 12
    assert "estimated from a sample of them" in response.text


def test_a_search_and_a_filter_selecting_few_events_are_counted_exactly(client, found):
    """From 9 March, the search selects four of its twelve events: no more than a sample, so counted exactly;
    with statements, five of the twelve: every 2nd of them (three) read, so estimated, and its total exact."""
    response = client.get("/", {"q": "tariffs", "start": "2025-03-09"})
    choices = response.context["facets"]
    assert [(c.value, c.count) for c in choices["has_statements"]] == [("yes", 0), ("no", 4)]
    assert [(c.value, c.count) for c in choices["topic"]] == [("trade", 4)]
    assert not any(isinstance(c.count, facets.Estimate) for facet in choices.values() for c in facet)
    assert "estimated from a sample" not in response.text
    assert response.context["page"].total == 4

    response = client.get("/", {"q": "tariffs", "has_statements": "yes"})
    choices = response.context["facets"]
    assert [(c.value, c.count, c.count.estimated) for c in choices["topic"]] == [("trade", 6, True)]
    assert response.context["page"].total == 5
    assert '<h2 id="results-heading" tabindex="-1">5 events</h2>' in response.text


def test_a_search_every_published_event_matches_is_counted_exactly_as_the_other_filters_are(client, found, settings):
    """Once the one event without the word is a draft, "tariffs" matches all twelve published events: more than a
    sample, but it selects none that the other filters do not, so the counts are theirs, exact and read without
    the search's sample (no key of its events read). The events listed are still the search's, highlighted."""
    settings.TIMELINE_CACHE = False  # each page computes its own counts
    Event.objects.filter(title="Defence review").update(status=Event.Status.DRAFT)
    matches = EventFilter(QueryDict("q=tariffs")).search_matches("tariffs")
    sample = matches.every(3)
    cases = [({}, 12), ({"topic": "trade"}, 12), ({"start": "2025-03-09"}, 4), ({"has_statements": "yes"}, 5)]
    for others, total in cases:
        unsearched = client.get("/", others).context
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/", {"q": "tariffs", **others})
        html = response.text
        choices = response.context["facets"]
        assert response.context["page"].total == total
        assert [[(c.value, c.count) for c in facet] for facet in choices.values()] == [
            [(c.value, c.count) for c in facet] for facet in unsearched["facets"].values()
        ]
        assert not any(isinstance(c.count, facets.Estimate) for facet in choices.values() for c in facet)
        months = [(column.start, column.count) for column in response.context["overview"].columns]
        assert months == [(column.start, column.count) for column in unsearched["overview"].columns]
        assert all("q=tariffs&" in column.url for column in response.context["overview"].columns)
        assert "≈" not in html and "estimated from a sample" not in html
        assert html.count("<mark>Tariffs</mark>, round") == total
        sent = [q["sql"] for q in queries.captured_queries if sample.array in q["sql"] or sample.json in q["sql"]]
        assert sent == []
    response = client.get("/", {"q": "tariffs", "topic": "trade"})
    assert [(c.value, c.count, c.selected) for c in response.context["facets"]["topic"]] == [("trade", 12, True)]
    assert 'href="?q=tariffs"' in response.text  # removing the topic keeps the search


def test_the_estimate_reads_the_same_sample_for_every_count(found):
    filterset = EventFilter(QueryDict("q=tariffs"))
    assert facets.sample_step(filterset, "") == 3
    assert len(facets.sample(filterset, "")) == 4
    assert facets.sample(filterset, "") is facets.sample(filterset, "topic")
    assert facets.total(filterset) == 12


def test_the_estimates_are_marked_in_french_too(client, found):
    html = client.get("/fr/", {"q": "tariffs"}).text
    assert "les nombres marqués ≈ (à côté des filtres et dans l’aperçu) sont estimés" in html
    assert '<span class="count">≈\u00a012<span class="visually-hidden"> événements</span>' in html


@pytest.mark.parametrize(
    ("count", "english", "french"),
    [
        (facets.Estimate(1372), "≈\u00a01,400", "≈\u00a01\u00a0400"),
        (facets.Estimate(19216), "≈\u00a019,000", "≈\u00a019\u00a0000"),
        (facets.Estimate(96), "≈\u00a096", "≈\u00a096"),
        (1372, "1,372", "1\u00a0372"),
    ],
)
def test_an_estimate_is_written_to_two_significant_figures_and_marked(count, english, french):
    with translation.override("en"):
        assert languages.number(count) == english
    with translation.override("fr"):
        assert languages.number(count) == french


# The statements index: on PostgreSQL, a search alone reads the ids of the published statements it finds from their
# documents, and past a sample their counts are estimated as the timeline's are; elsewhere every one is counted.


@pytest.fixture
def said(monkeypatch):
    """Twelve published statements a search for "tariffs" finds, one a day, by one speaker at events on one topic:
    the first eight quotes, the last four paraphrases. And one it finds at a draft event, one it does not find, and
    one in French that a search for "tarifs" finds.
    A sample is at most 4 statements here, so the twelve are read every 3rd: days 1, 4, 7 and 10."""
    monkeypatch.setattr(facets, "SAMPLE_SIZE", 4)
    trade = TopicFactory(slug="trade", name="Trade", name_fr="Commerce")
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    for day in range(1, 13):
        event = EventFactory(title=f"Round {day}", start_date=datetime.date(2025, 3, day))
        event.topics.add(trade)
        kind = "quote" if day <= 8 else "paraphrase"
        StatementFactory(
            event=event,
            speaker=carney,
            slug=f"said-{day}",
            text="We will answer these tariffs.",
            kind=kind,
            said_on=datetime.date(2025, 3, day),
        )
    draft = EventFactory(title="A draft", start_date=datetime.date(2025, 3, 20), status=Event.Status.DRAFT)
    draft.topics.add(trade)
    StatementFactory(event=draft, speaker=carney, slug="said-in-draft", text="Tariffs, again.")
    StatementFactory(speaker=carney, slug="said-else", text="Defence spending rises.")
    StatementFactory(speaker=carney, slug="said-in-french", text="Nous répondrons à ces tarifs.", language="fr")


def estimated(choice) -> bool:
    return isinstance(choice.count, facets.Estimate)


def test_a_statements_search_matching_more_than_a_sample_has_its_counts_estimated(client, said):
    """On PostgreSQL the matches are read from their documents, on SQLite from the full-text index among the
    published statements' keys: on both, the total is every match and the counts read a sample."""
    response = client.get("/statements/", {"q": "tariffs"})
    html = response.text
    assert response.context["total"] == 12  # every match, the draft's left out
    assert '<h2 id="results-heading" tabindex="-1">12 statements</h2>' in html
    assert html.count('href="/statements/said-') == 12 and "said-in-draft" not in html
    choices = response.context["facets"]
    # The speakers and topics from days 1, 4, 7 and 10, each counted as three; the kinds and languages are read with
    # the matches, so counted exactly.
    assert [(c.value, c.count, c.count.estimated) for c in choices["speaker"]] == [("mark-carney", 12, True)]
    assert [(c.value, c.count, c.count.estimated) for c in choices["topic"]] == [("trade", 12, True)]
    assert [(c.value, c.count, estimated(c)) for c in choices["kind"]] == [
        ("quote", 8, False),
        ("paraphrase", 4, False),
    ]
    assert [(c.value, c.count, estimated(c)) for c in choices["language"]] == [("en", 12, False), ("fr", 0, False)]
    assert "are estimated from a sample of them. Every matching statement is listed below." in html
    assert '<span class="count">≈\u00a012<span class="visually-hidden"> statements</span>' in html


def test_a_statements_search_in_one_language_is_read_from_that_language_s_documents(client, said):
    """The search and a language select the twelve English statements; the languages are counted under the search
    alone, the other facets under both: the speakers from a sample, the kinds and languages exactly, from the
    matches' profiles."""
    response = client.get("/statements/", {"q": "tariffs", "language": "en"})
    choices = response.context["facets"]
    assert response.context["total"] == 12
    assert response.text.count('href="/statements/said-') == 12
    assert [(c.value, c.count, c.selected) for c in choices["language"]] == [("en", 12, True), ("fr", 0, False)]
    assert [(c.value, c.count) for c in choices["kind"]] == [("quote", 8), ("paraphrase", 4)]
    assert all(estimated(c) for c in choices["speaker"])
    assert not any(estimated(c) for c in choices["kind"] + choices["language"])


def test_a_statements_search_with_a_kind_and_a_language_counts_them_exactly(client, said):
    """The matches are read once with each one's language and kind (its profile): a kind's and a language's matches
    are taken from them, and the kinds and languages counted from them exactly, each under the other filters; the
    speakers, past a sample, are estimated (the eight quotes read every 2nd)."""
    response = client.get("/statements/", {"q": "tariffs", "kind": "quote", "language": "en"})
    choices = response.context["facets"]
    assert response.context["total"] == 8
    listed = re.findall(r'href="/statements/(said-[0-9]+)/"', response.text)
    assert sorted(set(listed)) == sorted(f"said-{day}" for day in range(1, 9))
    assert [(c.value, c.count, estimated(c)) for c in choices["kind"]] == [
        ("quote", 8, False),
        ("paraphrase", 4, False),
    ]
    assert [(c.value, c.count, estimated(c)) for c in choices["language"]] == [("en", 8, False), ("fr", 0, False)]
    assert [(c.value, c.count, estimated(c)) for c in choices["speaker"]] == [("mark-carney", 8, True)]
    french = client.get("/statements/", {"q": "tarifs", "kind": "quote", "language": ["en", "fr"]}).context
    assert french["total"] == 1
    assert [(c.value, c.count) for c in french["facets"]["language"]] == [("en", 0), ("fr", 1)]


@pytest.mark.parametrize(
    ("query", "total", "kinds"),
    [
        ({"q": "tariffs", "speaker": "mark-carney"}, 12, {"quote": 8, "paraphrase": 4}),
        ({"q": "tariffs", "topic": "trade"}, 12, {"quote": 8, "paraphrase": 4}),
        ({"q": "tariffs", "speaker": "pierre"}, 1, {"quote": 0, "paraphrase": 1}),
        ({"q": "tariffs", "topic": "steel"}, 1, {"quote": 0, "paraphrase": 1}),
        (
            {"q": "tariffs", "speaker": ["mark-carney", "pierre"], "kind": "paraphrase"},
            5,
            {"quote": 8, "paraphrase": 5},
        ),
        ({"q": "tariffs", "topic": "trade", "speaker": "pierre"}, 0, {"quote": 0, "paraphrase": 0}),
        (
            {"q": "tariffs", "topic": "trade", "speaker": "mark-carney", "kind": "paraphrase"},
            4,
            {"quote": 8, "paraphrase": 4},
        ),
        ({"q": "defence", "speaker": "mark-carney"}, 1, {"quote": 1, "paraphrase": 0}),
    ],
)
def test_a_statements_search_with_a_speaker_or_topic_selects_its_matches_they_have(client, said, query, total, kinds):
    """A speaker's or topic's matches are read by intersecting the search's with their keys: the total is every
    published one (the draft's statement, by the same speaker on the same topic, never), and the kinds are counted
    exactly among them, under every filter but the kind."""
    steel = TopicFactory(slug="steel", name="Steel")
    event = EventFactory(title="Steel talks", start_date=datetime.date(2025, 4, 1))
    event.topics.add(steel)
    pierre = ParticipantFactory(slug="pierre", name="Pierre Poilievre")
    StatementFactory(event=event, speaker=pierre, slug="said-by-pierre", text="These tariffs hurt.", kind="paraphrase")
    response = client.get("/statements/", query)
    assert response.status_code == 200
    assert response.context["total"] == total == response.context["statement_page"].paginator.count
    assert len(response.context["statements"]) == total
    assert "said-in-draft" not in response.text
    assert {c.value: c.count for c in response.context["facets"]["kind"]} == kinds
    assert not any(estimated(c) for c in response.context["facets"]["kind"])


def test_a_statements_search_matching_no_more_than_a_sample_is_counted_exactly(client, said, monkeypatch):
    monkeypatch.setattr(facets, "SAMPLE_SIZE", 12)
    response = client.get("/statements/", {"q": "tariffs"})
    choices = response.context["facets"]
    assert [(c.value, c.count) for c in choices["kind"]] == [("quote", 8), ("paraphrase", 4)]
    assert [(c.value, c.count) for c in choices["speaker"]] == [("mark-carney", 12)]
    assert [(c.value, c.count) for c in choices["language"]] == [("en", 12), ("fr", 0)]
    assert not any(isinstance(c.count, facets.Estimate) for facet in choices.values() for c in facet)
    assert "≈" not in response.text
    assert response.context["total"] == 12


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ({"q": "tariffs", "kind": "paraphrase"}, 4),
        ({"q": "tariffs", "sort": "relevance"}, 12),
        ({"q": "defence"}, 1),
        ({"q": '"these tariffs"'}, 12),
        ({"q": "or"}, 14),  # no word to look for: no search
        ({"q": "tariffs", "language": "en"}, 12),
        ({"q": "tariffs", "language": "fr"}, 0),
        ({"q": "tarifs", "language": "fr"}, 1),  # read as French, in the French said
        ({"q": "tarifs", "language": ["en", "fr"]}, 1),
        ({"q": "tarifs", "language": "en"}, 0),
    ],
)
def test_the_statements_total_under_a_search_is_every_published_match(client, said, query, total):
    response = client.get("/statements/", query)
    assert response.status_code == 200
    assert response.context["total"] == total
    assert response.context["total"] == response.context["statement_page"].paginator.count
    assert len(response.context["statements"]) == total
    assert "said-in-draft" not in response.text
    kinds = {c.value: c.count for c in response.context["facets"]["kind"]}
    if not any(isinstance(n, facets.Estimate) for n in kinds.values()) and "kind" not in query:
        assert sum(kinds.values()) == total


def test_the_statements_estimates_are_marked_in_french_too(client, said):
    html = client.get("/fr/statements/", {"q": "tariffs"}).text
    assert "les nombres marqués ≈ à côté des filtres sont estimés à partir d’un échantillon" in html


def test_statements_of_a_date_range_past_a_sample_have_an_exact_total_and_estimated_counts(client, said):
    """A range of days alone reads its statements from their keys by day (statementkeys.SAID): the total is every
    published one, exactly; past a sample the counts are estimated from every 3rd by id, and marked so."""
    response = client.get("/statements/", {"start": "2025-03-01", "end": "2025-03-31"})
    html = response.text
    assert response.context["total"] == 12  # the draft's left out
    assert '<h2 id="results-heading" tabindex="-1">12 statements</h2>' in html
    assert html.count('href="/statements/said-') == 12 and "said-in-draft" not in html
    choices = response.context["facets"]
    counted = {name: [(c.value, c.count) for c in choices[name]] for name in ("kind", "speaker", "topic")}
    assert sum(count for _, count in counted["kind"]) == 12  # four of the twelve, each counted as three
    assert counted["speaker"] == [("mark-carney", 12)] and counted["topic"] == [("trade", 12)]
    assert all(isinstance(c.count, facets.Estimate) for name in counted for c in choices[name])
    assert "are estimated from a sample of them. Every matching statement is listed below." in html


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ({"start": "2025-03-05"}, 10),  # days 5 to 12, and two the factory dates 6 May 2025
        ({"end": "2025-03-04"}, 4),
        ({"start": "2025-03-02", "end": "2025-03-03"}, 2),
        ({"start": "2025-03-20"}, 2),  # the draft's statement on its event's day is not one
        ({"start": "2026"}, 0),
    ],
)
def test_the_statements_total_of_a_date_range_is_every_published_statement_in_it(client, said, query, total):
    response = client.get("/statements/", query)
    assert response.context["total"] == total == response.context["statement_page"].paginator.count
    assert len(response.context["statements"]) == total
    kinds = {c.value: c.count for c in response.context["facets"]["kind"]}
    if not any(isinstance(n, facets.Estimate) for n in kinds.values()):
        assert sum(kinds.values()) == total


def test_a_search_s_few_matches_of_a_topic_or_speaker_are_listed_by_their_ids(client, said, monkeypatch):
    """Where the search's matches of a topic or a speaker were read, and are few (a sample's size at most), the page
    reads them by their ids alone rather than walking every statement said in order, testing each for the words and
    the topic's or speaker's keys; many are walked on PostgreSQL, and on SQLite read by their ids too, where the
    words' condition read every match again, and past the first page on PostgreSQL too; a search's own are walked,
    which its index finds. Read by their ids, the page's own ids come first, walked in the order said from those
    ids alone, then its statements by the page's ids alone."""

    def page_of(query) -> tuple[list[str], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/statements/", query)
        read = [
            q["sql"]
            for q in queries
            if q["sql"].startswith(
                ('SELECT "timeline_statement"."id", "timeline_s', "SELECT id FROM timeline_statement ")
            )
        ]
        return list(dict.fromkeys(re.findall(r'href="/statements/(said-[0-9]+)/"', response.text))), read

    by_ids = "= ANY(" if connection.vendor == "postgresql" else "json_each"

    def alone(read: list[str]) -> bool:  # read by their ids, neither the words nor the keys asked again
        if len(read) != 2 or not read[0].startswith("SELECT id FROM timeline_statement WHERE"):
            return False
        page_ids, statements = read
        asked = ("@@", "MATCH", "timeline_statementkey")
        return by_ids in page_ids and by_ids not in statements and not any(a in sql for a in asked for sql in read)

    listed, sql = page_of({"q": "tariffs", "topic": "trade", "kind": "paraphrase"})  # 4: a sample's size here
    assert listed == ["said-9", "said-10", "said-11", "said-12"]
    assert alone(sql)
    listed, sql = page_of({"q": "tariffs", "speaker": "mark-carney", "kind": "paraphrase", "sort": "newest"})
    assert listed == ["said-12", "said-11", "said-10", "said-9"]
    assert alone(sql)
    listed, sql = page_of({"q": "tariffs", "topic": "trade", "kind": "quote"})  # 8: past it
    assert listed == [f"said-{day}" for day in range(1, 9)]
    assert alone(sql) == (connection.vendor == "sqlite") and (len(sql) == 1) == (connection.vendor == "postgresql")
    assert connection.vendor == "sqlite" or by_ids not in sql[0]  # walked
    listed, sql = page_of({"q": "tariffs", "kind": "paraphrase"})  # 4, without a topic or speaker
    assert listed == ["said-9", "said-10", "said-11", "said-12"]
    assert len(sql) == 1 and by_ids not in sql[0]
    monkeypatch.setattr("timeline.views.STATEMENT_PAGE_SIZE", 3)
    listed, sql = page_of({"q": "tariffs", "topic": "trade", "kind": "quote", "page": "2"})  # deeper: by ids on both
    assert listed == [f"said-{day}" for day in range(4, 7)]
    assert alone(sql)
    listed, sql = page_of({"q": "tariffs", "topic": "trade", "kind": "quote", "page": "2", "sort": "newest"})
    assert listed == ["said-5", "said-4", "said-3"]
    assert alone(sql)
    listed, sql = page_of({"q": "tariffs", "topic": "trade", "kind": "quote", "page": "3"})  # the last: two
    assert listed == ["said-7", "said-8"]


@pytest.mark.parametrize(
    ("query", "total", "kinds"),
    [
        ({"q": "tariffs", "start": "2025-03-02", "end": "2025-03-31"}, 11, {"quote": 7, "paraphrase": 4}),
        ({"q": "tariffs", "start": "2025-03-02"}, 11, {"quote": 7, "paraphrase": 4}),
        ({"q": "tariffs", "end": "2025-03-11", "topic": "trade"}, 11, {"quote": 8, "paraphrase": 3}),
        (
            {"q": "tariffs", "start": "2025-03-02", "language": "en", "sort": "newest"},
            11,
            {"quote": 7, "paraphrase": 4},
        ),
    ],
)
def test_a_statements_search_within_a_range_of_days_has_an_exact_total_and_estimated_counts(
    client, said, query, total, kinds
):
    """The search's published matches in the range are read once, with their profiles: the total is every one of
    them (the draft's, on the 20th, left out), the kinds and languages are counted from their profiles, exactly, and
    past a sample the speakers and topics are estimated from every 3rd. Their keys were grouped as the search and
    the range selected them, every one, which at 100,000 events took half a second for a common word."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/statements/", query)
    html = response.text
    assert response.context["total"] == total == response.context["statement_page"].paginator.count
    assert f'<h2 id="results-heading" tabindex="-1">{total} statements</h2>' in html
    listed = list(dict.fromkeys(re.findall(r'href="/statements/(said-[0-9]+|said-in-draft)/"', html)))
    days = range(2, 13) if "start" in query else range(1, 12)
    newest = query.get("sort") == "newest"
    assert listed == [f"said-{day}" for day in (reversed(days) if newest else days)]
    choices = response.context["facets"]
    assert {c.value: (c.count, estimated(c)) for c in choices["kind"]} == {k: (n, False) for k, n in kinds.items()}
    assert [(c.value, c.count, estimated(c)) for c in choices["language"]] == [("en", total, False), ("fr", 0, False)]
    assert [(c.value, c.count.estimated) for c in choices["speaker"]] == [("mark-carney", True)]
    assert [(c.value, c.count.estimated) for c in choices["topic"]] == [("trade", True)]
    assert "are estimated from a sample of them. Every matching statement is listed below." in html
    grouped = [q["sql"] for q in queries if "FROM timeline_statementkey" in q["sql"] and "count(*)" in q["sql"]]
    assert grouped and not any(word in sql for sql in grouped for word in ("@@", "MATCH"))  # a sample's ids


def test_a_statements_search_within_a_range_of_days_matching_no_more_than_a_sample_is_counted_exactly(
    client, said, monkeypatch
):
    monkeypatch.setattr(facets, "SAMPLE_SIZE", 11)
    response = client.get("/statements/", {"q": "tariffs", "start": "2025-03-02"})
    choices = response.context["facets"]
    assert response.context["total"] == 11
    assert [(c.value, c.count) for c in choices["speaker"]] == [("mark-carney", 11)]
    assert [(c.value, c.count) for c in choices["topic"]] == [("trade", 11)]
    assert [(c.value, c.count) for c in choices["kind"]] == [("quote", 7), ("paraphrase", 4)]
    assert not any(estimated(c) for facet in choices.values() for c in facet)
    assert "≈" not in response.text


def test_a_page_of_a_statements_search_within_a_range_of_days_is_walked_from_its_first_day(client, said, monkeypatch):
    """The page's ids are walked from the range's first day (or back from its last, newest first), each tested
    against the ids read already; on SQLite, where those are most of the range's statements, with the ids' own
    index kept out of it ("+"), so that the walk, not each id looked up and sorted, finds the page. On PostgreSQL,
    the first page of more than a sample's size is walked with the search itself, which its index finds."""
    monkeypatch.setattr("timeline.views.STATEMENT_PAGE_SIZE", 3)

    def page_of(query) -> tuple[list[str], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/statements/", query)
        walked = [q["sql"] for q in queries if q["sql"].startswith("SELECT id FROM timeline_statement WHERE")]
        return list(dict.fromkeys(re.findall(r'href="/statements/(said-[0-9a-z-]+)/"', response.text))), walked

    sqlite = connection.vendor == "sqlite"
    listed, walked = page_of({"q": "tariffs", "start": "2025-03-02", "page": "2"})
    assert listed == ["said-5", "said-6", "said-7"]
    assert len(walked) == 1 and walked[0].startswith("SELECT id FROM timeline_statement WHERE sort_date >= ")
    assert ("+id IN" in walked[0]) == sqlite  # 11 of the range's 13 statements
    listed, walked = page_of({"q": "tariffs", "end": "2025-03-10", "sort": "newest", "page": "3"})
    assert listed == ["said-4", "said-3", "said-2"]
    assert len(walked) == 1 and "sort_date <= " in walked[0] and "ORDER BY sort_date DESC, id DESC" in walked[0]
    listed, walked = page_of({"q": "tariffs", "start": "2025-03-02"})
    assert listed == ["said-2", "said-3", "said-4"]
    assert len(walked) == (1 if sqlite else 0)  # PostgreSQL: past a sample, the first page walked by the search
    listed, walked = page_of({"q": "defence", "start": "2025-03-02"})  # 1 of the range's 13: each looked up
    assert listed == ["said-else"]
    assert len(walked) == 1 and "+id" not in walked[0]


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ({"start": "2025-03-01", "kind": "quote"}, [*range(1, 9), "else", "in-french"]),
        ({"start": "2025-03-01", "end": "2025-03-31", "kind": "quote"}, range(1, 9)),
        ({"end": "2025-03-31", "kind": "paraphrase", "language": "en"}, range(9, 13)),
        ({"start": "2025-04-01", "language": "fr"}, ["in-french"]),
        ({"start": "2025-04-01", "language": "en"}, ["else"]),  # the draft's statement that day is not one
    ],
)
def test_statements_of_a_language_or_kind_within_a_range_of_days_are_read_from_their_keys(client, said, query, listed):
    """A range of days with a language or a kind reads its statements from their keys by profile and day
    (statementkeys.SAID_PROFILE), one stretch for each profile: the total is every published one, exactly, and past
    a sample the counts are estimated from every n-th by id, and marked so. Their keys were grouped as the
    statements' own rows selected them, every one: the quotes since 2020 at 100,000 events took 290 ms."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/statements/", query)
    html = response.text
    total = len(listed)
    assert response.context["total"] == total == response.context["statement_page"].paginator.count
    assert f'<h2 id="results-heading" tabindex="-1">{total} statement{"s" if total > 1 else ""}</h2>' in html
    shown = list(dict.fromkeys(re.findall(r'href="/statements/said-([0-9a-z-]+)/"', html)))
    assert shown == [str(item) for item in listed]
    choices = response.context["facets"]
    assert all(estimated(c) == (total > 4) for c in choices["speaker"])
    if total > 4:
        assert "are estimated from a sample of them. Every matching statement is listed below." in html
    else:  # counted exactly: Mark Carney said them all
        assert [(c.value, c.count) for c in choices["speaker"]] == [("mark-carney", total)]
    grouped = [q["sql"] for q in queries if "FROM timeline_statementkey" in q["sql"] and "GROUP BY" in q["sql"]]
    assert grouped and not any('timeline_statement"' in sql for sql in grouped)  # keys alone, no statement read
    assert any(f"facet = {statementkeys.SAID_PROFILE} AND value BETWEEN" in q["sql"] for q in queries)
    # The total: the kept counts of the profiles' days summed.
    summed = f"FROM timeline_statementcount WHERE facet = {statementkeys.SAID_PROFILE} AND (value BETWEEN"
    assert any(summed in q["sql"] for q in queries)


@pytest.mark.parametrize(
    ("query", "listed", "by_profile"),
    [
        ({"start": "2025-03-02", "topic": "trade"}, range(2, 13), False),
        ({"start": "2025-03-01", "end": "2025-03-03", "topic": "trade"}, range(1, 4), False),
        ({"start": "2025-03-05", "topic": "trade", "kind": "paraphrase"}, range(9, 13), True),  # 4 of 8 in the range
        (
            {"end": "2025-03-31", "topic": "trade", "language": "en", "kind": "quote", "sort": "newest"},
            range(8, 0, -1),
            True,  # 8 of 12
        ),
        ({"start": "2025-03-01", "topic": "trade", "language": "fr"}, [], True),
        ({"start": "2025-03-12", "topic": "trade", "kind": "paraphrase"}, [12], False),  # 1 in the range, of 4
    ],
)
def test_a_topic_s_statements_within_a_range_of_days_are_read_from_their_keys(client, said, query, listed, by_profile):
    """A range of days with one topic reads the topic's statements from their keys by topic and day
    (statementkeys.TOPIC_SAID), one stretch: the total is every published one, exactly, and past a sample the counts
    are estimated from every n-th by id, and marked so. With a language or kind, whichever are fewer, the topic's
    statements in the range or those of the language or kind (TOPIC_PROFILE), each tested for the other by its key.
    Each statement's day was tested on its own row: at 100,000 events, a topic's 14,443 statements since 1950 took
    73 ms to count and 282 to count by speaker, language and kind."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/statements/", query)
    html = response.text
    total = len(listed)
    assert response.context["total"] == total
    shown = list(dict.fromkeys(re.findall(r'href="/statements/said-([0-9a-z-]+)/"', html)))
    assert shown == [str(item) for item in listed]
    choices = response.context["facets"]
    assert all(estimated(c) == (total > 4) for c in choices["speaker"])
    if total > 4:
        assert "are estimated from a sample of them. Every matching statement is listed below." in html
        assert [c.value for c in choices["speaker"]] == ["mark-carney"]
    elif total:  # counted exactly: Mark Carney said them all
        assert [(c.value, c.count) for c in choices["speaker"]] == [("mark-carney", total)]
    else:
        assert choices["speaker"] == []
    grouped = [q["sql"] for q in queries if "FROM timeline_statementkey" in q["sql"] and "GROUP BY" in q["sql"]]
    assert grouped and not any('timeline_statement"' in sql for sql in grouped)  # keys alone, no statement read
    assert any(f"facet = {statementkeys.TOPIC_SAID} AND value BETWEEN" in q["sql"] for q in queries)
    # The number of the topic's statements in the range (the total, or the choice of what to read first): the kept
    # counts of its days summed.
    summed = f"FROM timeline_statementcount WHERE facet = {statementkeys.TOPIC_SAID} AND (value BETWEEN"
    assert any(summed in q["sql"] for q in queries)
    profiled = f"FROM timeline_statementkey WHERE facet = {statementkeys.TOPIC_PROFILE} AND value IN"
    assert any(profiled in q["sql"] for q in queries) == by_profile


@pytest.mark.parametrize(
    ("query", "counts"),
    [
        ({"q": "tariffs", "speaker": "pierre"}, {"pierre": 1}),
        ({"q": "tariffs", "speaker": ["pierre", "jean"], "kind": "paraphrase"}, {"pierre": 1, "jean": 0}),
        ({"q": "tariffs", "speaker": "jean", "topic": "trade"}, {"jean": 0}),
        ({"q": "tariffs", "speaker": "pierre", "start": "2025-03-05"}, {"pierre": 1}),
        ({"q": "defence", "speaker": ["pierre", "jean"]}, {"pierre": 0, "jean": 1}),
    ],
)
def test_a_speaker_chosen_beyond_those_ranked_is_counted_among_the_search_s_matches(
    client, said, monkeypatch, query, counts
):
    """A chosen speaker the facet's ranked choices leave out is counted apart: its statements, read from their keys,
    looked for among the ids of the statements the search and the other filters select, exact. Sent to the database
    with its keys, those ids were planned as 200 and, once PostgreSQL's statistics said a speaker had one
    statement, joined in nested loops: at 100,000 events, 7.8 s for a page of a word and a speaker."""
    monkeypatch.setattr(facets, "RANKED", 1)  # Mark Carney's alone are ranked
    steel = TopicFactory(slug="steel", name="Steel")
    event = EventFactory(title="Steel talks", start_date=datetime.date(2025, 4, 1))
    event.topics.add(steel)
    pierre = ParticipantFactory(slug="pierre", name="Pierre Poilievre")
    jean = ParticipantFactory(slug="jean", name="Jean Charest")
    StatementFactory(event=event, speaker=pierre, slug="said-by-pierre", text="These tariffs hurt.", kind="paraphrase")
    StatementFactory(event=event, speaker=jean, slug="said-by-jean", text="Defence first.")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/statements/", query)
    assert response.status_code == 200
    chosen = [c for c in response.context["facets"]["speaker"] if c.selected]
    assert {c.value: c.count for c in chosen} == counts and not any(estimated(c) for c in chosen)
    apart = [q["sql"] for q in queries if q["sql"].startswith("SELECT value, statement_id FROM timeline_statementkey")]
    assert len(apart) == 1  # the chosen speakers' keys, read once, sending no ids
    assert "json_each" not in apart[0] and "ANY(" not in apart[0] and "unnest" not in apart[0]


@pytest.mark.parametrize(
    ("query", "counts"),
    [
        ({"start": "2025-03-05", "speaker": "pierre"}, {"pierre": 1}),
        ({"start": "2025-03-05", "end": "2025-03-31", "speaker": ["pierre", "jean"]}, {"pierre": 0, "jean": 0}),
        ({"start": "2025-03-05", "speaker": "jean", "kind": "quote"}, {"jean": 1}),
        ({"start": "2025-03-05", "speaker": "pierre", "topic": "trade"}, {"pierre": 0}),
        ({"start": "2025-03-05", "speaker": "pierre", "topic": "steel", "language": "en"}, {"pierre": 1}),
    ],
)
def test_a_speaker_chosen_beyond_those_ranked_within_a_range_of_days_tests_each_of_its_statements_day(
    client, said, monkeypatch, query, counts
):
    """Within a range of days (with a topic, a language or a kind), a chosen speaker the facet's ranked choices leave
    out is counted from its own keys, each of its statements tested for its day by its key: asked whether they were
    among the range's keys, SQLite gathered those first (a speaker's since 1900 at 100,000 events: 190,000 keys,
    311 ms)."""
    monkeypatch.setattr(facets, "RANKED", 1)  # Mark Carney's alone are ranked
    steel = TopicFactory(slug="steel", name="Steel")
    event = EventFactory(title="Steel talks", start_date=datetime.date(2025, 4, 1))
    event.topics.add(steel)
    pierre = ParticipantFactory(slug="pierre", name="Pierre Poilievre")
    jean = ParticipantFactory(slug="jean", name="Jean Charest")
    StatementFactory(event=event, speaker=pierre, slug="said-by-pierre", text="These tariffs hurt.", kind="paraphrase")
    StatementFactory(event=event, speaker=jean, slug="said-by-jean", text="Defence first.", kind="quote")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/statements/", query)
    assert response.status_code == 200
    chosen = [c for c in response.context["facets"]["speaker"] if c.selected]
    assert {c.value: c.count for c in chosen} == counts and not any(estimated(c) for c in chosen)
    speakers = f"FROM timeline_statementkey WHERE facet = {statementkeys.SPEAKER} AND statement_id IN"
    apart = [q["sql"] for q in queries if "counted WHERE value IN" in q["sql"] and speakers in q["sql"]]
    assert len(apart) == 1  # the chosen speakers' counts
    assert "EXISTS (SELECT 1 FROM timeline_statementkey said WHERE said.statement_id = " in apart[0]
    assert f"facet = {statementkeys.SAID} AND value" not in apart[0]  # the range's keys are not gathered


def test_a_search_within_a_range_of_days_under_a_speaker_reads_the_speaker_s_matches_with_it(client, said):
    """Under a speaker, the matches in the range are read with the speaker's condition, for the total and every
    facet but the speakers', which are counted over those read without it: taken from the range's, a speaker's
    few of a common word's 224,513 since 1900 at 100,000 events cost reading those (250 ms)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/statements/", {"q": "tariffs", "start": "2025-03-02", "speaker": "mark-carney"})
    assert response.context["total"] == 11
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT ((CASE m.language")]
    assert len(reads) == 2 and sum('"speaker_id" IN' in sql for sql in reads) == 1
