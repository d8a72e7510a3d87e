"""Following any view: a filtered page's feed and calendar links carry its filters, the feed honours every
timeline filter, a calendar can be subscribed to as well as downloaded, an event can be added to a calendar on
its own, and each page says what these links are for."""

import datetime
from xml.etree import ElementTree

import icalendar
import pytest

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    StatementFactory,
    TopicFactory,
)
from tests.htmlparse import Page

D = datetime.date
ATOM = "{http://www.w3.org/2005/Atom}"
pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney", country="CA")
    trump = ParticipantFactory(slug="donald-trump", name="Donald Trump", country="US")
    tariffs = TopicFactory(slug="tariffs", name="Tariffs")
    steel = EventFactory(
        slug="steel", title="Steel tariffs", start_date=D(2025, 3, 12), event_type="policy", topics=[tariffs]
    )
    InvolvementFactory(event=steel, participant=trump)
    meeting = EventFactory(slug="meeting", title="Oval Office meeting", start_date=D(2025, 5, 6), event_type="meeting")
    InvolvementFactory(event=meeting, participant=carney)
    InvolvementFactory(event=meeting, participant=trump)
    StatementFactory(event=meeting, speaker=carney, text="It's not for sale.")
    EventFactory(slug="old", title="Reciprocity treaty", start_date=D(1854, 6, 5), event_type="agreement")
    DraftEventFactory(slug="draft", title="Secret draft", start_date=D(2025, 5, 7), topics=[tariffs])
    return meeting


def feed_titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    root = ElementTree.fromstring(response.content)
    return sorted(entry.find(f"{ATOM}title").text for entry in root.iter(f"{ATOM}entry"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Oval Office meeting", "Reciprocity treaty", "Steel tariffs"]),
        ("participant=mark-carney", ["Oval Office meeting"]),
        ("topic=tariffs", ["Steel tariffs"]),
        ("type=agreement", ["Reciprocity treaty"]),
        ("country=CA", ["Oval Office meeting"]),
        ("has_statements=yes", ["Oval Office meeting"]),
        ("has_statements=no&participant=donald-trump", ["Steel tariffs"]),
        ("start=2025-04&end=2025", ["Oval Office meeting"]),
        ("q=steel", ["Steel tariffs"]),
        ("q=sale", ["Oval Office meeting"]),  # found through what was said at it
        ("participant=donald-trump&sort=newest", ["Oval Office meeting", "Steel tariffs"]),
    ],
)
def test_the_feed_honours_every_timeline_filter(client, record, query, expected):
    assert feed_titles(client.get(f"/feeds/events/?{query}")) == expected


def test_a_filtered_feed_says_what_it_follows_and_links_the_filtered_timeline(client, record):
    root = ElementTree.fromstring(client.get("/feeds/events/?participant=mark-carney&topic=tariffs").content)
    assert root.find(f"{ATOM}title").text == "Timeline: new events (Mark Carney, Tariffs)"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["alternate"] == "http://testserver/?participant=mark-carney&topic=tariffs"
    assert links["self"] == "http://testserver/feeds/events/?participant=mark-carney&topic=tariffs"
    french = ElementTree.fromstring(client.get("/fr/feeds/events/?participant=mark-carney").content)
    assert french.find(f"{ATOM}title").text == "Chronologie\u00a0: nouveaux événements (Mark Carney)"


def test_a_feed_of_a_date_range_names_it_as_one_range(client, record):
    root = ElementTree.fromstring(client.get("/feeds/events/?start=2025&end=2024").content)
    assert root.find(f"{ATOM}title").text == "Timeline: new events (1 January 2024 \u2013 31 December 2025)"
    french = ElementTree.fromstring(client.get("/fr/feeds/events/?start=2025-04&end=2025").content)
    assert french.find(f"{ATOM}title").text == (
        "Chronologie\u00a0: nouveaux événements (du 1er avril au 31 décembre 2025)"
    )


@pytest.mark.parametrize("query", ["topic=nope", "start=2025-13", "type=x&country=123", "has_statements=maybe"])
def test_a_feed_refuses_a_filter_it_cannot_use_naming_it(client, record, query):
    response = client.get(f"/feeds/events/?{query}")
    assert response.status_code == 400
    assert response.content.decode().startswith("Invalid parameter: ")
    assert query.split("=")[0] in response.content.decode()


def test_the_filtered_pages_feed_and_calendar_links_carry_its_filters(client, record):
    html = client.get("/?participant=mark-carney&topic=tariffs&sort=newest&page=1").content.decode()
    page = Page(html)
    feed = "/feeds/events/?participant=mark-carney&topic=tariffs"
    assert page.find("link", rel="alternate", type="application/atom+xml", href=feed)
    assert page.find("a", href=feed, type="application/atom+xml")
    download = page.find("a", href="/export/events.ics?participant=mark-carney&topic=tariffs")
    assert download and all("download" in link for link in download)
    assert page.find("a", href="webcal://testserver/export/events.ics?participant=mark-carney&topic=tariffs")
    assert page.find("input", value="http://testserver/export/events.ics?participant=mark-carney&topic=tariffs")
    assert "What these are for: a feed reader tells you of each event published from now on" in page.text
    # The unfiltered timeline follows everything.
    plain = Page(client.get("/").content.decode())
    assert plain.find("a", href="/feeds/events/") and plain.find("a", href="webcal://testserver/export/events.ics")


def test_the_subscribed_calendar_holds_the_filtered_events(client, record):
    calendar = icalendar.Calendar.from_ical(client.get("/export/events.ics?participant=mark-carney").content)
    assert [str(event["summary"]) for event in calendar.walk("VEVENT")] == ["Oval Office meeting"]


def test_topic_and_participant_pages_can_be_followed(client, record):
    topic = Page(client.get("/topics/tariffs/").content.decode())
    assert topic.find("a", href="/feeds/topics/tariffs/")
    assert topic.find("a", href="webcal://testserver/export/events.ics?topic=tariffs")
    person = Page(client.get("/participants/mark-carney/").content.decode())
    assert person.find("a", href="/feeds/participants/mark-carney/")
    assert person.find("a", href="webcal://testserver/export/events.ics?participant=mark-carney")
    assert "What these are for" in person.text


def test_an_event_can_be_added_to_a_calendar_on_its_own(client, record):
    page = Page(client.get("/events/meeting/").content.decode())
    assert [link for link in page.find("a", href="/events/meeting/calendar.ics") if "download" in link]
    response = client.get("/events/meeting/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="meeting.ics"'
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert [(str(e["summary"]), e["dtstart"].dt, str(e["url"])) for e in events] == [
        ("Oval Office meeting", D(2025, 5, 6), "http://testserver/events/meeting/")
    ]


def test_a_draft_cannot_be_added_to_a_calendar(client, record):
    assert client.get("/events/draft/calendar.ics").status_code == 404
    assert client.get("/events/no-such-event/calendar.ics").status_code == 404
