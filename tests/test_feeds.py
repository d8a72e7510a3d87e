"""The Atom feeds, read with feedparser as a feed reader would."""

import datetime

import feedparser
import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from tests.factories import DraftEventFactory, EventFactory, InvolvementFactory, ParticipantFactory, TopicFactory
from tests.plans import ordered_plan
from tests.sqlite_steps import sqlite_steps
from timeline.feeds import CorrectionsFeed, NewEventsFeed
from timeline.filters import EventFilter
from timeline.models import Correction, Event, Participant, Topic

pytestmark = pytest.mark.django_db


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def test_new_events_feed_lists_published_events_newest_first(client):
    older = EventFactory(title="Older")
    older_time = timezone.now() - datetime.timedelta(days=2)
    type(older).objects.filter(pk=older.pk).update(published_at=older_time)
    newer = EventFactory(title="Newer", topics=[TopicFactory(name="Tariffs")])
    # Loaded without a publication time (a fixture, say): dated by when it was created, in the order as in its entry.
    loaded = EventFactory(title="Loaded three days ago")
    three_days_ago = timezone.now() - datetime.timedelta(days=3)
    type(loaded).objects.filter(pk=loaded.pk).update(published_at=None, created_at=three_days_ago)
    DraftEventFactory(title="Secret draft")

    feed = parse(client, "/feeds/events/")

    assert [entry.title for entry in feed.entries] == ["Newer", "Older", "Loaded three days ago"]
    assert feed.entries[2].published_parsed[:3] == three_days_ago.utctimetuple()[:3]
    assert feed.entries[0].link == f"http://testserver{newer.get_absolute_url()}"
    assert [tag.term for tag in feed.entries[0].tags] == ["Tariffs"]
    assert feed.feed.title == "Timeline: new events"
    assert "Secret draft" not in str(feed)


def test_feed_text_is_escaped_not_interpreted(client):
    EventFactory(title="Tariffs & <b>bold</b> claims", summary="<script>alert(1)</script> & more")

    entry = parse(client, "/feeds/events/").entries[0]

    assert entry.title == "Tariffs & <b>bold</b> claims"  # Atom text: shown exactly as written
    assert entry.summary_detail.type == "text/html"
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in entry.summary
    assert "<script" not in entry.summary


def test_topic_feed_holds_only_that_topics_published_events(client):
    trade = TopicFactory(slug="trade", name="Trade")
    EventFactory(title="On trade", topics=[trade])
    EventFactory(title="Elsewhere")
    DraftEventFactory(title="Draft on trade", topics=[trade])

    feed = parse(client, "/feeds/topics/trade/")

    assert [entry.title for entry in feed.entries] == ["On trade"]
    assert feed.feed.title == "Timeline: new events on Trade"
    assert client.get("/feeds/topics/no-such-topic/").status_code == 404


def test_participant_feed_holds_only_their_published_events(client):
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    InvolvementFactory(participant=carney, event=EventFactory(title="With Carney"))
    InvolvementFactory(participant=carney, event=EventFactory(title="Also with Carney"))
    InvolvementFactory(participant=carney, event=DraftEventFactory(title="Draft with Carney"))
    EventFactory(title="Without")

    feed = parse(client, "/feeds/participants/mark-carney/")

    assert sorted(entry.title for entry in feed.entries) == ["Also with Carney", "With Carney"]


def test_participant_only_in_drafts_has_no_feed(client):
    InvolvementFactory(participant=ParticipantFactory(slug="secret-source"), event=DraftEventFactory())

    assert client.get("/feeds/participants/secret-source/").status_code == 404


def test_corrections_feed_lists_corrections_of_published_events(client):
    event = EventFactory(title="Meeting")
    Correction.objects.create(
        event=event, note="The date was 6 May, not 5 May.", published_on=datetime.date(2025, 5, 8)
    )
    Correction.objects.create(event=event, note="A name was misspelled.", published_on=datetime.date(2025, 5, 9))
    Correction.objects.create(
        event=DraftEventFactory(), note="Draft correction", published_on=datetime.date(2025, 5, 9)
    )

    feed = parse(client, "/feeds/corrections/")

    assert [entry.summary for entry in feed.entries] == [
        "<p>A name was misspelled.</p>",
        "<p>The date was 6 May, not 5 May.</p>",
    ]
    assert [entry.title for entry in feed.entries] == ["Correction: Meeting", "Correction: Meeting"]
    assert len({entry.id for entry in feed.entries}) == 2  # two entries, not one updated twice
    assert feed.entries[0].link.startswith(f"http://testserver{event.get_absolute_url()}#correction-")


def test_feeds_answer_conditional_requests(client, request):
    EventFactory()
    request.getfixturevalue("settled_versions")
    first = client.get("/feeds/events/")

    assert first["ETag"]
    assert first["Last-Modified"]
    assert client.get("/feeds/events/", headers={"If-None-Match": first["ETag"]}).status_code == 304
    assert client.get("/feeds/events/", headers={"If-Modified-Since": first["Last-Modified"]}).status_code == 304


def test_feed_query_count_does_not_grow_with_entries(client, django_assert_num_queries):
    """Topics are prefetched for every entry's categories: the data version (timeline.caching), 1 query for events,
    1 for their topics."""
    for _ in range(3):
        EventFactory(topics=[TopicFactory()])
    with django_assert_num_queries(3):
        client.get("/feeds/events/")
    for _ in range(5):
        EventFactory(topics=[TopicFactory()])
    with django_assert_num_queries(3):
        client.get("/feeds/events/")


def test_pages_advertise_the_feed(client):
    response = client.get("/")
    assert b'<link rel="alternate" type="application/atom+xml" title="Timeline: new events" href="/feeds/events/">' in (
        response.content
    )


def test_each_feed_has_its_own_id_and_an_empty_feed_is_stable(client):
    events, corrections = parse(client, "/feeds/events/"), parse(client, "/feeds/corrections/")

    assert events.feed.id == "http://testserver/feeds/events/"
    assert corrections.feed.id == "http://testserver/feeds/corrections/"
    assert client.get("/feeds/corrections/").content == client.get("/feeds/corrections/").content


def test_a_vertical_tab_in_a_published_title_leaves_every_feed_well_formed(client):
    """XML 1.0 cannot hold a control character: one in a title, pasted from a word processor and written to the
    database around the admin's check (as SQL or an older version could), made every feed a 500."""
    topic = TopicFactory(slug="trade", name="Trade")
    event = EventFactory(title="Carney meets Trump", topics=[topic])
    InvolvementFactory(event=event, participant=ParticipantFactory(slug="mark-carney"))
    Correction.objects.create(event=event, note="The date was corrected.")
    Event.objects.update(title="Carney meets\x0bTrump", summary="Leaders\x01 met.")
    Topic.objects.update(name="Tr\x0bade")
    Participant.objects.update(name="Mark\x0cCarney")
    for url in ["/feeds/events/", "/feeds/topics/trade/", "/feeds/participants/mark-carney/", "/feeds/corrections/"]:
        feed = parse(client, url)
        assert feed.entries[0].title.endswith("Carney meets Trump"), url
    assert parse(client, "/feeds/topics/trade/").feed.title == "Timeline: new events on Tr ade"
    assert parse(client, "/feeds/events/").entries[0].summary.endswith("Leaders met.</p>")


@pytest.mark.parametrize("language", ["", "/fr"])
def test_a_control_character_in_a_search_leaves_the_feed_well_formed_and_the_page_named_without_it(client, language):
    """The search named the feed as typed: /feeds/events/?q=a%14b was a 500 (found by the fuzz tests, drawing
    new examples), and the timeline's title held the character."""
    EventFactory(title="Trade talks", summary="Leaders met about trade.")
    feed = parse(client, f"{language}/feeds/events/?q=talks%14")
    assert feed.entries[0].title.endswith("Trade talks")
    assert "talks" in feed.feed.title and "\x14" not in feed.feed.title
    html = client.get(f"{language}/", {"q": "talks\x14"}).content.decode()
    title = html.split("<title>")[1].split("</title>")[0]
    assert "talks" in title and "\x14" not in title


def test_the_newest_events_are_read_from_an_index_not_sorted_from_all():
    """The feed's fifty newest events were found by sorting every published event: at 100,000 events, 85 ms on
    PostgreSQL and 340 on SQLite for each reader whose feed was not kept."""
    EventFactory.create_batch(30)
    sql, params = NewEventsFeed().items(EventFilter(QueryDict())).query.sql_with_params()
    # Without statistics SQLite takes the published events to be a handful, and sorts them.
    plan = ordered_plan(sql, params, analyze="timeline_event")
    assert "event_published_newest_idx" in plan, plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.sqlite
def test_the_corrections_feed_reads_no_published_event_it_does_not_list():
    """The corrections feed found the published events' corrections by first reading the id of every published event:
    80 ms at 100,000 events for a feed of a few corrections. Its work must not grow with the events."""

    def steps_to_read() -> int:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # with statistics, as a database that has been analyzed has them
        return sqlite_steps(lambda: [correction.event.title for correction in CorrectionsFeed().items()])

    Correction.objects.create(event=EventFactory(), note="The date was wrong.")
    Event.objects.bulk_create(EventFactory.build_batch(20))
    few = steps_to_read()
    Event.objects.bulk_create(EventFactory.build_batch(2000))
    many = steps_to_read()
    assert Event.objects.filter(status=Event.Status.PUBLISHED).count() == 2021
    assert many < few + 500, (few, many)
