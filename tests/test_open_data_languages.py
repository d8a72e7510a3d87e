"""The open data in French: the API with `lang=fr`, and the feeds, calendar, CSV and TimelineJS under /fr/, with
French fields and French dates; their machine parts (slugs, codes, ISO dates, column names) the same in both."""

import csv
import datetime
import io
import json
from xml.etree import ElementTree

import icalendar
import pytest

from tests.factories import (
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    RoleFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from tests.htmlparse import elements

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def meeting():
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    RoleFactory(participant=carney, title="Prime Minister of Canada", title_fr="premier ministre du Canada")
    event = EventFactory(
        slug="meeting",
        title="White House meeting",
        title_fr="Rencontre à la Maison-Blanche",
        summary="They met.",
        summary_fr="Ils se sont rencontrés.",
        start_date=datetime.date(2025, 5, 1),
        date_precision="month",
        topics=[TopicFactory(slug="tariffs", name="Tariffs", name_fr="Droits de douane")],
        sources=[SourceFactory()],
    )
    InvolvementFactory(event=event, participant=carney, part="guest")
    StatementFactory(event=event, speaker=carney, text="It's not for sale.", sources=[SourceFactory()])
    return event


def test_the_api_speaks_french_when_asked(client, meeting):
    english = client.get("/api/events").json()["results"][0]
    french = client.get("/api/events?lang=fr").json()["results"][0]
    assert (english["title"], english["date"], english["topics"][0]["name"]) == (
        "White House meeting",
        "May 2025",
        "Tariffs",
    )
    assert (french["title"], french["summary"], french["date"], french["topics"][0]["name"]) == (
        "Rencontre à la Maison-Blanche",
        "Ils se sont rencontrés.",
        "mai 2025",
        "Droits de douane",
    )
    # Codes and ISO dates are the same in both languages.
    for key in ("slug", "event_type", "start", "start_date", "date_precision"):
        assert english[key] == french[key], key
    detail = client.get("/api/events/meeting?lang=fr")
    assert detail["Content-Language"] == "fr"
    data = detail.json()
    assert data["participants"][0]["role"] == "premier ministre du Canada"
    assert data["statements"][0]["text"] == "It's not for sale." and data["statements"][0]["language"] == "en"
    assert data["url"] == "http://testserver/fr/events/meeting/"  # links lead to the pages in that language


def test_a_blank_language_is_the_default(client, meeting):
    assert client.get("/api/events?lang=%20").json()["results"][0]["title"] == "White House meeting"


def test_the_api_refuses_a_language_it_does_not_have(client, meeting):
    response = client.get("/api/events?lang=de")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"parameter": "lang", "location": "query", "message": "use one of en, fr"}]
    french = client.get("/api/events?lang=fr&topic=nope").json()
    assert french["detail"] == "Paramètre invalide\u00a0: topic."
    assert french["errors"][0]["message"] == "valeur inconnue\u00a0: 'nope'"


def test_the_api_keeps_each_language_apart_in_its_caches(client, meeting):
    for _ in range(2):
        assert client.get("/api/events?lang=fr").json()["results"][0]["title"] == "Rencontre à la Maison-Blanche"
        assert client.get("/api/events").json()["results"][0]["title"] == "White House meeting"
        assert client.get("/api/events?lang=en").json()["results"][0]["title"] == "White House meeting"


def test_the_schema_says_how_and_is_written_in_either_language(client):
    english = client.get("/api/openapi.json").json()
    french = client.get("/api/openapi.json?lang=fr").json()
    lang = next(p for p in english["paths"]["/api/events/{slug}"]["get"]["parameters"] if p["name"] == "lang")
    assert lang["schema"]["anyOf"][0]["enum"] == ["en", "fr"] and "fr (French)" in lang["description"]
    assert "with `lang=fr`, in French" in english["info"]["description"]
    assert french["paths"]["/api/events"]["get"]["summary"] == "Événements publiés, filtrés comme dans la chronologie"
    q = next(p for p in french["paths"]["/api/events"]["get"]["parameters"] if p["name"] == "q")
    assert q["description"].startswith("Texte libre dans les événements")
    docs = client.get("/api/docs?lang=fr").content.decode()
    assert "/api/openapi.json?lang=fr" in docs


def test_the_french_timeline_links_to_the_french_data(client, meeting):
    links = {a["_text"].strip(): a["href"] for a in elements(client.get("/fr/?topic=tariffs").content, "a")}
    assert links["API JSON"] == "/api/events?topic=tariffs&lang=fr"
    assert links["Événements (CSV)"] == "/fr/export/events.csv?topic=tariffs"
    # The feed and the calendar follow the filtered page, in French too.
    assert links["Nouveaux événements semblables (fil Atom)"] == "/fr/feeds/events/?topic=tariffs"
    assert (
        links["S’abonner à ces événements dans votre agenda"]
        == "webcal://testserver/fr/export/events.ics?topic=tariffs"
    )


def test_french_downloads(client, meeting):
    [row] = csv.DictReader(io.StringIO(client.get("/fr/export/events.csv").text))
    assert (row["title"], row["date"], row["start_date"], row["url"]) == (
        "Rencontre à la Maison-Blanche",
        "mai 2025",
        "2025-05",
        "http://testserver/fr/events/meeting/",
    )
    [statement] = csv.DictReader(io.StringIO(client.get("/fr/export/statements.csv").text))
    assert (statement["event_title"], statement["text"]) == ("Rencontre à la Maison-Blanche", "It's not for sale.")
    calendar = icalendar.Calendar.from_ical(client.get("/fr/export/events.ics").content)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == "Rencontre à la Maison-Blanche"
    assert "Date connue seulement à cette précision\u00a0: mai 2025." in str(vevent["description"])
    assert str(calendar["x-wr-calname"]) == "Chronologie\u00a0: relations canado-américaines"
    timeline = json.loads(client.get("/fr/export/timeline.json").content)
    assert timeline["events"][0]["display_date"] == "mai 2025"
    assert timeline["events"][0]["group"] == "Rencontre"
    assert "Rencontre à la Maison-Blanche" in timeline["events"][0]["text"]["headline"]
    english = json.loads(client.get("/export/timeline.json").content)
    assert english["events"][0]["group"] == "Meeting" and english["events"][0]["display_date"] == "May 2025"


def test_french_feeds(client, meeting):
    root = ElementTree.fromstring(client.get("/fr/feeds/events/").content)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert root.find(f"{ATOM}title").text == "Chronologie\u00a0: nouveaux événements"
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Rencontre à la Maison-Blanche"
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver/fr/events/meeting/"
    assert "mai 2025" in entry.find(f"{ATOM}summary").text
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["Droits de douane"]
    english = ElementTree.fromstring(client.get("/feeds/events/").content)
    assert english.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert english.find(f"{ATOM}entry").find(f"{ATOM}title").text == "White House meeting"


SURFACES = [
    ("/embed/", "/fr/embed/"),
    ("/feeds/events/", "/fr/feeds/events/"),
    ("/feeds/topics/tariffs/", "/fr/feeds/topics/tariffs/"),
    ("/feeds/corrections/", "/fr/feeds/corrections/"),
    ("/export/events.ics", "/fr/export/events.ics"),
    ("/export/events.csv", "/fr/export/events.csv"),
    ("/export/statements.csv", "/fr/export/statements.csv"),
    ("/export/timeline.json", "/fr/export/timeline.json"),
    ("/api/events", "/api/events?lang=fr"),
    ("/api/events/meeting", "/api/events/meeting?lang=fr"),
    ("/api/participants/mark-carney", "/api/participants/mark-carney?lang=fr"),
    ("/api/topics", "/api/topics?lang=fr"),
]


@pytest.mark.parametrize(("english", "french"), SURFACES)
def test_the_open_data_costs_the_same_queries_in_french(client, meeting, english, french):
    """A translated field falls back to the English in the row already fetched: French costs no query more."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for url in (english, french):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts.append(len(queries))
    print(f"{english}: {counts[0]} queries in English, {counts[1]} in French")
    assert counts[0] == counts[1]
