"""The downloads (iCalendar, CSV, TimelineJS) and the embeddable timeline, through their URLs."""

import csv
import datetime
import io
import json
import re

import icalendar
import pytest

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from tests.htmlparse import elements
from timeline import slots

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def world():
    trade = TopicFactory(slug="trade", name="Trade")
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    meeting = EventFactory(slug="meeting", title="Meeting", start_date=D(2025, 5, 6), topics=[trade])
    InvolvementFactory(event=meeting, participant=carney)
    StatementFactory(event=meeting, speaker=carney, text="Not for sale.")
    EventFactory(slug="election", title="Election", start_date=D(2025, 4, 1), date_precision="month")
    EventFactory(
        slug="treaty",
        title="Treaty",
        start_date=D(1854, 1, 1),
        date_precision="year",
        end_date=D(1866, 1, 1),
        end_precision="year",
    )
    draft = DraftEventFactory(slug="draft", title="Secret draft", topics=[trade])
    InvolvementFactory(event=draft, participant=carney)
    StatementFactory(event=draft, speaker=carney, text="Secret words.")


def test_ics_download_is_the_filtered_calendar(client, world):
    response = client.get("/export/events.ics?topic=trade")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="timeline-events.ics"'
    (vevent,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert vevent["SUMMARY"] == "Meeting"
    assert vevent["URL"] == "http://testserver/events/meeting/"


def test_ics_all_day_events_span_their_precision(client, world):
    calendar = icalendar.Calendar.from_ical(client.get("/export/events.ics").content)
    spans = {str(e["SUMMARY"]): (e.decoded("DTSTART"), e.decoded("DTEND")) for e in calendar.walk("VEVENT")}

    assert spans == {
        "Treaty": (D(1854, 1, 1), D(1867, 1, 1)),
        "Election": (D(2025, 4, 1), D(2025, 5, 1)),
        "Meeting": (D(2025, 5, 6), D(2025, 5, 7)),
    }


def test_an_event_in_december_9999_is_in_every_download(client, world):
    """A month-precision event in December 9999 made the whole calendar a 500: its month has no day after it."""
    EventFactory(slug="far", title="Far future", start_date=D(9999, 12, 1), date_precision="month")
    EventFactory(slug="first", title="First", start_date=D(1, 1, 1), date_precision="year")
    calendar = icalendar.Calendar.from_ical(client.get("/export/events.ics?start=9999").content)
    [far] = calendar.walk("VEVENT")
    assert far.decoded("DTSTART") == D(9999, 12, 1) and far.decoded("DURATION") == datetime.timedelta(days=31)
    assert "DTEND" not in far
    calendar = icalendar.Calendar.from_ical(client.get("/export/events.ics?end=0001").content)
    [first] = calendar.walk("VEVENT")
    assert (first.decoded("DTSTART"), first.decoded("DTEND")) == (D(1, 1, 1), D(2, 1, 1))
    rows = list(csv.DictReader(io.StringIO(client.get("/export/events.csv").content.decode())))
    assert [(row["slug"], row["start_date"]) for row in rows if row["slug"] in ("far", "first")] == [
        ("first", "0001"),
        ("far", "9999-12"),
    ]
    events = json.loads(client.get("/export/timeline.json?start=9999").content)["events"]
    assert [event["start_date"] for event in events] == [{"year": 9999, "month": 12}]


def test_events_csv_download(client, world):
    response = client.get("/export/events.csv?start=2025")

    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response["Content-Disposition"] == 'attachment; filename="timeline-events.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert [row["slug"] for row in rows] == ["election", "meeting"]


def test_statements_csv_download_filters_like_the_api(client, world):
    StatementFactory(event__slug="other", speaker__slug="someone-else", text="Other words.")
    response = client.get("/export/statements.csv?speaker=mark-carney")

    assert response["Content-Disposition"] == 'attachment; filename="timeline-statements.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert [row["text"] for row in rows] == ["Not for sale."]


def test_timelinejs_export_follows_the_documented_format(client, world):
    response = client.get("/export/timeline.json", headers={"Origin": "https://news.example"})

    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = json.loads(response.content)
    assert data["title"]["text"]["headline"] == "Canada–U.S. relations"
    events = {event["unique_id"]: event for event in data["events"]}
    assert list(events) == ["treaty", "election", "meeting"]
    assert events["treaty"]["start_date"] == {"year": 1854}
    assert events["treaty"]["end_date"] == {"year": 1866}
    assert events["election"]["start_date"] == {"year": 2025, "month": 4}
    assert "end_date" not in events["election"]
    assert events["meeting"]["start_date"] == {"year": 2025, "month": 5, "day": 6}
    for event in data["events"]:
        assert set(event["text"]) == {"headline", "text"}
        assert event["group"] == "Meeting"
        assert event["display_date"]


@pytest.mark.parametrize("url", ["/export/events.ics", "/export/events.csv", "/export/timeline.json"])
def test_event_downloads_refuse_invalid_filters_naming_them(client, world, url):
    response = client.get(f"{url}?start=2025-02-30&participant=nobody")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("Invalid parameter: start, participant\n")
    assert "start: no such date" in text
    assert "participant: unknown value: 'nobody'" in text


@pytest.mark.parametrize(
    "url", ["/export/events.ics", "/export/events.csv", "/export/timeline.json", "/export/statements.csv"]
)
def test_downloads_refuse_a_country_no_participant_of_a_published_event_is_from(client, world, url):
    """A well-formed code gave an empty file, as if nothing had happened in that country."""
    response = client.get(f"{url}?country=ZZ&country=ca")
    assert response.status_code == 400
    assert response.content.decode() == "Invalid parameter: country\ncountry: unknown value: 'ZZ'\n"


@pytest.mark.parametrize(
    "url", ["/export/events.ics", "/export/events.csv", "/export/timeline.json", "/export/statements.csv"]
)
def test_downloads_refuse_a_parameter_they_do_not_take_naming_it(client, world, url):
    """A misspelt name was ignored: /export/events.csv?participnat=mark-carney held every event."""
    response = client.get(f"{url}?participnat=mark-carney&topic=trade")
    assert response.status_code == 400
    lines = response.content.decode().splitlines()
    assert lines[0] == "Invalid parameter: participnat"
    assert lines[1].startswith("participnat: no such parameter here; the parameters are ")
    assert "q, start, end, participant, topic, type, country, has_statements" in lines[1]
    assert lines[1].endswith(", page")


def test_the_statements_download_refuses_the_timelines_order_and_the_timeline_links_it_without(client, world):
    """The statements are in the order they were said, whatever the timeline's: `sort` is not theirs to take."""
    response = client.get("/export/statements.csv?sort=newest")
    assert response.status_code == 400
    assert response.content.decode().startswith("Invalid parameter: sort\nsort: no such parameter here;")
    links = export_hrefs(client.get("/?topic=trade&sort=newest").content.decode())
    assert links["Their statements (CSV)"] == "/export/statements.csv?topic=trade"
    assert links["Events (CSV)"] == "/export/events.csv?topic=trade&sort=newest"
    for label in ["Events (CSV)", "Their statements (CSV)", "Calendar (iCalendar)", "TimelineJS (JSON)", "JSON API"]:
        assert client.get(links[label]).status_code == 200, label


def test_statements_download_refuses_invalid_filters_naming_them(client, world):
    response = client.get("/export/statements.csv?language=xx&topic=nope")
    assert response.status_code == 400
    assert response.content.decode().startswith("Invalid parameter: language, topic\n")


def test_statements_download_with_the_timelines_filters_holds_those_events_statements(client, world):
    StatementFactory(event__slug="other", speaker__slug="someone-else", text="Other words.")
    rows = list(csv.DictReader(io.StringIO(client.get("/export/statements.csv?topic=trade").content.decode())))
    assert [row["text"] for row in rows] == ["Not for sale."]


@pytest.mark.parametrize(
    "url", ["/export/events.ics", "/export/events.csv", "/export/statements.csv", "/export/timeline.json"]
)
def test_downloads_support_conditional_get(client, world, url):
    etag = client.get(url)["ETag"]
    assert etag
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # the data version (timeline.caching), then: events (counts as subqueries), topics, involvements with
        # participants (not the quote a timeline card shows)
        ("/export/events.ics", 4),
        ("/export/events.csv", 4),
        ("/export/timeline.json", 4),
        # the data version, statements with speaker and event, their sources
        ("/export/statements.csv", 3),
        ("/embed/", 5),
    ],
)
def test_export_query_count_does_not_grow_with_events(client, world, django_assert_num_queries, url, queries):
    """Guards against a query per exported event (its topics or participants) or statement (its sources)."""
    with django_assert_num_queries(queries):
        client.get(url)
    for _ in range(5):
        event = EventFactory(topics=[TopicFactory()])
        InvolvementFactory(event=event)
        StatementFactory(event=event, sources=[SourceFactory()])
    with django_assert_num_queries(queries):
        client.get(url)


# Bounded: a page of rows at a time, kept per data version, never too many built at once

DOWNLOADS = {
    "/export/events.csv": "timeline-events.csv",
    "/export/statements.csv": "timeline-statements.csv",
    "/export/events.ics": "timeline-events.ics",
    "/export/timeline.json": "timeline.json",
}


def rows_of(response) -> list[str]:
    """The slugs (or, for a calendar, the UIDs) of what a download holds, in order."""
    body = response.content.decode()
    if response["Content-Type"].startswith("text/csv"):
        return [row["slug"] for row in csv.DictReader(io.StringIO(body))]
    if response["Content-Type"].startswith("text/calendar"):
        return [str(event["UID"]) for event in icalendar.Calendar.from_ical(response.content).walk("VEVENT")]
    return [event["unique_id"] for event in json.loads(body)["events"]]


def links(response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response["Link"])}


@pytest.fixture
def seven_events(settings):
    settings.TIMELINE_DOWNLOAD_LIMIT = 3
    for day in range(1, 8):
        StatementFactory(event=EventFactory(slug=f"day-{day}", start_date=D(2025, 5, day)), slug=f"said-{day}")


@pytest.mark.parametrize("url", DOWNLOADS)
def test_a_download_holds_at_most_the_limit_and_links_the_next_page_and_the_whole_dataset(client, seven_events, url):
    """Downloads held every matching row: at 100,000 events a calendar outlasted the workers' 30 s timeout."""
    pages = [client.get(url), client.get(f"{url}?page=2"), client.get(f"{url}?page=3"), client.get(f"{url}?page=4")]
    assert [response.status_code for response in pages] == [200, 200, 200, 200]
    held = [rows_of(response) for response in pages]
    assert [len(rows) for rows in held] == [3, 3, 1, 0]
    assert len(set(sum(held, []))) == 7  # each row once, in the timeline's order
    full = f"http://testserver/export/full/{DOWNLOADS[url]}"
    assert links(pages[0]) == {"next": f"http://testserver{url}?page=2", "related": full}
    assert links(pages[1]) == {
        "next": f"http://testserver{url}?page=3",
        "prev": f"http://testserver{url}?page=1",
        "related": full,
    }
    assert links(pages[2]) == {"prev": f"http://testserver{url}?page=2", "related": full}


@pytest.mark.parametrize("url", DOWNLOADS)
# Not named `page`: that is the browser tests' fixture, whose plugin would take this for a browser test.
@pytest.mark.parametrize("asked", ["0", "-1", "two", "1.5", "10001", "9" * 40, "9" * 5000, "²"])
def test_a_download_refuses_a_page_that_is_not_a_page_number(client, seven_events, url, asked):
    response = client.get(url, {"page": asked})
    assert response.status_code == 400
    assert response.content.decode().startswith("Invalid parameter: page\npage: a page number from 1 to 10,000")


def test_pages_keep_the_filters_in_their_links(client, seven_events):
    response = client.get("/export/events.csv?start=2025-05-02&sort=newest")
    assert rows_of(response) == ["day-7", "day-6", "day-5"]
    assert links(response)["next"] == "http://testserver/export/events.csv?start=2025-05-02&sort=newest&page=2"


@pytest.mark.parametrize("url", DOWNLOADS)
def test_a_download_is_kept_per_data_version(client, seven_events, url, django_assert_num_queries):
    first = client.get(url)
    with django_assert_num_queries(1):  # the data version alone
        again = client.get(url)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    StatementFactory(event=EventFactory(slug="day-0", start_date=D(2025, 4, 30)), said_on=D(2025, 4, 30))
    changed = client.get(url)
    assert changed["ETag"] != first["ETag"] and len(rows_of(changed)) == 3


@pytest.mark.parametrize("url", DOWNLOADS)
def test_while_downloads_take_every_slot_another_is_asked_to_come_back_and_pages_are_served(client, seven_events, url):
    cached = client.get(f"{url}?page=2")
    with slots.slot("downloads", 1):
        refused = client.get(url)
        assert refused.status_code == 429
        assert refused["Retry-After"] == "5"
        assert "no-store" in refused["Cache-Control"]
        assert "/export/full/" in refused.content.decode()
        # A download already kept costs no slot, and the pages are served as ever.
        assert client.get(f"{url}?page=2").content == cached.content
        assert client.get("/").status_code == 200
        assert client.get("/api/events").status_code == 200
    assert client.get(url).status_code == 200


def test_more_slots_let_more_downloads_be_built_at_once(client, seven_events, settings):
    settings.TIMELINE_DOWNLOAD_SLOTS = 2
    with slots.slot("downloads", 2):
        assert client.get("/export/events.csv").status_code == 200


# The embed


def test_embed_may_be_framed_by_other_sites_and_nothing_else_may(client, world):
    embed = client.get("/embed/")
    page = client.get("/")

    assert "X-Frame-Options" not in embed
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_embed_links_open_the_canonical_page_in_the_top_window(client, world):
    response = client.get("/embed/?topic=trade")
    html = response.content.decode()

    links = elements(html, "a")
    assert links
    for link in links:
        assert link["target"] == "_top"
        assert link["href"].startswith("http://testserver/")
    assert "http://testserver/events/meeting/" in [link["href"] for link in links]
    assert "http://testserver/?topic=trade" in [link["href"] for link in links]
    assert elements(html, "base") == [{"target": "_top", "_text": ""}]
    assert "Secret draft" not in html
    assert "Election" not in html


def test_embed_ignores_invalid_filters_with_a_note(client, world):
    response = client.get("/embed/?start=2025-13-45&topic=trade")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Meeting" in html and "Election" not in html
    assert "Ignored the From date" in html


# The timeline links to every export with its filters


def export_hrefs(html) -> dict[str, str]:
    section = html.split('<section class="exports"', 1)[1].split("</section>", 1)[0]
    return {link["_text"]: link["href"] for link in elements(section, "a")}


def test_timeline_links_to_every_export_with_its_filters(client, world):
    response = client.get("/?topic=trade&start=2025-13-45&participant=mark-carney&page=2&utm_source=x")
    links = export_hrefs(response.content.decode())

    query = "?participant=mark-carney&topic=trade"  # the filters in force; no page, no ignored date
    assert links == {
        "Events (CSV)": f"/export/events.csv{query}",
        "Their statements (CSV)": f"/export/statements.csv{query}",
        "Calendar (iCalendar)": f"/export/events.ics{query}",
        "TimelineJS (JSON)": f"/export/timeline.json{query}",
        "JSON API": f"/api/events{query}",
        "documentation": "/api/docs",
        # The feed and the calendar follow these events, not the whole timeline.
        "New events like these (Atom feed)": f"/feeds/events/{query}",
        "Subscribe to these events in your calendar": f"webcal://testserver/export/events.ics{query}",
        "Download them once (iCalendar)": f"/export/events.ics{query}",
        "Corrections (Atom feed)": "/feeds/corrections/",
        "Preview the embed": f"/embed/{query}",
        "Choose its dates, order, number of events and height": f"/embed/build/{query}",
        # The whole dataset, whatever the filters: the downloads above hold a page of rows at a time.
        "events (CSV)": "/export/full/timeline-events.csv",
        "statements (CSV)": "/export/full/timeline-statements.csv",
        "calendar": "/export/full/timeline-events.ics",
        "TimelineJS": "/export/full/timeline.json",
    }
    assert "Each download holds up to 5,000 rows; the next ones follow a page at a time." in response.content.decode()
    (code,) = elements(response.content, "textarea")
    src = query.replace("&", "&amp;")  # as HTML writes it
    assert code["_text"].startswith(f'<iframe src="http://testserver/embed/{src}" title="Timeline: ')
    # Each link gives the same events as the page.
    rows = list(csv.DictReader(io.StringIO(client.get(links["Events (CSV)"]).content.decode())))
    assert [row["slug"] for row in rows] == ["meeting"]


def test_export_links_follow_the_filters_in_an_htmx_update(client, world):
    response = client.get("/?type=meeting", headers={"HX-Request": "true", "HX-Target": "results"})
    assert export_hrefs(response.content.decode())["Events (CSV)"] == "/export/events.csv?type=meeting"


def test_unfiltered_timeline_links_to_the_whole_exports(client, world):
    links = export_hrefs(client.get("/").content.decode())
    assert links["Calendar (iCalendar)"] == "/export/events.ics"
    assert links["Preview the embed"] == "/embed/"


# The embed's own parameters, and the builder of its code


def embed_titles(response) -> list[str]:
    return [link["_text"] for link in elements(response.content, "a") if link.get("target") == "_top"][1:-1]


def test_the_embed_lists_as_many_events_as_asked_from_the_latest_if_asked(client, world):
    assert embed_titles(client.get("/embed/")) == ["Treaty", "Election", "Meeting"]
    assert embed_titles(client.get("/embed/?limit=2")) == ["Treaty", "Election"]
    latest = client.get("/embed/?sort=newest&limit=1")
    assert embed_titles(latest) == ["Meeting"]
    assert "Showing the first 1 event." in latest.content.decode()
    # The embed tells the page around it its height (static/timeline/embed.js).
    assert elements(latest.content, "script")[0]["src"].endswith("timeline/embed.js")


@pytest.mark.parametrize("limit", ["0", "101", "ten", "1e3"])
def test_the_embed_ignores_a_number_it_cannot_use_with_a_note(client, world, limit):
    response = client.get(f"/embed/?limit={limit}")
    assert response.status_code == 200
    assert embed_titles(response) == ["Treaty", "Election", "Meeting"]
    assert f"Ignored the number of events “{limit}”" in response.content.decode()


def test_the_builder_writes_the_code_of_the_embed_it_shows(client, world):
    response = client.get("/embed/build/?topic=trade&start=2025&sort=newest&limit=10&height=400")
    html = response.content.decode()
    [code] = elements(response.content, "textarea")
    src = "http://testserver/embed/?start=2025-01-01&amp;topic=trade&amp;sort=newest&amp;limit=10"
    assert code["_text"] == (
        f'<iframe src="{src}" title="Timeline: Canada–U.S. relations" width="100%" height="400" loading="lazy" '
        "data-timeline-embed></iframe>"
    )
    [preview] = [frame for frame in elements(response.content, "iframe") if "embed-preview" in frame.get("class", "")]
    assert preview["src"] == src.replace("&amp;", "&") and preview["height"] == "400"
    # The filters it does not show as fields are carried along, and named.
    assert '<input type="hidden" name="topic" value="trade">' in html and "Events: Trade." in html
    assert "frame-src 'self'" in response["Content-Security-Policy"]  # for the preview, on this page alone
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_builder_adds_the_listener_for_an_automatic_height(client, world):
    [code] = elements(client.get("/embed/build/?autoheight=1").content, "textarea")
    assert 'data-timeline-embed></iframe>\n<script>\naddEventListener("message"' in code["_text"]
    assert 'event.origin !== "http://testserver"' in code["_text"]
    assert 'event.data.type !== "timeline:height"' in code["_text"]


def test_the_builder_answers_htmx_with_the_code_alone_and_notes_bad_input(client, world):
    headers = {"HX-Request": "true", "HX-Target": "embed-result"}
    response = client.get("/embed/build/?limit=500&height=12", headers=headers)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and '<form id="embed-form"' not in html
    assert {"HX-Request", "HX-Target"} <= {h.strip() for h in response["Vary"].split(",")}
    assert "no-store" in response["Cache-Control"]
    assert "Ignored the number of events “500”" in html and "Ignored the height “12”" in html
    [code] = elements(response.content, "textarea")
    assert 'height="600"' in code["_text"] and "limit=" not in code["_text"]  # the defaults stand


def test_the_builder_costs_as_many_queries_however_many_events(client, world, django_assert_num_queries):
    """The builder reads no event: only the data version and the slugs of the filters given."""
    with django_assert_num_queries(2):
        client.get("/embed/build/?topic=trade")
