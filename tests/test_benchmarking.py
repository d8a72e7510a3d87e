import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import EventFactory
from timeline.benchmarking import QUERY_COUNT_HEADER, Result, Target, run
from timeline.models import Event
from timeline.paging import Place

pytestmark = pytest.mark.django_db


def test_no_query_count_header_unless_benchmarking(client):
    EventFactory()
    assert "timeline.benchmarking.QueryCountMiddleware" not in settings.MIDDLEWARE
    assert QUERY_COUNT_HEADER not in client.get("/")


def test_the_benchmark_server_reports_each_requests_queries(client, settings):
    settings.MIDDLEWARE = ["timeline.benchmarking.QueryCountMiddleware", *settings.MIDDLEWARE]
    EventFactory(slug="meeting")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/events/meeting/")
    assert int(response[QUERY_COUNT_HEADER]) == len(captured) > 1
    assert client.get("/events/meeting/")[QUERY_COUNT_HEADER] == "1"  # now from the cache: the data version


def test_percentiles_by_nearest_rank():
    result = Result("x", "/", 1, 100, 2.0, [n / 1000 for n in range(1, 101)], 0, [], [3, 3, 4], [10, 20, 30])
    assert result.percentile(50) == 50
    assert result.percentile(95) == 95
    assert result.percentile(100) == 100
    assert result.rps == 50
    assert result.median_queries == 3
    assert result.as_dict()["queries_max"] == 4


def test_the_load_driver_counts_requests_sizes_and_failures(live_server):
    EventFactory(slug="meeting")
    address = urlsplit(live_server.url)
    ok = run(address.hostname, address.port, Target("event", "/events/meeting/"), requests=6, concurrency=3)
    assert (ok.requests, ok.errors, len(ok.latencies)) == (6, 0, 6)
    assert min(ok.sizes) > 1000
    missing = run(address.hostname, address.port, Target("missing", "/events/nothing-here/"), requests=4, concurrency=2)
    assert missing.errors == 4
    assert missing.error_samples[0] == "HTTP 404"


def test_the_load_more_it_measures_goes_on_from_the_last_event_of_page_49_as_a_reader_s_does(client, monkeypatch):
    from django.core.management import call_command

    from timeline.management.commands.bench import discover_targets

    monkeypatch.setattr("timeline.paging.PAGE_SIZE", 1)
    call_command("generate_synthetic", "--events", "80", "--seed", "3", verbosity=0)
    events = list(Event.objects.published().chronological())
    target = next(target for target in discover_targets()[0] if target.name == "htmx page 50 (load more)")
    assert target.path == f"/?page=50&after={Place.of(events[48])}"
    response = client.get(target.path, headers=target.headers)
    assert re.findall(r'<article [^>]*id="event-([^"]+)"', response.content.decode()) == [events[49].slug]


def test_the_after_edit_pages_are_each_asked_once():
    """The fixed URLs now include the indexes, which the common pages list too: each page is one row of the table."""
    from django.core.management import call_command

    from timeline.bench_workloads import common_pages
    from timeline.management.commands.bench import discover_targets

    call_command("generate_synthetic", "--events", "5", "--seed", "3", verbosity=0)
    pages = common_pages(discover_targets()[0])
    names = [page.name for page in pages]
    assert len(names) == len(set(names))
    assert {"sources", "participants", "topics", "topic", "feed", "embed"} <= set(names)


def test_the_long_tail_warms_its_workers_on_a_page_it_does_not_measure(client):
    """The long tail asks each combination once: a worker's first request, which loads the page's templates and
    code, would otherwise be measured as the first combination's (the two slowest of a run were the first two)."""
    from django.core.management import call_command

    from timeline.bench_workloads import long_tail, warm_targets

    call_command("generate_synthetic", "--events", "5", "--seed", "3", verbosity=0)
    warm = warm_targets()
    assert [(target.path, bool(target.headers)) for target in warm] == [("/", False), ("/", True)]
    for target in warm:
        assert client.get(target.path, headers=target.headers).status_code == 200
    measured = long_tail(20)
    assert measured and all("?" in target.path for target in measured)
    assert not {target.path for target in measured} & {target.path for target in warm}


def test_the_same_seed_asks_the_same_long_tail():
    """Runs compared beside each other must ask the same combinations: the participants besides the busiest were
    drawn by the database, so each run asked for others."""
    from django.core.management import call_command

    from timeline.bench_workloads import long_tail

    call_command("generate_synthetic", "--events", "200", "--seed", "3", verbosity=0)
    first = [(target.path, bool(target.headers)) for target in long_tail(60)]
    assert any("participant=" in path for path, _ in first)
    assert [(target.path, bool(target.headers)) for target in long_tail(60)] == first
    assert [(target.path, bool(target.headers)) for target in long_tail(60, seed=2)] != first  # the control
