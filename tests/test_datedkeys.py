"""A keyed filter and a date range read together from the keys with their events' dates (timeline/datedkeys.py):
the same events and counts as the range and the filter read apart, kept right as events are edited."""

import datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests.factories import DraftEventFactory, EventFactory, InvolvementFactory, ParticipantFactory, TopicFactory
from timeline.facets import facets, total
from timeline.filters import EventFilter
from timeline.models import Event

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def trade():
    """Events on trade around 2020–2021, each in or out of that range for one reason."""
    trade, defence = TopicFactory(slug="trade"), TopicFactory(slug="defence")
    carney = ParticipantFactory(slug="mark-carney", country="CA")
    EventFactory(slug="ended-before", topics=[trade], start_date=D(2019, 5, 1))
    running = EventFactory(slug="running-into", topics=[trade], start_date=D(2019, 11, 1), end_date=D(2020, 2, 1))
    inside = EventFactory(slug="inside", topics=[trade, defence], start_date=D(2020, 6, 1), event_type="summit")
    EventFactory(slug="another-topic", topics=[defence], start_date=D(2020, 6, 1))
    DraftEventFactory(slug="a-draft", topics=[trade], start_date=D(2020, 6, 1))
    EventFactory(slug="after", topics=[trade], start_date=D(2022, 1, 1))
    for event in (running, inside):
        InvolvementFactory(event=event, participant=carney)
    return trade


def slugs(query: str) -> list[str]:
    return [event.slug for event in EventFilter(QueryDict(query)).qs]


def apart(query: str) -> list[str]:
    """The same filters read apart: the topic's events, then those overlapping the range, in the timeline's order."""
    filterset = EventFilter(QueryDict(query))
    topic = filterset.cleaned["topic"][0]
    events = Event.objects.published().filter(topics=topic)
    start, end = filterset.cleaned.get("start"), filterset.cleaned.get("end")
    return [event.slug for event in events.between(start, end).chronological()]


@pytest.mark.parametrize(
    "query",
    ["topic=trade&start=2020&end=2021", "topic=trade&start=2020", "topic=trade&end=2020-01", "topic=trade&start=2030"],
)
def test_a_topic_and_a_range_select_the_events_of_both(trade, query):
    assert slugs(query) == apart(query)


def test_a_topic_and_a_range_select_what_overlaps_the_range_and_their_counts_agree(trade):
    query = "topic=trade&start=2020&end=2021"
    assert slugs(query) == ["running-into", "inside"]
    filterset = EventFilter(QueryDict(query))
    counted = facets(filterset)
    assert {choice.value: choice.count for choice in counted["participant"]} == {"mark-carney": 2}
    assert {choice.value: choice.count for choice in counted["type"]} == {"meeting": 1, "summit": 1}
    # Under the range alone, the topics' counts: both of trade's events, and the one on defence too.
    assert {choice.value: choice.count for choice in counted["topic"]} == {"trade": 2, "defence": 2}
    assert total(filterset) == 2
    # A type and a country read with the range too (the type's keys carry it when no participant or topic does).
    assert slugs("type=summit&start=2020&end=2021") == ["inside"]
    assert slugs("country=CA&start=2020-01-15") == ["running-into", "inside"]


@override_settings(TIMELINE_CACHE=False)
def test_an_events_new_dates_move_it_in_and_out_of_a_filtered_range(trade):
    """The events, and the counts beside them, which both databases read from the dated keys (the topic's pairs less
    the events the range leaves out), follow each edit."""
    query = "topic=trade&start=2020&end=2021"

    def types() -> dict[str, int]:
        return {c.value: c.count for c in facets(EventFilter(QueryDict(query)))["type"] if c.count}

    ended_before = Event.objects.get(slug="ended-before")
    ended_before.end_date = D(2020, 3, 1)
    ended_before.save()  # as the admin saves it
    assert slugs(query) == ["ended-before", "running-into", "inside"]
    assert types() == {"meeting": 2, "summit": 1}
    Event.objects.filter(slug="inside").update(start_date=D(2023, 1, 1))  # as a bulk edit or an import does
    assert slugs(query) == ["ended-before", "running-into"]
    assert types() == {"meeting": 2}
    Event.objects.filter(slug="a-draft").update(status="published")
    assert slugs(query) == ["ended-before", "running-into", "a-draft"]
    assert types() == {"meeting": 3}
    assert total(EventFilter(QueryDict(query))) == 3


@pytest.mark.postgresql
def test_counts_under_a_topic_and_a_range_read_the_keys_and_not_the_events(client, trade):
    """On PostgreSQL, the counts of a page under keyed filters and a range read the keys alone: through the events'
    table, each event was looked up again to check that it is published, which its keys already say."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/?topic=trade&type=summit&start=2020&end=2021")
    assert response.status_code == 200
    counts = [q["sql"] for q in queries if "count(*)" in q["sql"] and "timeline_eventkey" in q["sql"]]
    assert counts, [q["sql"] for q in queries]
    assert not [sql for sql in counts if '"timeline_event"' in sql]
    # The range is read with the keys (the overview's years, counted without it, read the keys alone).
    assert any("timeline_datedkey" in sql for sql in counts)
