import datetime
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Case, F, Value, When
from django.utils.http import http_date

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    RoleFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from tests.sqlite_steps import sqlite_steps
from timeline.management.commands.bench import discover_targets
from timeline.models import Correction, Event
from timeline.versions import NEVER_PUBLIC, RULES, current_version, current_versions, tracked_tables

pytestmark = pytest.mark.django_db

RESULTS = {"HX-Request": "true", "HX-Target": "results"}


@pytest.fixture
def meeting():
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    event = EventFactory(slug="white-house-meeting", title="White House meeting", topics=[TopicFactory(slug="trade")])
    InvolvementFactory(event=event, participant=carney)
    StatementFactory(event=event, speaker=carney, slug="not-for-sale", text="It's not for sale.")
    return event


def settle(seconds_ago: float = 3600) -> datetime.datetime:
    """Date the versions' last change `seconds_ago`, as if nothing had changed since; returns that time."""
    changed = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(seconds=seconds_ago)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE timeline_dataversion SET changed_at = %s", [changed])
    return changed


@pytest.fixture
def settled(meeting, settled_versions):
    return meeting


# Conditional GET and Cache-Control


@pytest.mark.parametrize("path", ["/", "/events/white-house-meeting/", "/participants/mark-carney/", "/topics/trade/"])
def test_anonymous_pages_can_be_revalidated_and_kept_by_a_cdn(client, settled, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]

    again = client.get(path, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == response["ETag"]
    assert "public" in again["Cache-Control"]

    since = client.get(path, headers={"If-Modified-Since": response["Last-Modified"]})
    assert since.status_code == 304


def test_a_304_carries_the_vary_header_of_the_page(client, meeting):
    etag = client.get("/")["ETag"]
    response = client.get("/", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert "HX-Target" in response["Vary"]


def test_any_change_gives_a_new_etag_and_the_new_page(client, meeting):
    first = client.get("/")
    meeting.title = "Oval Office meeting"
    meeting.save()
    second = client.get("/", headers={"If-None-Match": first["ETag"]})
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert "Oval Office meeting" in second.text and "White House meeting" not in second.text


def test_an_earlier_last_modified_is_not_a_304_after_a_change(client, settled):
    long_ago = http_date((datetime.datetime.now() - datetime.timedelta(days=1)).timestamp())
    settled.save()
    assert client.get("/", headers={"If-Modified-Since": long_ago}).status_code == 200


def test_htmx_fragments_are_never_kept_by_browsers_and_differ_from_the_page(client, meeting):
    fragment = client.get("/", headers=RESULTS)
    assert "private" in fragment["Cache-Control"] and "no-store" in fragment["Cache-Control"]
    assert "<html" not in fragment.text
    full = client.get("/")  # same URL, now with a fragment in the server's cache: still the whole page
    assert "<html" in full.text
    assert client.get("/", headers=RESULTS).text == fragment.text


def test_logged_in_pages_are_private_and_never_stored(admin_client, client, meeting, django_assert_num_queries):
    response = admin_client.get("/")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "ETag" not in response
    assert "public" not in response["Cache-Control"]
    # Had the editor's page been stored, this anonymous request would be answered from it in one query. The
    # editor's visit did leave the public aggregates (totals, facets, chart): version, events and 3 prefetches.
    with django_assert_num_queries(5):
        client.get("/")


# The server-side copies


def test_a_stored_page_costs_one_query_and_is_the_same_page(client, meeting, django_assert_num_queries):
    first = client.get("/events/white-house-meeting/")
    with django_assert_num_queries(1):  # the data version
        second = client.get("/events/white-house-meeting/")
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_unknown_parameters_are_no_new_page_and_reach_no_link(client, meeting, django_assert_num_queries):
    """A tracking parameter is not a page of its own: it is neither stored apart nor echoed in any link."""
    first = client.get("/?topic=trade&page=1")
    for query in ["utm_source=newsletter&topic=trade&page=1", "topic=trade&fbclid=x&page=1"]:
        with django_assert_num_queries(1):  # the data version: the stored page
            again = client.get(f"/?{query}")
        assert again.content == first.content
    assert "utm_source" not in again.text and "fbclid" not in again.text
    index = client.get("/participants/")
    with django_assert_num_queries(1):  # the stored page of /participants/
        assert client.get("/participants/?utm_source=x").content == index.content


def test_aggregates_are_shared_by_the_pages_of_one_selection(client, meeting, django_assert_num_queries):
    """Facets, chart and total depend on the filters, not on the page or the order."""
    client.get("/?topic=trade")
    # Version, topic slug lookup, events and their 3 prefetches: no count, no 5 facets, no overview.
    with django_assert_num_queries(6):
        client.get("/?topic=trade&sort=newest")


def test_without_server_copies_pages_are_still_revalidated(client, meeting, settings, django_assert_num_queries):
    settings.TIMELINE_CACHE = False
    etag = client.get("/")["ETag"]
    with django_assert_num_queries(13):
        assert client.get("/")["ETag"] == etag
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304


# Drafts never come out of a cache, however the change was made


def test_unpublishing_with_save_removes_the_event_from_stored_pages(client, meeting):
    assert "White House meeting" in client.get("/").text
    meeting.status = Event.Status.DRAFT
    meeting.save()
    assert "White House meeting" not in client.get("/").text
    assert client.get("/events/white-house-meeting/").status_code == 404


def test_unpublishing_with_a_bulk_update_removes_the_event_from_stored_pages(client, meeting):
    """queryset.update() sends no signals: the database triggers still change the version."""
    assert "White House meeting" in client.get("/").text
    assert client.get("/events/white-house-meeting/").status_code == 200
    Event.objects.filter(pk=meeting.pk).update(status=Event.Status.DRAFT)
    assert "White House meeting" not in client.get("/").text
    assert client.get("/events/white-house-meeting/").status_code == 404


def test_a_relation_changed_without_signals_reaches_stored_pages(client, meeting):
    tariffs = TopicFactory(slug="tariffs", name="Tariffs")
    assert "White House meeting" not in client.get("/topics/tariffs/").text
    Event.topics.through.objects.bulk_create([Event.topics.through(event=meeting, topic=tariffs)])
    assert "White House meeting" in client.get("/topics/tariffs/").text


def test_every_timeline_table_changes_the_version():
    event = EventFactory(topics=[TopicFactory()], sources=[SourceFactory()])
    involved = InvolvementFactory(event=event).participant
    StatementFactory(event=event, sources=[SourceFactory()])
    RoleFactory(participant=involved, source=SourceFactory())
    Correction.objects.create(event=event, note="Fixed a date.")
    tables = tracked_tables()
    assert {"timeline_event", "timeline_event_topics", "timeline_statement_sources", "timeline_correction"} <= set(
        tables
    )
    for table in tables:
        if RULES[table].public == NEVER_PUBLIC.public:
            continue  # below
        before = current_version()
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {connection.ops.quote_name(table)} SET id = id")
        assert current_version().token != before.token, table


def test_tables_readers_never_see_change_no_version():
    from django.contrib.contenttypes.models import ContentType

    from timeline.models import ImportUpload, Revision, WeakPublisher

    WeakPublisher.objects.create(domain="mirror.example.org")
    ImportUpload.objects.create(data=b"slug,title\nx,X\n")
    Revision.objects.create(content_type=ContentType.objects.get_for_model(Event), summary="A change waiting")
    never = [table for table in tracked_tables() if RULES[table] == NEVER_PUBLIC]
    assert never == ["timeline_importupload", "timeline_revision", "timeline_weakpublisher"]
    before = current_versions()
    for table in never:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {connection.ops.quote_name(table)} SET id = id")
    assert current_versions() == before


def test_history_tables_are_not_tracked():
    assert not [table for table in tracked_tables() if "historical" in table]


# Queries per request do not grow with the data


def bench_query_counts(client, cached: bool) -> dict[str, int]:
    from django.core.cache import cache
    from django.test.utils import CaptureQueriesContext

    targets, _ = discover_targets()
    counts = {}
    for target in targets:
        if not cached:
            cache.clear()
        client.get(target.path, headers=target.headers)
        if not cached:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(target.path, headers=target.headers).status_code == 200
        counts[target.name] = len(queries)
    return counts


@pytest.mark.parametrize("cached", [False, True], ids=["computed", "stored"])
def test_the_benchmark_urls_take_as_many_queries_with_5_and_50_events(client, cached):
    """Guards every benchmark URL against N+1 queries, whether the page is computed or served from the cache."""
    call_command("generate_synthetic", "--events", "5", "--seed", "3", verbosity=0)
    few = bench_query_counts(client, cached)
    call_command("generate_synthetic", "--events", "50", "--seed", "3", "--flush", verbosity=0)
    many = bench_query_counts(client, cached)
    assert few == many
    if cached:  # every page comes whole from the cache, after the data version lookup
        assert set(many.values()) == {1}


def test_api_responses_are_stored_and_keep_their_cors_header(client, meeting, django_assert_num_queries):
    first = client.get("/api/events")
    with django_assert_num_queries(1):
        second = client.get("/api/events", headers={"Origin": "https://news.example"})
    assert second.content == first.content
    assert second["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/events", headers={"If-None-Match": second["ETag"]}).status_code == 304


def test_the_etag_is_a_digest_and_no_cache_key(client, meeting):
    etag = client.get("/")["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)


# Validators change only when what readers see changes (and are precise to the change)


def test_every_table_says_which_of_its_changes_readers_see():
    """A table added to the app must say when a change to it is public (timeline.versions.RULES): left out, every
    change to it, a draft's included, would retire every cached page and change every validator."""
    assert set(tracked_tables()) - set(RULES) == set()


def draft_with_everything():
    """A draft event with a statement, sources, a topic, a correction, and a participant and source of its own."""
    person = ParticipantFactory(slug="draft-person")
    RoleFactory(participant=person, source=SourceFactory())
    draft = DraftEventFactory(topics=[TopicFactory(slug="draft-topic")], sources=[SourceFactory()])
    InvolvementFactory(event=draft, participant=person)
    StatementFactory(event=draft, speaker=person, sources=[SourceFactory()])
    Correction.objects.create(event=draft, note="Not yet.")
    return draft


def test_nothing_done_to_a_draft_changes_a_version(meeting):
    before = current_versions()
    draft = draft_with_everything()
    draft.title = "Still a draft"
    draft.save()
    statement = draft.statements.get()
    statement.text = "Words not yet public."
    statement.save()
    Involvement = type(draft.involvements.get())
    Involvement.objects.filter(event=draft).update(part="host")
    draft.topics.clear()
    statement.sources.clear()
    ParticipantFactory(slug="nobody-yet").delete()
    assert current_versions() == before

    draft.status = Event.Status.PUBLISHED  # the control: publishing it is a change readers see
    draft.save()
    after = current_versions()
    assert after.public != before.public and after.selection != before.selection


def test_a_draft_saved_keeps_every_stored_page_and_validator(client, settled, django_assert_num_queries):
    page = client.get("/")
    draft = draft_with_everything()
    draft.summary = "Rewritten, still a draft."
    draft.save()
    with django_assert_num_queries(1):  # the data version, then the stored page
        again = client.get("/", headers={"If-None-Match": page["ETag"], "If-Modified-Since": page["Last-Modified"]})
    assert again.status_code == 304
    assert client.get("/").content == page.content


@pytest.mark.parametrize(
    ("change", "selection_changes"),
    [
        (lambda event: Event.objects.filter(pk=event.pk).update(title="Renamed"), False),
        (lambda event: Event.objects.filter(pk=event.pk).update(start_date=datetime.date(2025, 6, 1)), True),
        (lambda event: event.involvements.update(part="host"), False),
        (lambda event: event.involvements.get().participant.roles.create(title="Envoy", start="2025-01-01"), False),
        (lambda event: type(event.topics.get()).objects.update(name="Commerce"), True),
        (lambda event: type(event.topics.get()).objects.update(name_fr="Commerce"), True),
        (lambda event: Event.objects.filter(pk=event.pk).update(title_fr="Rencontre"), False),
        (lambda event: event.involvements.get().participant.__class__.objects.update(country="US"), True),
        (lambda event: StatementFactory(event=event), True),
        (lambda event: Correction.objects.create(event=event, note="A date was wrong."), False),
        (lambda event: event.sources.add(SourceFactory()), False),
    ],
    ids=[
        "title",
        "date",
        "part",
        "role",
        "topic name",
        "topic name in French",
        "title in French",
        "country",
        "statement",
        "correction",
        "source",
    ],
)
def test_a_public_change_changes_the_public_version_and_a_selection_only_when_it_can(
    meeting, change, selection_changes
):
    before = current_versions()
    change(meeting)
    after = current_versions()
    assert after.public != before.public
    assert (after.selection != before.selection) is selection_changes


def test_a_bulk_update_changes_the_selection_only_if_one_public_row_changed_a_selecting_column(meeting):
    EventFactory.create_batch(30, title="Batch", start_date=datetime.date(2020, 1, 1))
    DraftEventFactory(title="Batch", start_date=datetime.date(2020, 1, 1))
    before = current_versions()
    Event.objects.filter(title="Batch").update(title="Batch, retitled")
    after = current_versions()
    assert after.public != before.public and after.selection == before.selection

    draft = Event.objects.get(status=Event.Status.DRAFT)
    Event.objects.filter(pk=draft.pk).update(start_date=datetime.date(2021, 1, 1))
    assert current_versions() == after  # a draft's new date: nothing readers see

    last = Event.objects.filter(title="Batch, retitled", status=Event.Status.PUBLISHED).latest("pk")
    Event.objects.filter(title="Batch, retitled").update(
        start_date=Case(When(pk=last.pk, then=Value(datetime.date(2021, 1, 1))), default=F("start_date"))
    )
    assert current_versions().selection != after.selection


@pytest.mark.postgresql
def test_the_update_triggers_never_join_the_two_transition_tables():
    # Joined on the primary key, the old and new rows of an update of 100,000 events were read against each other
    # row by row (the transition tables have no index), for over an hour.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p "
            "WHERE p.proname LIKE 'timeline_update_%' OR p.proname LIKE 'timeline_keys_update_%'"
        )
        functions = dict(cursor.fetchall())
    # The versions' triggers and the facet keys' (timeline/eventkeys.py) on events, statements and participants.
    assert {"timeline_update_timeline_event", "timeline_keys_update_timeline_event"} <= functions.keys()
    assert {"timeline_keys_update_timeline_statement", "timeline_keys_update_timeline_participant"} <= functions.keys()
    for name, definition in functions.items():
        assert not re.search(r"old_rows \w+ JOIN new_rows|new_rows \w+ JOIN old_rows", definition), name


@pytest.mark.sqlite
def test_adding_a_source_or_a_topic_reads_no_published_event():
    """An editor adding a source (say, from an import) to a large timeline waits for the versions' trigger: written
    as a join of the links with the events, SQLite without statistics read every published event to find that the
    new source was on none of them (63 ms a source at 70,000 events). The work must not grow with the events."""

    def published_events(n: int) -> None:
        Event.objects.bulk_create(EventFactory.build_batch(n))

    published_events(20)
    few = [sqlite_steps(SourceFactory), sqlite_steps(TopicFactory)]
    published_events(2000)
    many = [sqlite_steps(SourceFactory), sqlite_steps(TopicFactory)]
    assert Event.objects.filter(status=Event.Status.PUBLISHED).count() == 2020
    for before, after in zip(few, many, strict=True):
        assert after < before + 500, (few, many)


def test_a_page_that_did_not_change_keeps_its_etag(client, settled):
    """Its ETag is the page's digest: a new title of an event without Mark Carney leaves his page, and its ETag,
    as they were."""
    other = EventFactory(slug="other-event", title="Another meeting")
    page = client.get("/participants/mark-carney/")
    other.title = "Another meeting, renamed"
    other.save()
    again = client.get("/participants/mark-carney/", headers={"If-None-Match": page["ETag"]})
    assert again.status_code == 304
    assert "Another meeting, renamed" in client.get("/").text  # the control: the change did reach the pages


def test_two_changes_in_one_second_are_told_apart(client, meeting):
    """Last-Modified has one-second resolution: a page of a version changed within the last seconds carries none,
    so a client revalidating with If-Modified-Since cannot take a second change in that second for no change."""
    second = datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE timeline_dataversion SET changed_at = %s", [second + datetime.timedelta(seconds=0.1)])
    first = client.get("/")
    meeting.title = "Oval Office meeting"
    meeting.save()
    with connection.cursor() as cursor:  # the second change, stamped in the same second as the first
        cursor.execute("UPDATE timeline_dataversion SET changed_at = %s", [second + datetime.timedelta(seconds=0.6)])
    assert "Last-Modified" not in first
    response = client.get("/", headers={"If-Modified-Since": http_date(second.timestamp())})
    assert response.status_code == 200
    assert "Oval Office meeting" in response.text


def test_a_settled_change_gives_its_second_as_last_modified(client, meeting):
    changed = settle(seconds_ago=10)
    response = client.get("/")
    assert response["Last-Modified"] == http_date(int(changed.timestamp()))
    assert client.get("/", headers={"If-Modified-Since": response["Last-Modified"]}).status_code == 304


# Every surface: Cache-Control and validators


PUBLIC_SURFACES = [
    "/",
    "/events/white-house-meeting/",
    "/participants/",
    "/topics/",
    "/sources/",
    "/statements/",
    "/statements/?q=sale&speaker=mark-carney",
    "/statements/not-for-sale/",
    "/api/events",
    "/api/events/white-house-meeting",
    "/feeds/events/",
    "/feeds/topics/trade/",
    "/feeds/participants/mark-carney/",
    "/feeds/corrections/",
    "/export/events.csv",
    "/export/events.ics",
    "/events/white-house-meeting/calendar.ics",
    "/feeds/events/?participant=mark-carney",
    "/export/statements.csv",
    "/export/timeline.json",
    "/embed/",
]


@pytest.mark.parametrize("path", PUBLIC_SURFACES)
def test_every_public_surface_can_be_kept_by_a_cdn_and_revalidated(client, settled, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])
    assert response["Last-Modified"]
    assert client.get(path, headers={"If-None-Match": response["ETag"]}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": response["Last-Modified"]}).status_code == 304


def test_the_empty_corrections_feed_is_as_of_the_last_public_change_not_1970(client, settled):
    changed = current_version().changed_at
    response = client.get("/feeds/corrections/")
    assert b"1970" not in response.content
    assert "1970" not in response["Last-Modified"]
    assert f"<updated>{changed.isoformat()}".encode()[:30] in response.content.replace(b"Z</updated>", b"+00:00")


def test_the_embed_served_from_the_cache_may_still_be_framed(client, meeting):
    first, second = client.get("/embed/"), client.get("/embed/")
    for response in (first, second):
        assert "X-Frame-Options" not in response
        assert "frame-ancestors *" in response["Content-Security-Policy"]


# The shared cache


def test_cache_url_selects_django_s_redis_backend():
    from timeline.settings import cache_from_url

    assert cache_from_url("redis://cache.internal:6379/2") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/2",
        "KEY_PREFIX": "timeline",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    assert cache_from_url("locmem://")["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    with pytest.raises(Exception, match="CACHE_URL"):
        cache_from_url("memcached://x")


def test_pages_are_served_while_the_shared_cache_is_down(client, meeting, settings, caplog):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {"default": {**settings.CACHES["default"], **_redis(f"redis://127.0.0.1:{port}/0")}}
    for path in ("/", "/?topic=trade", "/api/events", "/feeds/events/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["ETag"]
    assert "Cache unavailable" in caplog.text


def _redis(url):
    from timeline.settings import cache_from_url

    return cache_from_url(url)
