"""The timeline's counts read on a second connection while its events are read (timeline/alongside.py), and the
statements index's facets while its statements are: the reader gets the same page either way, in either language;
only outside a transaction, on PostgreSQL."""

import datetime
import threading

import pytest
from django.core.cache import cache
from django.db import connection

from tests.factories import EventFactory, InvolvementFactory, ParticipantFactory, StatementFactory, TopicFactory
from timeline import alongside, facets
from timeline.benchmarking import QUERY_COUNT_HEADER
from timeline.models import Event

HTMX = {"HX-Request": "true"}

PAGES = [
    ("/", {}),
    ("/fr/", {}),
    ("/?q=lumber", {}),
    ("/fr/?topic=lumber&start=2025-02", {}),
    ("/?participant=mark-carney&sort=newest", {}),
    ("/?page=2", {}),
    ("/?page=99", {}),  # past the last page: said so, and the last page shown
    ("/?page=nine", {}),
    ("/?start=2025-03", {**HTMX, "HX-Target": "results"}),
    ("/fr/?page=2&after=2025-01-02.day.2.0", {**HTMX, "HX-Target": "load-more"}),
    ("/?page=2", {**HTMX, "HX-Target": "load-more"}),
]


@pytest.fixture
def timeline(transactional_db, monkeypatch, settings):
    """Thirty published events, a draft, and the thread each page's facets were counted on (every page computed)."""
    settings.TIMELINE_CACHE = False
    monkeypatch.setattr("timeline.paging.PAGE_SIZE", 10)
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    lumber = TopicFactory(slug="lumber", name="Softwood lumber", name_fr="Bois d’œuvre")
    for n in range(30):
        event = EventFactory(
            title=f"Lumber talks, round {n}" if n % 3 else f"Tariff meeting {n}",
            start_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=4 * n),
            topics=[lumber] if n % 2 else [],
        )
        InvolvementFactory(event=event, participant=carney if n % 4 else ParticipantFactory())
        if n % 5 == 0:
            StatementFactory(event=event, speaker=carney, text=f"Softwood lumber, said for the {n}th time.")
    EventFactory(title="Lumber draft", status="draft", topics=[lumber])
    return counted_on(monkeypatch, "facets")


def counted_on(monkeypatch, name: str) -> list[threading.Thread]:
    """The thread each call of facets.`name` runs on, in order."""
    threads = []
    counted = getattr(facets, name)

    def counting(filterset):
        threads.append(threading.current_thread())
        return counted(filterset)

    monkeypatch.setattr(facets, name, counting)
    return threads


def pages(client) -> list[bytes]:
    return [client.get(path, headers=headers).content for path, headers in PAGES]


def counted_alongside(threads) -> list[bool]:
    return [thread is not threading.main_thread() for thread in threads]


# The pages whose facets are counted, in PAGES's order: alongside under filters, but for a page number (checked
# against the total first); with no filter the counts are kept, and read in turn; "load more" reads only its total.
ALONGSIDE = [False, False, True, True, True, False, False, False, True]


@pytest.mark.postgresql
def test_a_page_is_the_same_with_its_counts_read_alongside_as_in_order(client, timeline, monkeypatch):
    alongside_pages = pages(client)
    assert counted_alongside(timeline) == ALONGSIDE
    monkeypatch.setattr(alongside, "possible", lambda using="default": False)
    timeline.clear()
    in_order = pages(client)
    assert counted_alongside(timeline) == [False] * len(ALONGSIDE)
    for (path, _), read_alongside, read_in_order in zip(PAGES, alongside_pages, in_order, strict=True):
        assert read_alongside == read_in_order, path
    assert b"Bois d\xe2\x80\x99\xc5\x93uvre" in alongside_pages[1]  # the French names, counted alongside
    assert b"There is no page 99" in alongside_pages[6]
    assert b"Lumber draft" not in b"".join(alongside_pages)


@pytest.mark.postgresql
@pytest.mark.parametrize("cached", [False, True])
def test_the_counts_read_alongside_take_the_same_queries_and_the_benchmark_counts_them(
    client, timeline, monkeypatch, settings, cached
):
    """With the caches on, the data versions the request read for its keys are read once, not again alongside."""
    settings.MIDDLEWARE = ["timeline.benchmarking.QueryCountMiddleware", *settings.MIDDLEWARE]
    settings.TIMELINE_CACHE = cached
    client.get("/")  # what the first request alone reads
    cache.clear()
    read_alongside = client.get("/?topic=lumber")[QUERY_COUNT_HEADER]
    cache.clear()
    monkeypatch.setattr(alongside, "possible", lambda using="default": False)
    assert client.get("/?topic=lumber")[QUERY_COUNT_HEADER] == read_alongside == "10"


@pytest.mark.postgresql
def test_the_counts_are_read_in_place_when_the_setting_is_off(client, timeline, settings):
    settings.TIMELINE_COUNTS_ALONGSIDE = False
    assert b"Softwood lumber" in client.get("/?q=lumber").content
    assert timeline == [threading.main_thread()]


def test_inside_a_transaction_the_counts_are_read_in_place(db, client):
    """A second connection would not see what the transaction wrote: the published event of this test."""
    EventFactory(title="Only in this transaction")
    assert connection.in_atomic_block and not alongside.possible()
    html = client.get("/").content.decode()
    assert "Only in this transaction" in html and "1 event on the timeline" in html


# The statements index: under a search (and at most speakers, topics, languages, kinds and a range of days) its total
# is known from the search's matches, so its facets are counted alongside the page's statements; otherwise they come
# first, in turn, and the total is read from their counts.
STATEMENT_PAGES = [
    ("/statements/", {}, False),
    ("/statements/?q=lumber", {}, True),
    ("/fr/statements/?q=lumber&speaker=mark-carney", {}, True),
    ("/statements/?q=lumber&sort=relevance&language=en", {}, True),
    ("/statements/?q=lumber&page=2", {}, True),
    ("/statements/?q=lumber&page=99", {}, True),  # past the last page: said so, and the last page shown
    ("/statements/?q=lumber&topic=lumber&kind=quote", {**HTMX, "HX-Target": "results"}, True),
    ("/statements/?q=lumber&start=2025-03", {}, True),  # a search and dates: its matches in the range read first
    ("/statements/?start=2025-03&kind=quote", {}, False),  # dates and a kind: counted from the keys, in turn
    ("/fr/statements/?topic=lumber", {}, False),
]


@pytest.mark.postgresql
def test_a_statements_page_is_the_same_with_its_facets_counted_alongside_as_in_order(timeline, client, monkeypatch):
    monkeypatch.setattr("timeline.views.STATEMENT_PAGE_SIZE", 2)
    for n, event in enumerate(Event.objects.published().order_by("start_date")[:12]):
        StatementFactory(event=event, text=f"Lumber quota, point {n}.", language="fr" if n % 4 == 0 else "en")
    StatementFactory(event=Event.objects.get(title="Lumber draft"), text="Lumber, a draft's words.")
    threads = counted_on(monkeypatch, "statement_facets")

    def statement_pages():
        return [client.get(path, headers=headers).content for path, headers, _ in STATEMENT_PAGES]

    alongside_pages = statement_pages()
    assert counted_alongside(threads) == [expected for _, _, expected in STATEMENT_PAGES]
    monkeypatch.setattr(alongside, "possible", lambda using="default": False)
    threads.clear()
    in_order = statement_pages()
    assert counted_alongside(threads) == [False] * len(STATEMENT_PAGES)
    for (path, _, _), read_alongside, read_in_order in zip(STATEMENT_PAGES, alongside_pages, in_order, strict=True):
        assert read_alongside == read_in_order, path
    assert "Statements 1–2 of 18".encode() in alongside_pages[1] and b"There is no page 99" in alongside_pages[5]
    assert b"a draft&#x27;s words" not in b"".join(alongside_pages)


@pytest.mark.postgresql
def test_best_match_first_the_first_page_is_ranked_alongside_the_search_s_matches(timeline, client, monkeypatch):
    """The first page's ids are ranked on the second connection while the matches are read on the request's; a page
    number is checked against the total first, and ranked in turn."""
    monkeypatch.setattr("timeline.views.STATEMENT_PAGE_SIZE", 2)
    ranked = []

    def ranking(execute, sql, params, many, context):
        if "ts_rank" in sql and "timeline_searchdocument" in sql:
            ranked.append(threading.current_thread() is threading.main_thread())
        return execute(sql, params, many, context)

    pages = []
    for path in ["/statements/?q=lumber&sort=relevance", "/statements/?q=lumber&sort=relevance&page=2"]:
        with connection.execute_wrapper(ranking):
            pages.append(client.get(path).content)
    assert ranked == [False, True]
    monkeypatch.setattr(alongside, "possible", lambda using="default": False)
    assert client.get("/statements/?q=lumber&sort=relevance").content == pages[0]
    assert "Statements 1–2 of 6".encode() in pages[0] and "Statements 3–4 of 6".encode() in pages[1]
