"""A search for a word most published events have (search.Ids.most): its events are walked in order, each tested,
on SQLite, and on PostgreSQL its matches are asked again in each query that needs them rather than sent as ids; a
reader gets the same pages, totals and counts as when they are read as any other search's."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from tests.factories import DraftEventFactory, EventFactory, StatementFactory, TopicFactory
from timeline import facets
from timeline.filters import EventFilter
from timeline.models import Event, Statement

pytestmark = pytest.mark.django_db

PAGES = [
    "/?q=border",
    "/fr/?q=border",
    "/?q=border&topic=lumber",
    "/?q=border&start=2025-02",
    "/?q=border&topic=lumber&start=2025-02",
    "/?q=border&sort=relevance",
    "/?q=border&page=2",
    "/api/events?q=border&page_size=2",
    "/api/events?q=border&page_size=2&page=3",
    "/api/events?q=border&topic=lumber",
    "/api/events?q=border&start=2025-02",
    "/api/statements?q=border&page_size=3",
    "/api/statements?q=border&page_size=3&page=2",
    "/api/statements?q=border&language=fr",
    "/api/statements?q=border&start=2025-02",
    "/statements/?q=border",
    "/statements/?q=border&page=2",
    "/fr/statements/?q=border&language=en",
    "/statements/?q=border&sort=relevance",
]


@pytest.fixture
def common(settings, monkeypatch):
    """Seven published events, five with "border" (one only in a statement, one only in its French title), two
    without it, and a draft with it; a page of two events."""
    settings.TIMELINE_CACHE = False
    monkeypatch.setattr("timeline.paging.PAGE_SIZE", 2)
    monkeypatch.setattr("timeline.views.STATEMENT_PAGE_SIZE", 2)
    lumber = TopicFactory(slug="lumber", name="Softwood lumber")
    day = datetime.date(2025, 1, 6)
    shapes = [  # (title, French title, statement texts, with the topic)
        ("Border talks open", "", ["We will keep the border open."], True),
        ("Border tariffs", "", ["Des droits à la frontière.", "Tariffs at the border."], False),
        ("Leaders meet", "", ["The border is long."], True),
        ("Trade report", "Rapport sur la border", [], False),
        ("Border crossings fall", "", [], True),
        ("Dairy quotas", "", ["Milk supply."], True),
        ("Steel levies", "", [], False),
    ]
    for n, (title, title_fr, texts, topical) in enumerate(shapes):
        event = EventFactory(
            title=title,
            title_fr=title_fr,
            start_date=day + datetime.timedelta(days=20 * n),
            topics=[lumber] if topical else [],
        )
        for text in texts:
            StatementFactory(event=event, text=text, language="fr" if text.startswith("Des") else "en")
    draft = DraftEventFactory(title="Border draft", start_date=day)
    StatementFactory(event=draft, text="A draft's border words.")


def pages(client) -> tuple[list[bytes], list[str]]:
    """Each page's content, and the SQL every page sent."""
    with CaptureQueriesContext(connection) as queries:
        contents = [client.get(path).content for path in PAGES]
    return contents, [query["sql"] for query in queries.captured_queries]


def test_a_word_most_events_have_gives_the_same_pages_read_either_way(common, client, monkeypatch):
    matches = sorted(Event.objects.published().search_matches("border"))
    assert len(matches) == 5 and 2 * len(matches) > Event.objects.published().count()
    sent = "{" + ",".join(map(str, matches)) + "}"
    walked = re.compile(r'\+(?:"timeline_event"|V0)\."id" IN \(SELECT value FROM json_each\(')
    # The statements index reads its page's ids first (paging.IdsFirst), in a subquery of its own alias.
    said_walked = re.compile(r'\+(?:"timeline_statement"|[UV]0)\."id" IN \(SELECT rowid FROM timeline_statement_fts')

    monkeypatch.setattr("timeline.querysets.MANY_MATCHES", 10_000)  # fewer: read as any other search's
    as_sent, sql_sent = pages(client)
    monkeypatch.setattr("timeline.querysets.MANY_MATCHES", 0)
    asked_again, sql_asked = pages(client)

    if connection.vendor == "postgresql":
        assert any(sent in sql for sql in sql_sent)
        assert not any(sent in sql for sql in sql_asked)
        asked = "timeline_searchevent WHERE english @@"
        assert any(asked in sql and "IN (SELECT event_id" in sql for sql in sql_asked)
    else:
        # The page's events are walked (their intersections with other filters are read in Python: see below).
        assert not any(walked.search(sql) or said_walked.search(sql) for sql in sql_sent)
        assert any(walked.search(sql) for sql in sql_asked) and any(said_walked.search(sql) for sql in sql_asked)
    if connection.vendor == "sqlite":  # best match first is walked too, in the order said (every match ranks the same)
        with CaptureQueriesContext(connection) as queries:
            client.get("/statements/?q=border&sort=relevance")
        assert any(said_walked.search(query["sql"]) for query in queries.captured_queries)
    for path, one, other in zip(PAGES, as_sent, asked_again, strict=True):
        assert one == other, path

    events = json.loads(asked_again[PAGES.index("/api/events?q=border&page_size=2")])
    assert events["count"] == 5 and [event["title"] for event in events["results"]] == [
        "Border talks open",
        "Border tariffs",
    ]
    assert json.loads(asked_again[PAGES.index("/api/events?q=border&page_size=2&page=3")])["results"][0]["title"] == (
        "Border crossings fall"
    )
    statements = json.loads(asked_again[PAGES.index("/api/statements?q=border&page_size=3")])
    assert statements["count"] == 4  # the statements of the matching events, never the draft's or the others'
    assert b"Milk supply" not in b"".join(asked_again) and b"draft" not in b"".join(asked_again[7:])
    assert 'Events 1–<span id="shown-to">2</span> of 5'.encode() in asked_again[0]
    assert "Statements 1–2 of 3".encode() in asked_again[PAGES.index("/statements/?q=border")]
    assert "frontière".encode() not in b"".join(asked_again[-4:]) and b"draft" not in b"".join(asked_again[-4:])


@pytest.mark.postgresql
def test_only_one_word_most_published_events_have_is_asked_again(common, client, monkeypatch):
    monkeypatch.setattr("timeline.querysets.MANY_MATCHES", 0)
    assert Event.objects.published().search_matches("border").found_by is not None
    for q in ("crossings", "border crossings"):  # one event; two words, read from the documents
        assert Event.objects.published().search_matches(q).found_by is None
    assert Event.objects.published().filter(pk__gt=0).search_matches("border").found_by is None  # not all events


def test_a_word_fewer_than_half_the_events_have_is_read_as_any_other(common, monkeypatch):
    monkeypatch.setattr("timeline.querysets.MANY_MATCHES", 0)
    assert Event.objects.published().search_matches("border").most
    assert not Event.objects.published().search_matches("crossings").most
    assert not Event.objects.published().search_matches("border crossings").most
    # 3 of 5 published statements: walked on SQLite, which alone reads it (PostgreSQL plans from the words' statistics)
    assert Statement.objects.search_matches("border").most == (connection.vendor == "sqlite")
    assert not Statement.objects.search_matches("tariffs").most


@pytest.mark.parametrize(
    "query, titles",
    [
        ("start=2025-02", ["Border crossings fall", "Leaders meet", "Trade report"]),
        ("topic=lumber&start=2025-02", ["Border crossings fall", "Leaders meet"]),
        ("topic=lumber&type=meeting", ["Border crossings fall", "Border talks open", "Leaders meet"]),
        ("end=2025-01-31&has_statements=yes", ["Border talks open", "Border tariffs"]),
    ],
)
def test_a_word_most_events_have_is_intersected_with_keys_and_dates_in_python(common, monkeypatch, query, titles):
    """The events of the other filters are read by their keys and dates, and the word's matches are not sent again,
    nor the word asked again, in SQL (facets.searched_most); the total counts them."""
    monkeypatch.setattr("timeline.querysets.MANY_MATCHES", 0)
    filterset = EventFilter(QueryDict(f"q=border&{query}"))
    matches = filterset.search_matches("border")
    assert matches.most
    with CaptureQueriesContext(connection) as queries:
        selected = facets.searched(filterset, "")
        total = facets.total_except(filterset, "")
    assert sorted(Event.objects.filter(pk__in=selected).values_list("title", flat=True)) == titles
    assert total == len(titles)
    sent = (matches.array, matches.json)
    assert queries.captured_queries
    assert not [q["sql"] for q in queries.captured_queries if "border" in q["sql"] or any(s in q["sql"] for s in sent)]


@pytest.mark.sqlite
@pytest.mark.parametrize(
    "path, titles, ids, walked",
    [
        ("/?q=border&start=2025-01-20", ["Border tariffs", "Leaders meet"], 4, True),  # 4 of the 7 events
        ("/?q=border&topic=lumber&start=2025-02", ["Leaders meet", "Border crossings fall"], 2, False),
    ],
)
def test_sqlite_reads_the_page_by_the_intersection_walked_where_it_is_most(
    common, client, monkeypatch, path, titles, ids, walked
):
    """The page's events are read by the ids the search and the other filters select together (facets.searched_walked),
    not by the word and each filter's keys again; walked in order where they are most of the events."""
    monkeypatch.setattr("timeline.querysets.MANY_MATCHES", 0)
    with CaptureQueriesContext(connection) as queries:
        content = client.get(path).content.decode()
    content = re.sub(r"</?mark>", "", content)
    assert [title for title in titles if f">{title}</a>" in content] == titles
    assert content.index(titles[0]) < content.index(titles[1])
    (page,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "timeline_event"."id"')]
    selected = sorted(Event.objects.filter(title__in=titles).values_list("pk", flat=True))
    assert "timeline_eventkey" not in page and "timeline_datedkey" not in page and "MATCH" not in page.split("FROM")[-1]
    (sent,) = re.findall(r"json_each\('(\[[\d,]*\])'\)", page)
    assert len(json.loads(sent)) == ids and set(selected) <= set(json.loads(sent))
    assert ('+V0."id" IN (SELECT value FROM json_each(' in page) == walked


@pytest.mark.parametrize(
    "query, speaker_of, count",
    [
        ("", None, 4),
        ("&language=fr", None, 1),
        ("&language=en", None, 3),
        ("", "Tariffs at the border.", 1),
        ("", "Milk supply.", 0),  # said at an event the word misses
    ],
)
def test_the_apis_statements_of_a_word_most_events_have_are_the_kept_total_less_those_it_misses(
    common, client, monkeypatch, query, speaker_of, count
):
    """Counted as the kept total of the languages and speakers asked, less the statements of the published events the
    word is not in (StatementFilter.searched_total), not through its matches again."""
    monkeypatch.setattr("timeline.querysets.MANY_MATCHES", 0)
    matches = Event.objects.published().search_matches("border")
    if speaker_of:
        query += f"&speaker={Statement.objects.get(text=speaker_of).speaker.slug}"
    with CaptureQueriesContext(connection) as queries:
        page = json.loads(client.get(f"/api/statements?q=border{query}").content)
    assert page["count"] == count == len(page["results"])
    counted = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counted  # the statements of the events the word misses (Dairy quotas' one), counted
    assert not [sql for sql in counted if "border" in sql or matches.array in sql or matches.json in sql]


@pytest.mark.parametrize(
    "query, texts, kept",
    [
        # The four events from 26 January to 30 March all have the word: their statements are the range's.
        (
            "&start=2025-01-20&end=2025-03-31",
            ["Des droits à la frontière.", "Tariffs at the border.", "The border is long."],
            True,
        ),
        ("&start=2025-01-20&end=2025-03-31&language=fr", ["Des droits à la frontière."], True),
        # From February, "Dairy quotas" (6 April) is in the range and not in the word's events.
        ("&start=2025-02", ["The border is long."], False),
    ],
)
def test_the_apis_statements_of_a_word_every_event_of_a_range_has_are_the_ranges(
    common, client, monkeypatch, query, texts, kept
):
    """A search that keeps every published event of a date range selects the range's statements
    (StatementFilter.search_keeps_the_range): counted from the kept counts by day and paged in the order said, as a
    range alone is, never through the matches' ids; one that misses some of them, through its matches as before."""
    monkeypatch.setattr("timeline.querysets.MANY_MATCHES", 0)
    monkeypatch.setattr("timeline.events_dated.WALKED_PAST", 0)  # past it: the page walked in the order said
    matches = Event.objects.published().search_matches("border")
    with CaptureQueriesContext(connection) as queries:
        page = json.loads(client.get(f"/api/statements?q=border{query}").content)
    assert page["count"] == len(texts) and [statement["text"] for statement in page["results"]] == texts
    statements_read = [q["sql"] for q in queries.captured_queries if "timeline_statement" in q["sql"]]
    through_matches = [sql for sql in statements_read if "json_each" in sql or "= ANY(" in sql]
    assert bool(through_matches) != kept
    assert any("timeline_statementcount" in sql for sql in statements_read) == kept
    assert not [sql for sql in statements_read if matches.array in sql or matches.json in sql]
