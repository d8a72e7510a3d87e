"""The timeline's counts read from the kept pairs of keys (timeline_keypair): under one value of one filter, and
under dates alone, the facets, the total and the overview's months are those counted one event at a time, and those
the grouped count of every other combination gives."""

import collections
import datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    StatementFactory,
    TopicFactory,
)
from timeline import eventkeys, facets
from timeline.filters import EventFilter
from timeline.models import Event, Participant, Topic

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def world():
    carney = ParticipantFactory(slug="carney", country="CA")
    trump = ParticipantFactory(slug="trump", country="US")
    sheinbaum = ParticipantFactory(slug="sheinbaum", country="MX")
    trade, energy = TopicFactory(slug="trade"), TopicFactory(slug="energy")

    def event(start, precision="day", end=None, type="meeting", topics=(), people=(), said=False):
        made = EventFactory(
            start_date=start, date_precision=precision, end_date=end, event_type=type, topics=list(topics)
        )
        for person in people:
            InvolvementFactory(event=made, participant=person)
        if said:
            StatementFactory(event=made, speaker=people[0] if people else carney)
        return made

    event(D(2024, 12, 31), topics=[trade], people=[carney])
    event(D(2025, 1, 1), "year", topics=[trade, energy], people=[carney, trump], said=True)  # known to the year
    event(D(2025, 2, 1), "month", type="summit", people=[trump], said=True)  # known to the month
    event(D(2025, 2, 10), topics=[energy], people=[sheinbaum, trump])
    event(D(2025, 2, 28), type="election", topics=[trade], people=[carney], said=True)
    event(D(2025, 3, 15), type="tariff_action", topics=[trade], people=[trump])
    # Ranged: begins before February and reaches into it; begins in January and ends in it; begins years before.
    event(D(2025, 1, 20), end=D(2025, 2, 5), type="negotiation", topics=[trade], people=[carney, trump], said=True)
    event(D(2025, 1, 3), end=D(2025, 1, 9), topics=[energy], people=[sheinbaum])
    event(D(2019, 6, 1), "month", end=D(2025, 12, 31), type="dispute", topics=[trade], people=[carney, trump])
    event(D(2020, 7, 1), "year", type="election", people=[trump])
    event(D(2025, 4, 30), topics=[energy], people=[carney, sheinbaum], said=True)
    DraftEventFactory(start_date=D(2025, 2, 12), topics=[trade])  # never counted
    return {"carney": carney, "trump": trump, "trade": trade, "energy": energy}


def one_by_one(query: str) -> dict[int, dict[int, int]]:
    """What the grouped count gives, counted here in Python from each published event: MONTH and every facet whose
    filter is not in force."""
    filterset = EventFilter(QueryDict(query))
    cleaned, in_force = filterset.cleaned, filterset.in_force()
    start, end = cleaned.get("start"), cleaned.get("end")
    wanted = [eventkeys.MONTH] + [facet for name, facet in facets.SHARED_FACETS.items() if name not in in_force]
    counts = {facet: collections.Counter() for facet in wanted}
    for event in Event.objects.published():
        if start and (event.end_date or event.start_date) < start or end and event.start_date > end:
            continue
        participants = {involvement.participant for involvement in event.involvements.all()}
        keys = {
            eventkeys.MONTH: {
                eventkeys.month_number(event.start_date) * 4 + eventkeys.PRECISIONS.index(event.date_precision)
            },
            eventkeys.PARTICIPANT: {participant.pk for participant in participants},
            eventkeys.TOPIC: {topic.pk for topic in event.topics.all()},
            eventkeys.TYPE: {eventkeys.type_value(event.event_type)},
            eventkeys.COUNTRY: {eventkeys.country_value(p.country) for p in participants if p.country},
            eventkeys.STATEMENTS: {1} if event.statements.exists() else {0},  # without statements: a key too
        }
        selected = {
            "participant": eventkeys.PARTICIPANT,
            "topic": eventkeys.TOPIC,
            "country": eventkeys.COUNTRY,
            "type": eventkeys.TYPE,
        }
        if any(
            name in in_force and not keys[facet] & keyed_values(cleaned[name], facet)
            for name, facet in selected.items()
        ):
            continue
        if cleaned.get("has_statements") == "yes" and 1 not in keys[eventkeys.STATEMENTS]:
            continue
        if cleaned.get("has_statements") == "no" and 0 not in keys[eventkeys.STATEMENTS]:
            continue
        for facet in wanted:
            counts[facet].update(keys[facet])
    return {facet: dict(counter) for facet, counter in counts.items()}


def keyed_values(values, facet) -> set[int]:
    if facet == eventkeys.TYPE:
        return {eventkeys.type_value(value) for value in values}
    if facet == eventkeys.COUNTRY:
        return {eventkeys.country_value(value) for value in values}
    return {value.pk for value in values}


def grouped(query: str, monkeypatch) -> dict:
    """The facets, total and months of the page as the grouped count of the keys gives them."""
    with monkeypatch.context() as patched:
        patched.setattr(facets, "paired_counts_sql", lambda *args, **kwargs: None)
        return page_counts(query)


@override_settings(TIMELINE_CACHE=False)  # each computed, not one read from the cache the other filled
def page_counts(query: str) -> dict:
    filterset = EventFilter(QueryDict(query))
    choices = facets.facets(filterset)
    return {
        "facets": {name: [(c.value, c.count) for c in found] for name, found in choices.items()},
        "total": facets.total(filterset),
        "months": facets.month_counts(filterset),
        "months alone": facets.month_counts(EventFilter(QueryDict(query)), together=False),
    }


ONE_VALUE = [
    "topic=trade",
    "participant=trump",
    "type=election",
    "country=MX",
    "has_statements=yes",
    "has_statements=no",  # its own key, as "yes" is
]
DATES = [
    "start=2025-02",  # open-ended, a month: the ranged events of January and 2019 reach into it
    "end=2025-02-09",  # open-ended start, a day-precise end
    "start=2025-02-05&end=2025-02-28",  # one month cut at its start only
    "start=2025-02-02&end=2025-02-27",  # one month cut at both ends: the month-precision event is outside
    "start=2025-01-02&end=2025-03-15",  # cut at both ends, a whole month between: the year-precision event is out
    "start=2025&end=2025",  # a year: every precision inside
    "start=2025-01-01&end=2025-02-28",
    "start=2020-07-02",  # after the 2020 election known to the year: its day is July 1st
    "end=2019-05-31",  # nothing in it
    "start=2030",  # nothing in it
    "start=2025-02-10&end=2025-02-10",  # one day
]


@pytest.mark.parametrize("query", ONE_VALUE + DATES)
def test_read_from_the_pairs_as_counted_one_by_one(world, query, monkeypatch):
    filterset = EventFilter(QueryDict(query))
    wanted = [eventkeys.MONTH] + [f for name, f in facets.SHARED_FACETS.items() if name not in filterset.in_force()]
    read = facets.paired_counts(filterset, wanted)
    assert read is not None  # the control: these filters are read from the pairs
    assert read == one_by_one(query)
    assert all(type(n) is int for counts in read.values() for n in counts.values())  # not Decimal: PostgreSQL's sums
    assert page_counts(query) == grouped(query, monkeypatch)


def test_the_cheaper_side_of_a_range_gives_the_same_counts(world, monkeypatch):
    """A range holding most events is read as every month less those outside it (and the cut months' other
    days); one holding few, as the months inside: the same counts either way."""
    for query in ["start=2019-06-02", "start=2025-02-02", "end=2025-02-27"]:
        assert facets.paired_counts(EventFilter(QueryDict(query)), [eventkeys.MONTH, eventkeys.TOPIC]) == {
            facet: counts for facet, counts in one_by_one(query).items() if facet in (eventkeys.MONTH, eventkeys.TOPIC)
        }


ONE_VALUE_DATED = [
    f"{value}&{dates}"
    for value in ONE_VALUE
    for dates in [
        "start=2025-02",
        "end=2025-02-09",
        "start=2025-02-02&end=2025-02-27",
        "start=2019-06-02",
        "start=2030",
    ]
]


@pytest.mark.parametrize("query", ONE_VALUE_DATED)
def test_one_value_and_a_range_read_from_the_pairs_less_the_events_outside(world, query, monkeypatch):
    """Under one value of one filter and a date range: the value's pairs less the keys of its events the range leaves
    out, or, where it leaves out more than half of them, the keys of those inside (timeline/datedkeys.py)."""
    filterset = EventFilter(QueryDict(query))
    wanted = [eventkeys.MONTH] + [f for name, f in facets.SHARED_FACETS.items() if name not in filterset.in_force()]
    read = facets.paired_counts(filterset, wanted)
    assert read is not None  # the control: read from the pairs
    assert read == one_by_one(query)
    assert all(type(n) is int for counts in read.values() for n in counts.values())
    assert page_counts(query) == grouped(query, monkeypatch)


def test_either_side_of_a_range_under_one_value_gives_the_same_counts(world):
    """Trump's events since June 2019 are most of his (read as all of them less the few before), those since March
    2025 a few (read from their keys): each as counted one event at a time, and as the range moves with an edit."""
    for query in ["participant=trump&start=2019-06-02", "participant=trump&start=2025-03"]:
        assert facets.paired_counts(EventFilter(QueryDict(query)), [eventkeys.MONTH, eventkeys.TOPIC]) == {
            facet: counts for facet, counts in one_by_one(query).items() if facet in (eventkeys.MONTH, eventkeys.TOPIC)
        }
    Event.objects.filter(start_date=D(2020, 7, 1)).update(start_date=D(2025, 3, 2), end_date=D(2025, 3, 3))
    query = "participant=trump&start=2025-03"
    assert facets.paired_counts(EventFilter(QueryDict(query)), [eventkeys.MONTH, eventkeys.TYPE]) == {
        facet: counts for facet, counts in one_by_one(query).items() if facet in (eventkeys.MONTH, eventkeys.TYPE)
    }


@pytest.mark.parametrize(
    "query",
    [
        "topic=trade&topic=energy",
        "topic=trade&type=meeting",
        "has_statements=no&topic=trade",
        "start=2025&topic=trade&type=meeting",
        "q=trade",
        "",
    ],
)
def test_other_combinations_are_counted(world, query):
    assert facets.paired_counts(EventFilter(QueryDict(query)), [eventkeys.MONTH]) is None


def test_the_counts_follow_an_edit(world):
    """Kept by the triggers: an event moved into a range, and one unpublished, change what the pairs say."""
    query = "start=2025-02-02&end=2025-02-27"
    before = one_by_one(query)
    Event.objects.filter(start_date=D(2024, 12, 31)).update(start_date=D(2025, 2, 20))
    Event.objects.filter(start_date=D(2025, 1, 20)).update(status="draft")  # reached into the range
    after = facets.paired_counts(EventFilter(QueryDict(query)), [eventkeys.MONTH, eventkeys.TOPIC, eventkeys.TYPE])
    assert after == {f: c for f, c in one_by_one(query).items() if f in after}
    assert after[eventkeys.MONTH] != before[eventkeys.MONTH]


@pytest.mark.parametrize(
    ("query", "read_from_pairs"),
    [
        ("topic=trade&start=2025-02", ["topic"]),  # the topics' counts are those of the range alone
        ("topic=trade&topic=energy&start=2025-01-02&end=2025-03-15", ["topic"]),
        ("topic=trade&type=meeting", ["topic", "type"]),  # each facet under the other's one value
        ("participant=trump&end=2025-02-09", ["participant"]),
        ("country=MX&country=US&start=2020-07-02", ["country"]),
        ("has_statements=yes&topic=trade", ["has_statements", "topic"]),
        ("has_statements=no&participant=carney", ["has_statements", "participant"]),
        ("type=election&type=summit&start=2025&end=2025", ["type"]),
        ("topic=trade&type=meeting&start=2025", ["topic", "type"]),  # one value and a range besides each
        ("topic=trade&type=meeting&participant=carney&start=2025", []),  # two filters besides each facet's own
    ],
)
def test_a_facet_under_its_own_filter_reads_the_pairs_of_the_others(world, query, read_from_pairs, monkeypatch):
    """A facet's counts are taken under every filter but its own: where those others are one value of one filter,
    or dates alone, they are read from the pairs, and are what the grouped count gives."""
    filterset = EventFilter(QueryDict(query))
    for name, facet in facets.SHARED_FACETS.items():
        if name in filterset.in_force():
            paired = facets.paired_counts(filterset, [facet, eventkeys.MONTH], name)
            assert (paired is not None) == (name in read_from_pairs), name  # the control
    assert page_counts(query) == grouped(query, monkeypatch)
    # And as counted one event at a time, under the other filters.
    for name in read_from_pairs:
        others = "&".join(part for part in query.split("&") if not part.startswith(f"{name}="))
        expected = one_by_one(others)
        shown = dict(page_counts(query)["facets"][name])
        if name == "has_statements":
            said = expected[eventkeys.STATEMENTS]
            assert shown == {"yes": said.get(1, 0), "no": said.get(0, 0)}
            assert shown["yes"] + shown["no"] == sum(expected[eventkeys.MONTH].values())
            continue
        values = {
            "participant": lambda pk: Participant.objects.get(pk=pk).slug,
            "topic": lambda pk: Topic.objects.get(pk=pk).slug,
            "type": eventkeys.type_of,
            "country": eventkeys.country_of,
        }[name]
        counted = {values(value): n for value, n in expected[facets.SHARED_FACETS[name]].items()}
        assert {value: n for value, n in shown.items() if n} == counted, name


# The participants ranked under a date range: only those that can be among the first are counted
# (eventkeys.ranged_sql), each exactly.


@pytest.fixture
def crowd():
    """Twelve participants, the first in every event, the second in every other, and so on; and three busy months
    in 2024 of events with no participant, so that each counts more events than any participant."""
    people = [ParticipantFactory(slug=f"p{i}") for i in range(12)]
    trade, energy = TopicFactory(slug="trade"), TopicFactory(slug="energy")
    for j in range(60):
        precision = ("day", "month", "year")[j % 3] if j % 5 == 0 else "day"
        start = D(2020 + j % 6, 1 + j % 12, 1 + j % 28)
        end = D(2025, 6, 30) if j % 17 == 0 else None  # a few reach over the years into later ranges
        made = EventFactory(start_date=start, date_precision=precision, end_date=end, topics=[(trade, energy)[j % 2]])
        for i, person in enumerate(people):
            if j % (i + 1) == 0:
                InvolvementFactory(event=made, participant=person)
    for month in (3, 4, 5):
        for day in range(1, 11):
            EventFactory(start_date=D(2024, month, day))  # no participant
    return people


RANGES = [
    "start=2024",
    "start=2022-03-15",
    "end=2021-06-10",
    "start=2021-02&end=2023-11-20",
    "start=2024-03&end=2024-03",
]


def must_rank(exact: dict[int, int], ranked: int) -> dict[int, int]:
    """The values that rank among the first `ranked` by count, ties included, with their counts."""
    if not exact:
        return {}
    bar = sorted(exact.values(), reverse=True)[min(ranked, len(exact)) - 1]
    return {value: n for value, n in exact.items() if n >= bar}


def test_the_participants_that_can_rank_under_a_range_are_counted_exactly(crowd, monkeypatch):
    wanted = [eventkeys.MONTH, eventkeys.PARTICIPANT, eventkeys.TOPIC]
    left_out = 0
    for first_round in (1, 8):  # the first round's values alone, or all of them
        monkeypatch.setattr(eventkeys, "FIRST_ROUND", first_round)
        for query in RANGES:
            exact = one_by_one(query)
            for ranked in (1, 3, 5):
                read = facets.paired_counts(EventFilter(QueryDict(query)), wanted, ranked=ranked)
                assert read[eventkeys.MONTH] == exact[eventkeys.MONTH], query
                assert read[eventkeys.TOPIC] == exact[eventkeys.TOPIC], query
                participants, counted = read[eventkeys.PARTICIPANT], exact[eventkeys.PARTICIPANT]
                assert {p: counted.get(p) for p in participants} == participants, (query, ranked)  # exact
                assert must_rank(counted, ranked).items() <= participants.items(), (query, ranked)
                left_out += len(counted) - len(participants)
    assert left_out > 0  # the control: some participants that could not rank were not counted


@pytest.mark.parametrize(
    "query", ["topic=trade&start=2022-03-15", "topic=energy&end=2021-06-10", "topic=trade&start=2024"]
)
def test_under_one_value_and_a_range_only_the_participants_that_can_rank_are_read(crowd, query):
    """Under one value and a range, the counts are that value's pairs less the events the range leaves out (or the
    keys of those inside): the participants among them are only those that can be among the `ranked` first, each
    counted exactly, where a country since 1922 returned all of its 20,000."""
    assert facets.one_key_between(EventFilter(QueryDict(query))) is not None  # the control: read from dated pairs
    wanted = [eventkeys.MONTH, eventkeys.PARTICIPANT]
    exact = one_by_one(query)
    left_out = 0
    for ranked in (1, 3, 5):
        read = facets.paired_counts(EventFilter(QueryDict(query)), wanted, ranked=ranked)
        assert read[eventkeys.MONTH] == exact[eventkeys.MONTH]
        participants, counted = read[eventkeys.PARTICIPANT], exact[eventkeys.PARTICIPANT]
        assert {p: counted.get(p) for p in participants} == participants, ranked  # exact
        assert must_rank(counted, ranked).items() <= participants.items(), ranked
        left_out += len(counted) - len(participants)
    unranked = facets.paired_counts(EventFilter(QueryDict(query)), wanted)
    assert unranked[eventkeys.PARTICIPANT] == exact[eventkeys.PARTICIPANT]  # without `ranked`, every one
    assert left_out > 0  # the control: some participants that could not rank were not read


def test_past_the_most_chosen_the_participants_are_counted_whole_and_only_those_that_can_rank_are_read(
    crowd, monkeypatch
):
    """Past MOST_CHOSEN values to count, the range counts every participant; only those that can be among the
    `ranked` first leave the database, each counted exactly, where a range since 2025 returned all 14,500 of its
    participants to be sorted in Python."""
    monkeypatch.setattr(eventkeys, "MOST_CHOSEN", 2)
    left_out = 0
    for query in RANGES:
        counted = one_by_one(query)[eventkeys.PARTICIPANT]
        participants = facets.paired_counts(EventFilter(QueryDict(query)), [eventkeys.PARTICIPANT], ranked=3)[
            eventkeys.PARTICIPANT
        ]
        assert {p: counted.get(p) for p in participants} == participants, query  # exact
        assert must_rank(counted, 3).items() <= participants.items(), query
        left_out += len(counted) - len(participants)
        unranked = facets.paired_counts(EventFilter(QueryDict(query)), [eventkeys.PARTICIPANT])
        assert unranked == {eventkeys.PARTICIPANT: counted}, query  # without `ranked`, every one
    assert left_out > 0  # the control: some participants that could not rank were not read


@pytest.mark.parametrize(
    "query",
    [*RANGES, "participant=p3&start=2024-03&end=2024-05", "participant=p0&start=2024", "topic=trade&start=2022-03-15"],
)
def test_the_participants_facet_under_a_range_is_the_grouped_count_s(crowd, query, monkeypatch):
    """What a reader sees: the facet's first participants and their counts, as the grouped count gives them. Under
    a participant and a range, the participants' counts are the range's alone, and no month is among them (a busy
    month's count once raised the bar, so that a participant with fewer events dropped out)."""
    monkeypatch.setattr(facets, "RANKED", 3)
    monkeypatch.setattr(facets, "FACET_LIMIT", 3)
    shown = page_counts(query)
    assert shown == grouped(query, monkeypatch)
    assert len([c for c in shown["facets"]["participant"] if c[1]]) >= 3  # the control: a ranked facet is shown


# "With statements" among other filters, where fewer events have none: the counts under the other filters less those
# of the events without statements among them (facets.statements_complement).

WITH_STATEMENTS = [
    "has_statements=yes&topic=trade&type=meeting",
    "has_statements=yes&country=MX",
    "has_statements=yes&participant=trump&start=2019-06-02",
    "has_statements=yes&start=2025-02",
    "has_statements=yes&topic=trade&country=US&end=2025-02-09",
    "has_statements=yes&type=election&type=summit",
]


@pytest.mark.parametrize("query", WITH_STATEMENTS)
def test_with_statements_among_other_filters_is_the_others_less_those_without(world, query, monkeypatch):
    assert facets.statements_complement(EventFilter(QueryDict(query)), "") is None  # 6 events without, 5 with
    for start in [D(2025, 3, 15), D(2019, 6, 1)]:
        StatementFactory(event=Event.objects.get(start_date=start))  # now 4 without, 7 with
    filterset = EventFilter(QueryDict(query))
    assert facets.statements_complement(filterset, "") is not None  # the control
    assert facets.count_keys(filterset) == one_by_one(query)  # every participant too: none is left out to rank
    with monkeypatch.context() as patched:
        patched.setattr(facets, "statements_complement", lambda *args: None)
        counted = page_counts(query)
    assert page_counts(query) == counted


@pytest.mark.parametrize("others", ["", "&topic=trade", "&country=US&start=2025"])
def test_a_search_with_statements_is_its_events_less_those_without(world, others, monkeypatch):
    """Under a search, "with statements" selects the search's events under the other filters less the events
    without statements, read by their key. Every event's summary says "leaders", so the search selects them all."""
    for start in [D(2025, 3, 15), D(2019, 6, 1)]:
        StatementFactory(event=Event.objects.get(start_date=start))  # now 4 without, 7 with
    query = "has_statements=yes&q=leaders" + others
    filterset = EventFilter(QueryDict(query))
    assert facets.statements_complement(filterset, "", searching=True) is not None  # the control
    expected = one_by_one(query.replace("&q=leaders", ""))
    assert len(facets.searched(filterset, "")) == sum(expected[eventkeys.MONTH].values())
    assert facets.total(filterset) == sum(expected[eventkeys.MONTH].values())
    with monkeypatch.context() as patched:
        patched.setattr(facets, "statements_complement", lambda *args, **kwargs: None)
        counted = page_counts(query)
    assert page_counts(query) == counted


@pytest.mark.parametrize(
    "query",
    [
        "q=leaders&topic=trade",
        "q=leaders&topic=trade&type=meeting",
        "q=leaders&participant=trump&topic=energy",
        "q=leaders&type=election&participant=carney",
    ],
)
def test_a_search_among_a_participant_a_topic_or_a_type_is_intersected_with_their_events(world, query, monkeypatch):
    """The events a search selects with a participant, a topic or one type, for each set of those filters the page
    counts under, are its matches intersected with each filter's events read by their keys: the same as the one
    query of each set gives, and as counted one event at a time (every summary says "leaders"; the draft is in
    none)."""
    filterset = EventFilter(QueryDict(query))
    sets = ["", *(name for name in filterset.in_force() if name != "q")]
    read = {excluded: sorted(facets.searched(filterset, excluded)) for excluded in sets}
    assert "_keyed_events" in filterset.__dict__  # the control: read by the keys
    assert len(read[""]) == sum(one_by_one(query.replace("q=leaders&", ""))[eventkeys.MONTH].values())
    shown = page_counts(query)
    monkeypatch.setattr(facets, "READ_BY_KEYS", ())
    queried = EventFilter(QueryDict(query))
    assert read == {excluded: sorted(facets.searched(queried, excluded)) for excluded in sets}
    assert "_keyed_events" not in queried.__dict__
    assert shown == page_counts(query)


@pytest.mark.parametrize(
    "query",
    [
        "q=leaders&country=US",
        "q=leaders&country=US&country=CA",  # an event with both has two keys: counted once
        "q=leaders&type=election&type=summit",
        "q=leaders&has_statements=no&country=CA",
        "q=leaders&country=MX&topic=energy",  # a topic read in Python first, then the country's keys
        "q=leaders&country=US&type=dispute&participant=carney",
        # Dates: read with a filter's dated keys, or the events' own with a search alone; ranged events reach in.
        "q=leaders&start=2025-02",
        "q=leaders&start=2025-02-05&end=2025-02-28",
        "q=leaders&type=election&end=2025-02-09",
        "q=leaders&participant=trump&topic=trade&start=2025-02",
        "q=leaders&country=US&country=CA&topic=trade&start=2025&end=2025",
        "q=leaders&has_statements=no&start=2020-07-02",
    ],
)
def test_a_search_among_keyed_filters_is_read_from_their_keys_on_postgresql(world, query, monkeypatch):
    """On PostgreSQL, the events a search selects with keyed filters and dates are its matches read among those
    filters' keys (with their dates), or the events' dates for a search alone: the same as the intersection with
    the events gives, and as counted one event at a time (every summary says "leaders"; the draft is in none).
    SQLite intersects them with the events, as before."""
    filterset = EventFilter(QueryDict(query))
    sets = ["", *(name for name in filterset.in_force() if name != "q")]
    by_keys = facets.searched_by_keys(filterset, filterset.in_force(), filterset.search_matches("leaders"))
    assert (by_keys is not None) == (connection.vendor == "postgresql")  # the control: used on PostgreSQL alone
    read = {excluded: sorted(facets.searched(filterset, excluded)) for excluded in sets}
    assert len(read[""]) == sum(one_by_one(query.replace("q=leaders&", ""))[eventkeys.MONTH].values())
    assert len(read[""]) == len(set(read[""]))
    shown = page_counts(query)
    monkeypatch.setattr(facets, "searched_by_keys", lambda *args: None)
    queried = EventFilter(QueryDict(query))
    assert read == {excluded: sorted(facets.searched(queried, excluded)) for excluded in sets}
    assert shown == page_counts(query)


def test_the_filtersets_a_page_varies_share_the_events_a_search_selects(world):
    """A page under a search, "with statements" and a date range counts under the same search and dates without
    the statements choice, for its facets and for the statements' own: the events those select are read once."""
    for start in [D(2025, 3, 15), D(2019, 6, 1)]:
        StatementFactory(event=Event.objects.get(start_date=start))  # now 4 without, 7 with
    filterset = EventFilter(QueryDict("has_statements=yes&q=leaders&start=2025-02"))
    assert facets.statements_complement(filterset, "", searching=True) is not None  # the control
    with CaptureQueriesContext(connection) as queries, override_settings(TIMELINE_CACHE=False):
        facets.facets(filterset)
        facets.total(filterset)
    reads = [
        query["sql"] for query in queries if "start_date" in query["sql"] and "timeline_eventkey" not in query["sql"]
    ]
    assert len(reads) == 1, reads  # the events the search selects since February, once
