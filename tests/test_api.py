"""The JSON API: what each endpoint returns, that drafts never appear, errors that name the parameter,
conditional GET, and a constant number of queries however long the list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
from tests.plans import ordered_plan, recorded
from timeline.models import Correction, Event, Participant, Source, Statement
from timeline.statement_filters import StatementFilter

pytestmark = pytest.mark.django_db

D = datetime.date


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


@pytest.fixture
def world():
    """Two published events and a draft, with people, statements, sources and topics on each."""
    trade, secret_topic = TopicFactory(slug="trade", name="Trade"), TopicFactory(slug="secret-topic")
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    RoleFactory(participant=carney, title="Prime Minister of Canada", start=D(2025, 3, 14))
    trump = ParticipantFactory(slug="donald-trump", name="Donald Trump", country="US")
    cited = SourceFactory(slug="cbc", title="CBC report")
    meeting = EventFactory(slug="meeting", title="Meeting", start_date=D(2025, 5, 6), topics=[trade], sources=[cited])
    InvolvementFactory(event=meeting, participant=carney, part="guest")
    InvolvementFactory(event=meeting, participant=trump, part="host")
    StatementFactory(event=meeting, speaker=carney, text="Not for sale.", said_on=D(2025, 5, 6), sources=[cited])
    StatementFactory(event=meeting, speaker=trump, text="Two to tango.", said_on=D(2025, 5, 6), language="en")
    summit = EventFactory(slug="summit", title="Summit", start_date=D(2025, 6, 1), date_precision="month")
    InvolvementFactory(event=summit, participant=trump)
    StatementFactory(
        event=summit,
        speaker=trump,
        text="Some time in June.",
        said_on=D(2025, 6, 1),
        said_precision="month",
        language="fr",
    )
    Correction.objects.create(event=meeting, note="The date was corrected.", published_on=D(2025, 5, 8))

    draft = DraftEventFactory(
        slug="draft", title="Draft", topics=[trade, secret_topic], sources=[SourceFactory(slug="secret-source")]
    )
    hidden = ParticipantFactory(slug="hidden-person")
    InvolvementFactory(event=draft, participant=hidden)
    InvolvementFactory(event=draft, participant=carney)
    StatementFactory(event=draft, speaker=carney, text="Draft words.")
    return {"meeting": meeting, "summit": summit, "draft": draft, "trade": trade}


# Events


def test_events_list_holds_published_events_in_date_order(client, world):
    data = get(client, "/api/events")

    assert data["count"] == 2
    assert [event["slug"] for event in data["results"]] == ["meeting", "summit"]
    meeting = data["results"][0]
    assert meeting["url"] == "http://testserver/events/meeting/"
    assert meeting["start"] == "2025-05-06"
    assert meeting["date"] == "6 May 2025"
    assert meeting["statement_count"] == 2
    assert meeting["source_count"] == 1
    assert [topic["slug"] for topic in meeting["topics"]] == ["trade"]
    assert {(p["participant"]["slug"], p["part"]) for p in meeting["participants"]} == {
        ("mark-carney", "guest"),
        ("donald-trump", "host"),
    }
    summit = data["results"][1]
    assert (summit["start"], summit["date_precision"], summit["date"]) == ("2025-06", "month", "June 2025")


def test_events_list_takes_the_timelines_filters(client, world):
    assert [e["slug"] for e in get(client, "/api/events?participant=mark-carney")["results"]] == ["meeting"]
    assert [e["slug"] for e in get(client, "/api/events?topic=trade")["results"]] == ["meeting"]
    assert [e["slug"] for e in get(client, "/api/events?start=2025-06")["results"]] == ["summit"]
    assert [e["slug"] for e in get(client, "/api/events?sort=newest")["results"]] == ["summit", "meeting"]
    assert [e["slug"] for e in get(client, "/api/events?q=summit")["results"]] == ["summit"]
    assert get(client, "/api/events?participant=hidden-person", status=400)["errors"] == [
        {"parameter": "participant", "location": "query", "message": "unknown value: 'hidden-person'"}
    ]


def test_events_list_is_paginated_with_links(client, world):
    first = get(client, "/api/events?page_size=1&topic=")
    assert [e["slug"] for e in first["results"]] == ["meeting"]
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/events?page_size=1&topic=&page=2"

    second = get(client, first["next"])
    assert [e["slug"] for e in second["results"]] == ["summit"]
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/events?page_size=1&topic=&page=1"

    past_the_end = get(client, "/api/events?page=9")
    assert (past_the_end["count"], past_the_end["results"]) == (2, [])


@pytest.mark.parametrize(
    "url",
    [
        "/api/events?sort=newest",
        "/api/events?topic=trade&start=1900",
        "/api/statements",
        "/api/statements?speaker=donald-trump",
        "/api/participants",
        "/api/sources",
        "/api/topics",
    ],
)
def test_pages_of_one_hold_the_whole_list_once_in_order_with_their_counts(client, world, url):
    """Each page reads its rows' ids first, then those rows in full with their counts (timeline.paging.page_of):
    the pages must still add up to the list, as filtered, ordered and counted in one page."""
    grow(world, 3)
    for event in Event.objects.exclude(slug="draft"):
        event.topics.add(world["trade"])
    # First in order, and on no list: the page is counted among the rows the list holds, not among all rows.
    SourceFactory(title="0 Cited by no one")
    TopicFactory(name="0 On no event")
    joined = "&" if "?" in url else "?"
    whole = get(client, f"{url}{joined}page_size=200")
    assert whole["count"] == len(whole["results"]) > 1
    pages = [get(client, f"{url}{joined}page_size=1&page={n}") for n in range(1, whole["count"] + 1)]
    assert [page["results"][0] for page in pages] == whole["results"]
    assert {page["count"] for page in pages} == {whole["count"]}


@pytest.mark.parametrize("url", ["/api/events", "/api/statements", "/api/sources"])
def test_a_deep_page_reads_in_full_only_its_own_rows(client, world, url):
    """Page 1,800 of the events computed the statement and source counts of the 89,950 events before it (1.5 s at
    100,000 events): the rows skipped are skipped in a query of their ids alone."""
    grow(world, 3)
    with CaptureQueriesContext(connection) as queries:
        data = get(client, f"{url}?page_size=1&page=3")
    assert len(data["results"]) == 1
    skipping = [query["sql"] for query in queries if "OFFSET" in query["sql"].upper()]
    assert skipping, "the page skips no rows"
    for sql in skipping:
        subquery = sql.upper().find("IN (SELECT")
        assert -1 < subquery < sql.upper().index("OFFSET"), sql


def test_pages_stop_reaching_at_a_bound_and_say_where_everything_is(client, world, monkeypatch):
    """Past MAX_RESULTS a page would make the database read every row before it; the full downloads hold all."""
    monkeypatch.setattr("timeline.api_schemas.MAX_RESULTS", 1)
    first = get(client, "/api/events?page_size=1")
    assert (first["count"], first["next"]) == (2, None)
    refused = get(client, "/api/events?page_size=1&page=2", status=400)
    assert refused["errors"] == [
        {
            "parameter": "page",
            "location": "query",
            "message": "pages reach the first 1 results: narrow the filters, or download everything from "
            "http://testserver/export/full/",
        }
    ]
    in_french = get(client, "/api/events?page_size=1&page=2&lang=fr", status=400)
    assert in_french["errors"][0]["message"] == (
        "les pages s’arrêtent aux 1 premiers résultats\u00a0: resserrez les filtres ou téléchargez l’ensemble des "
        "données à http://testserver/fr/export/full/"
    )
    # Past the end, a page is empty, as before.
    assert get(client, "/api/events?page_size=1&page=3")["results"] == []


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=99999999999999999999", "page"),
        ("page_size=201", "page_size"),
        ("start=2025-13-45", "start"),
        ("end=yesterday", "end"),
        ("topic=no-such-topic", "topic"),
        ("type=picnic", "type"),
        ("country=Canada", "country"),
        ("country=ZZ", "country"),
        ("has_statements=maybe", "has_statements"),
        ("sort=sideways", "sort"),
        ("q=" + "x" * 201, "q"),
        ("q=nul%00byte", "q"),
    ],
)
def test_invalid_parameters_get_a_400_naming_them(client, world, query, parameter):
    data = get(client, f"/api/events?{query}", status=400)

    assert [error["parameter"] for error in data["errors"]] == [parameter]
    assert parameter in data["detail"]
    assert data["errors"][0]["message"]


@pytest.mark.parametrize(
    ("url", "unknown"),
    [
        ("/api/events?participnat=mark-carney", ["participnat"]),
        ("/api/events?topic=trade&Topic=trade&colour=red&colour=blue", ["Topic", "colour"]),
        ("/api/events?participnat=mark-carney&start=2025-13-45", ["participnat", "start"]),
        # The statements are in the order they were said: the timeline's order is not one of their parameters.
        ("/api/statements?sort=newest", ["sort"]),
        ("/api/statements?speaker=mark-carney&speakers=donald-trump", ["speakers"]),
        ("/api/participants?q=carney", ["q"]),
        ("/api/sources?topic=trade", ["topic"]),
        ("/api/topics?page_sise=1", ["page_sise"]),
    ],
)
def test_a_parameter_a_list_does_not_take_gets_a_400_naming_it(client, world, url, unknown):
    """A misspelt name was ignored: /api/events?participnat=mark-carney answered 200 with every event."""
    data = get(client, url, status=400)

    assert [error["parameter"] for error in data["errors"]] == unknown
    assert data["detail"] == f"Invalid parameter: {', '.join(unknown)}."
    assert data["errors"][0] == {
        "parameter": unknown[0],
        "location": "query",
        "message": data["errors"][0]["message"],
    }
    assert data["errors"][0]["message"].startswith("no such parameter here; the parameters are ")


def test_a_parameter_a_list_does_not_take_is_named_in_the_language_asked_for(client, world):
    data = get(client, "/api/participants?lang=fr&sort=newest", status=400)
    assert data["detail"] == "Param\u00e8tre invalide\u00a0: sort."
    assert data["errors"][0]["message"] == (
        "aucun param\u00e8tre de ce nom ici\u00a0; les param\u00e8tres sont page, page_size, lang"
    )


def test_every_parameter_a_list_documents_is_taken(client, world):
    """What the schema documents for each list, all given at once (blank, as an empty form field sends it): no
    400, so that refusing the parameters a list does not take refuses none it does."""
    schema = client.get("/api/openapi.json").json()
    lists = [path for path in schema["paths"] if "{" not in path and path != "/api/openapi.json"]
    assert lists == ["/api/events", "/api/statements", "/api/participants", "/api/sources", "/api/topics"]
    for path in lists:
        names = [parameter["name"] for parameter in schema["paths"][path]["get"]["parameters"]]
        assert {"page", "page_size", "lang"} <= set(names)
        query = "&".join(f"{name}={'1' if name.startswith('page') else ''}" for name in names)
        assert get(client, f"{path}?{query}")["page"] == 1


@pytest.mark.parametrize(
    ("query", "english", "french"),
    [
        ("page=abc", "a whole number", "un nombre entier"),
        ("page=1.5", "a whole number", "un nombre entier"),
        ("page=0", "at least 1", "au moins 1"),
        ("page_size=201", "at most 200", "au plus 200"),
        ("page=100001", "at most 100,000", "au plus 100\u00a0000"),
    ],
)
def test_a_refused_number_is_explained_in_the_language_asked_for(client, world, query, english, french):
    """pydantic explains in English only ("Input should be less than or equal to 200")."""
    assert get(client, f"/api/events?{query}", status=400)["errors"][0]["message"] == english
    assert get(client, f"/api/events?{query}&lang=fr", status=400)["errors"][0]["message"] == french


def test_event_detail_has_people_statements_sources_and_corrections(client, world):
    data = get(client, "/api/events/meeting")

    assert data["title"] == "Meeting"
    roles = {p["participant"]["slug"]: p["role"] for p in data["participants"]}
    assert roles == {"mark-carney": "Prime Minister of Canada", "donald-trump": None}
    assert [s["text"] for s in data["statements"]] == ["Not for sale.", "Two to tango."]
    assert data["statements"][0]["speaker"]["slug"] == "mark-carney"
    assert [s["slug"] for s in data["statements"][0]["sources"]] == ["cbc"]
    assert [s["title"] for s in data["sources"]] == ["CBC report"]
    assert data["corrections"] == [{"published_on": "2025-05-08", "note": "The date was corrected."}]


def test_draft_event_is_not_found(client, world):
    data = get(client, "/api/events/draft", status=404)
    assert data["detail"] == "No published event has this slug."
    assert get(client, "/api/events/Bad%20Slug!", status=400)["errors"][0]["parameter"] == "slug"


# Statements


def test_statements_are_published_ones_of_the_events_the_timelines_filters_select(client, world):
    texts = lambda url: [s["text"] for s in get(client, url)["results"]]  # noqa: E731

    assert texts("/api/statements") == ["Not for sale.", "Two to tango.", "Some time in June."]
    # The timeline's parameters choose events: here, those Carney took part in, whoever spoke.
    assert texts("/api/statements?participant=mark-carney") == ["Not for sale.", "Two to tango."]
    assert texts("/api/statements?topic=trade") == ["Not for sale.", "Two to tango."]
    assert texts("/api/statements?start=2025-06&q=summit") == ["Some time in June."]
    # speaker and language choose among the statements themselves.
    assert texts("/api/statements?speaker=mark-carney") == ["Not for sale."]
    assert texts("/api/statements?speaker=donald-trump&language=fr") == ["Some time in June."]
    assert texts("/api/statements?participant=mark-carney&speaker=donald-trump") == ["Two to tango."]
    assert get(client, "/api/statements?language=de", status=400)["errors"][0]["parameter"] == "language"
    assert get(client, "/api/statements?start=2025-13", status=400)["errors"][0]["parameter"] == "start"
    assert get(client, "/api/statements?speaker=hidden-person", status=400)["errors"][0]["parameter"] == "speaker"


def test_a_statement_with_no_date_of_its_own_is_listed_on_its_events_day_as_on_the_statements_index(client, world):
    StatementFactory(event=world["meeting"], text="Undated.", said_on=None)
    texts = [s["text"] for s in get(client, "/api/statements")["results"]]
    assert texts == ["Not for sale.", "Two to tango.", "Undated.", "Some time in June."]


def test_the_unfiltered_statements_read_their_total_as_the_database_keeps_it(client, world):
    # Counted, it read every published statement: 100 ms of the 490 the first page took at 100,000 events.
    with CaptureQueriesContext(connection) as queries:
        data = get(client, "/api/statements")
    assert data["count"] == 3
    assert not [query for query in queries if "COUNT(" in query["sql"].upper()]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("language=fr", ["Some time in June."]),
        ("language=en", ["Not for sale.", "Two to tango."]),
        ("speaker=mark-carney", ["Not for sale."]),
        ("speaker=mark-carney&language=fr", []),
        ("speaker=donald-trump&language=fr&language=en", ["Two to tango.", "Some time in June."]),
        ("speaker=mark-carney&speaker=donald-trump&language=en", ["Not for sale.", "Two to tango."]),
    ],
)
def test_a_speaker_s_or_a_language_s_total_is_read_as_the_database_keeps_it(client, world, query, expected):
    """Counted, the French statements' 45,000 were each read for their event's status (79 ms at 100,000 events).
    The draft's statements, Carney's in English and Trump's in French, count nowhere."""
    trump = Participant.objects.get(slug="donald-trump")
    StatementFactory(event=world["draft"], speaker=trump, text="Brouillon.", language="fr")
    with CaptureQueriesContext(connection) as queries:
        data = get(client, f"/api/statements?{query}")
    assert [s["text"] for s in data["results"]] == expected
    assert data["count"] == len(expected)
    assert not [query for query in queries if "COUNT(*)" in query["sql"].upper()]
    assert [query for query in queries if "timeline_statementcount" in query["sql"]]


def test_the_statements_of_a_date_range_are_read_by_their_events_not_walked_in_the_order_said(client, world):
    """The API's statements since 2025 were found by walking the index of the order said from the first statement
    ever said: 198,327 statements walked for the page's 50 at 100,000 events (350 ms on PostgreSQL), since the
    planner takes a date range's statements to be spread through that order. Sorting is made dear and scanning
    whole forbidden, so that the plan shows whether that index is walked."""
    StatementFactory(event=world["summit"], text="Undated, in June.", said_on=None)
    with recorded() as queries:
        data = get(client, "/api/statements?start=2025-05&page_size=2&page=2")
    assert data["count"] == 4
    # In the order said, as the statements index lists them: on the same day, in the order written.
    assert [s["text"] for s in data["results"]] == ["Some time in June.", "Undated, in June."]
    sql, params = next((sql, params) for sql, params in queries if '"timeline_statement"."text"' in sql)  # the page
    plan = ordered_plan(sql, params, analyze="timeline_statement")
    assert "statement_sort_date_idx" not in plan, plan


def test_a_date_range_selects_the_statements_of_every_published_event_overlapping_it(client, world):
    """SQLite reads a date range alone from the keys with their events' dates, PostgreSQL from the events: both
    select what the timeline's range selects, a range that began before it included, a draft's never."""
    talks = EventFactory(slug="talks", start_date=D(2025, 4, 20), end_date=D(2025, 5, 10))
    StatementFactory(event=talks, text="Still talking.", said_on=D(2025, 4, 21))
    StatementFactory(event=EventFactory(slug="quiet", start_date=D(2025, 5, 20)), text="Nothing said.", said_on=None)
    StatementFactory(event=DraftEventFactory(start_date=D(2025, 5, 7)), text="Not yet public.")
    texts = lambda url: [s["text"] for s in get(client, url)["results"]]  # noqa: E731

    assert texts("/api/statements?start=2025-05") == [
        "Still talking.",
        "Not for sale.",
        "Two to tango.",
        "Nothing said.",
        "Some time in June.",
    ]
    assert texts("/api/statements?end=2025-04") == ["Still talking."]
    assert texts("/api/statements?start=2025-05-11&end=2025-05-31") == ["Nothing said."]
    assert get(client, "/api/statements?start=2025-05-11")["count"] == 2
    assert texts("/api/statements?start=2026") == []
    assert [e["slug"] for e in get(client, "/api/events?start=2025-05")["results"]] == [
        "talks",
        "meeting",
        "quiet",
        "summit",
    ]


def test_a_search_alone_selects_the_statements_of_the_published_events_it_finds_by_their_ids(client, world):
    """The events a search finds are read once, published ones only, and their statements selected by those ids,
    sent as one parameter: selected as published events, every published event was read first (the statements of
    "tariffs" at 100,000 events: 122 ms)."""
    texts = lambda url: [s["text"] for s in get(client, url)["results"]]  # noqa: E731

    with CaptureQueriesContext(connection) as queries:
        assert texts("/api/statements?q=meeting") == ["Not for sale.", "Two to tango."]
    statements = [query["sql"] for query in queries if 'FROM "timeline_statement"' in query["sql"]]
    assert len(statements) == 2  # the total, the page
    assert [sql for sql in statements if '"timeline_event" U0' in sql or "timeline_event V0" in sql] == []
    assert texts("/api/statements?q=draft") == []  # only the draft is found: none of its statements
    assert texts("/api/statements?q=summit&language=fr") == ["Some time in June."]
    assert get(client, "/api/statements?q=or", status=400)["errors"][0]["parameter"] == "q"  # nothing to look for


def test_the_statements_of_the_events_selected_are_published_ones_without_asking_each_again(client, world):
    """A statement is published as its event is: the events the timeline's parameters select are all published, so
    the statements of those events are not asked again whether theirs is (a join of every published event, 30 to 50
    ms of the statements since 1935 at 100,000 events). Without a selection, each is asked."""
    with CaptureQueriesContext(connection) as queries:
        assert get(client, "/api/statements?topic=trade")["count"] == 2
    statements = [query["sql"] for query in queries if 'FROM "timeline_statement"' in query["sql"]]
    assert len(statements) == 2  # the total, the page
    assert [sql for sql in statements if "EXISTS" in sql] == []
    # Drafts' statements stay out whichever way: unfiltered, filtered by their own parameters, or unbound.
    assert get(client, "/api/statements?speaker=mark-carney")["count"] == 1
    assert get(client, "/api/statements")["count"] == 3
    assert "Draft words." not in [statement.text for statement in StatementFilter().qs]


# Participants, sources, topics


def test_participants_are_those_the_public_can_see(client, world):
    data = get(client, "/api/participants")
    assert [p["slug"] for p in data["results"]] == ["donald-trump", "mark-carney"]

    carney = get(client, "/api/participants/mark-carney")
    assert carney["roles"][0]["title"] == "Prime Minister of Canada"
    assert carney["roles"][0]["start"] == "2025-03-14"
    get(client, "/api/participants/hidden-person", status=404)


def test_sources_are_those_cited_by_something_public(client, world):
    assert [s["slug"] for s in get(client, "/api/sources")["results"]] == ["cbc"]


def test_the_cited_sources_are_read_from_the_kept_keys_not_recomputed_from_every_citation(world):
    # Recomputed, they joined every event's and every statement's citations: /sources/ grouped them for 1 to 3 s at
    # 100,000 events. The database keeps them with the events' facet keys (timeline/eventkeys.py).
    sql = str(Source.objects.cited().query)
    assert "timeline_facetcount" in sql
    assert "timeline_statement" not in sql and "timeline_event" not in sql
    assert sorted(Source.objects.cited().values_list("slug", flat=True)) == ["cbc"]


def test_sources_say_their_kind_and_whether_the_title_only_describes_the_page(client):
    EventFactory(
        sources=[
            SourceFactory(slug="order", kind="primary"),
            SourceFactory(slug="described", kind="wire", title="Ford on the surcharge", title_is_descriptive=True),
        ]
    )
    sources = {s["slug"]: s for s in get(client, "/api/sources")["results"]}
    assert (sources["order"]["kind"], sources["order"]["title_is_descriptive"]) == ("primary", False)
    assert (sources["described"]["kind"], sources["described"]["title_is_descriptive"]) == ("wire", True)


def test_topics_are_those_with_published_events_counted_without_drafts(client, world):
    assert get(client, "/api/topics")["results"] == [
        {
            "slug": "trade",
            "name": "Trade",
            "url": "http://testserver/topics/trade/",
            "description": "",
            "event_count": 1,
        }
    ]


# HTTP behaviour


def test_responses_support_conditional_get_and_cross_origin_reads(client, world):
    response = client.get("/api/events", headers={"Origin": "https://news.example"})
    assert response["ETag"]
    assert response["Access-Control-Allow-Origin"] == "*"

    assert client.get("/api/events", headers={"If-None-Match": response["ETag"]}).status_code == 304
    world["summit"].title = "Summit, renamed"
    world["summit"].save()
    assert client.get("/api/events", headers={"If-None-Match": response["ETag"]}).status_code == 200


def test_schema_documents_every_operation_and_its_errors(client):
    schema = client.get("/api/openapi.json").json()

    assert schema["openapi"].startswith("3.")
    for path, operations in schema["paths"].items():
        assert "400" in operations["get"]["responses"], path
        if "{slug}" in path:
            assert "404" in operations["get"]["responses"], path
        # Every operation answers in English or French.
        assert "lang" in {p["name"] for p in operations["get"]["parameters"]}, path
    timeline = {"q", "start", "end", "participant", "topic", "type", "country", "has_statements"}
    parameters = {p["name"] for p in schema["paths"]["/api/events"]["get"]["parameters"]}
    assert parameters == {"page", "page_size", "sort", "lang"} | timeline
    parameters = {p["name"] for p in schema["paths"]["/api/statements"]["get"]["parameters"]}
    assert parameters == {"page", "page_size", "speaker", "language", "lang"} | timeline
    assert client.get("/api/docs").status_code == 200


# Query counts


def grow(world, n):
    for _ in range(n):
        event = EventFactory(topics=[TopicFactory()], sources=[SourceFactory()])
        InvolvementFactory(event=event)
        StatementFactory(event=event, sources=[SourceFactory()])


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # Each first reads the data version (timeline.caching), then:
        # count, page of events (counts as subqueries), topics, involvements with participants, top statement
        ("/api/events", 6),
        # count, page of statements with speaker and event, their sources
        ("/api/statements", 4),
        ("/api/participants", 3),
        ("/api/sources", 3),
        ("/api/topics", 3),
    ],
)
def test_list_query_count_does_not_grow_with_the_page(client, world, django_assert_num_queries, url, queries):
    """Guards against an N+1 per listed item (a topic, participant or source query for each)."""
    with django_assert_num_queries(queries):
        client.get(url)
    grow(world, 4)
    with django_assert_num_queries(queries):
        client.get(url)


def test_event_detail_query_count_does_not_grow_with_its_contents(client, world, django_assert_num_queries):
    """Guards against a query per participant (their roles), per statement (its sources) or per source.

    The data version (timeline.caching), the event with its counts, then one each: topics, sources, corrections,
    involvements with participants, their roles, statements with speakers and events, and the statements' sources.
    """
    event = world["meeting"]
    with django_assert_num_queries(9):
        client.get("/api/events/meeting")
    for _ in range(4):
        participant = ParticipantFactory()
        RoleFactory(participant=participant)
        InvolvementFactory(event=event, participant=participant)
        StatementFactory(event=event, speaker=participant, sources=[SourceFactory()])
        event.sources.add(SourceFactory())
        Correction.objects.create(event=event, note="Another.")
    with django_assert_num_queries(9):
        client.get("/api/events/meeting")


def test_participants_and_topics_are_listed_in_the_order_readers_expect(client, names_to_order):
    """Byte order on SQLite put "Défense" after "Droits", "Élections" after "Trade" and "John" before "Joël"."""
    french, english, people = names_to_order
    assert [topic["slug"] for topic in get(client, "/api/topics?lang=fr")["results"]] == french
    assert [topic["slug"] for topic in get(client, "/api/topics")["results"]] == english
    assert [person["name"] for person in get(client, "/api/participants?page_size=5")["results"]] == people[:5]
    assert [person["name"] for person in get(client, "/api/participants?page_size=5&page=2")["results"]] == people[5:]


@pytest.mark.parametrize("url", ["/api/events/a%2Fb", "/api/nothing", "/api/events/meeting/extra"])
def test_unknown_api_paths_get_a_json_404(client, url):
    assert "No API endpoint" in get(client, url, status=404)["detail"]


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("/api/events/nope", "Aucun événement publié ne porte cet identifiant."),
        ("/api/participants/nope", "Aucun participant public ne porte cet identifiant."),
        (
            "/api/nope",
            "Aucun point de terminaison de l’API à cette adresse\u00a0; la liste se trouve à /api/openapi.json.",
        ),
    ],
)
def test_not_found_is_said_in_the_language_asked(client, url, detail):
    """The 400s were French with lang=fr, the 404s English."""
    assert get(client, f"{url}?lang=fr", status=404)["detail"] == detail


def test_a_participants_role_is_the_one_held_at_some_point_of_the_events_month(client, world):
    """The API chooses a role as the event page does: any day of the event's period counts, not its first alone."""
    trump = Participant.objects.get(slug="donald-trump")
    RoleFactory(participant=trump, title="President of the United States", start=None, attested_on=D(2025, 6, 16))
    data = get(client, "/api/events/summit")
    assert [p["role"] for p in data["participants"]] == ["President of the United States"]


def test_filtered_statements_read_their_parameters_once(client, world):
    # The slugs are looked up once each: reading the parameters a second time to decide whether anything was
    # filtered looked them up again (2 more queries).
    with CaptureQueriesContext(connection) as queries:
        get(client, "/api/statements?speaker=mark-carney&participant=donald-trump")
    lookups = [query for query in queries if 'FROM "timeline_participant"' in query["sql"] and "slug" in query["sql"]]
    assert len(lookups) == 2  # the speaker's, the participant's


def every_page(client, url: str) -> tuple[int, list[dict]]:
    """The count and every result of a list, page after page."""
    data = get(client, url)
    count, results = data["count"], list(data["results"])
    while data["next"]:
        data = get(client, data["next"])
        assert data["count"] == count
        results += data["results"]
    return count, results


@pytest.mark.parametrize(
    "dates", ["start=2024-06", "start=2024-06&end=2024-12", "end=2024-06-30", "start=2024-08-02&end=2024-08-02"]
)
def test_a_search_and_dates_list_the_statements_of_the_events_the_timeline_lists_for_them(client, dates):
    """The events a word finds that overlap the range, read once: one running into it, one found through a statement,
    none before it, after it, without the word, or a draft. Each page of two reads the same total."""
    shapes = [  # (title, start, end, statement texts)
        ("Lumber dispute", D(2020, 1, 1), D(2024, 9, 1), ["A long quarrel.", "Still going."]),
        ("Lumber talks", D(2024, 7, 1), None, ["We met.", "We met again."]),
        ("Lumber tariffs", D(2023, 1, 1), None, ["Too early."]),
        ("Steel talks", D(2024, 8, 1), None, ["Softwood lumber matters too.", "And steel."]),
        ("Dairy talks", D(2024, 8, 2), None, ["Milk."]),
        ("Lumber in 2025", D(2025, 2, 1), None, ["Later on."]),
    ]
    for title, start, end, texts in shapes:
        event = EventFactory(title=title, start_date=start, end_date=end)
        for n, text in enumerate(texts):
            StatementFactory(event=event, text=text, said_on=start + datetime.timedelta(days=40 * n))
    draft = DraftEventFactory(title="Lumber draft", start_date=D(2024, 8, 2))
    StatementFactory(event=draft, text="A draft's words.", said_on=D(2024, 8, 2))

    _, events = every_page(client, f"/api/events?q=lumber&{dates}&page_size=200")
    listed = Statement.objects.filter(event__slug__in=[event["slug"] for event in events])
    expected = [statement.text for statement in listed.order_by("sort_date", "pk")]
    count, statements = every_page(client, f"/api/statements?q=lumber&{dates}&page_size=2")
    assert [statement["text"] for statement in statements] == expected and count == len(expected)
    assert expected and "A draft's words." not in expected and "Milk." not in expected
