import datetime
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils.http import http_date

from tests.factories import (
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    RoleFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from timeline.caching import current_version, tracked_tables
from timeline.management.commands.bench import discover_targets
from timeline.models import Correction, Event

pytestmark = pytest.mark.django_db

RESULTS = {"HX-Request": "true", "HX-Target": "results"}


@pytest.fixture
def meeting():
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    event = EventFactory(slug="white-house-meeting", title="White House meeting", topics=[TopicFactory(slug="trade")])
    InvolvementFactory(event=event, participant=carney)
    return event


# Conditional GET and Cache-Control


@pytest.mark.parametrize("path", ["/", "/events/white-house-meeting/", "/participants/mark-carney/", "/topics/trade/"])
def test_anonymous_pages_can_be_revalidated_and_kept_by_a_cdn(client, meeting, path):
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


def test_an_earlier_last_modified_is_not_a_304_after_a_change(client, meeting):
    long_ago = http_date((datetime.datetime.now() - datetime.timedelta(days=1)).timestamp())
    meeting.save()
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
    # Version, topic slug lookup, events and their 3 prefetches: no count, no 5 facets, no chart.
    with django_assert_num_queries(6):
        client.get("/?topic=trade&sort=newest")


def test_without_server_copies_pages_are_still_revalidated(client, meeting, settings, django_assert_num_queries):
    settings.TIMELINE_CACHE = False
    etag = client.get("/")["ETag"]
    with django_assert_num_queries(12):
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
    InvolvementFactory(event=event)
    StatementFactory(event=event, sources=[SourceFactory()])
    RoleFactory()
    Correction.objects.create(event=event, note="Fixed a date.")
    tables = tracked_tables()
    assert {"timeline_event", "timeline_event_topics", "timeline_statement_sources", "timeline_correction"} <= set(
        tables
    )
    for table in tables:
        before = current_version()
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {connection.ops.quote_name(table)} SET id = id")
        assert current_version().token != before.token, table


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
        second = client.get("/api/events")
    assert second.content == first.content
    assert second["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/events", headers={"If-None-Match": second["ETag"]}).status_code == 304


def test_the_etag_is_a_digest_and_no_cache_key(client, meeting):
    etag = client.get("/")["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
