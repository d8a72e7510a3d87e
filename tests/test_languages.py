"""Two languages: every reader page in English at its address and in French under /fr/, with the right lang and
hreflang, a switch that keeps the view, a first visit guided by the browser without trapping anyone, and caches
that never serve one language for the other."""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.http import Http404
from django.test import Client
from django.utils import translation

from tests.factories import (
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    RoleFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from tests.htmlparse import Page, elements
from timeline import languages
from timeline.caching import key

pytestmark = pytest.mark.django_db

D = datetime.date
RESULTS = {"HX-Request": "true", "HX-Target": "results"}
FRENCH_BROWSER = {"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}
ENGLISH_BROWSER = {"Accept-Language": "en-CA,en;q=0.9,fr;q=0.5"}


@pytest.fixture
def story():
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney", country="CA")
    RoleFactory(participant=carney, title="Prime Minister of Canada", start=D(2025, 3, 14))
    tariffs = TopicFactory(slug="tariffs", name="Tariffs")
    meeting = EventFactory(
        slug="white-house-meeting",
        title="White House meeting",
        start_date=D(2025, 5, 6),
        event_type="meeting",
        topics=[tariffs],
        sources=[SourceFactory()],
    )
    InvolvementFactory(event=meeting, participant=carney)
    StatementFactory(event=meeting, speaker=carney, text="It's not for sale.")
    return meeting


# Addresses and lang


PAGES = ["/", "/events/white-house-meeting/", "/participants/", "/participants/mark-carney/", "/topics/"]
PAGES += ["/topics/tariffs/", "/sources/"]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_has_an_english_and_a_french_address_with_the_right_lang(client, story, path):
    english, french = client.get(path), client.get(f"/fr{path}")
    assert english.status_code == french.status_code == 200
    assert elements(english.content, "html")[0]["lang"] == "en"
    assert elements(french.content, "html")[0]["lang"] == "fr"
    assert english["Content-Language"] == "en" and french["Content-Language"] == "fr"


def alternates(response) -> dict[str, str]:
    return {link["hreflang"]: link["href"] for link in elements(response.content, "link") if link.get("hreflang")}


@pytest.mark.parametrize("language", ["", "/fr"])
def test_alternates_name_the_same_view_in_each_language_with_only_the_filters_in_force(client, story, language):
    response = client.get(f"{language}/?topic=tariffs&utm_source=x&start=nonsense&page=1")
    assert alternates(response) == {
        "en": "http://testserver/?topic=tariffs",
        "fr": "http://testserver/fr/?topic=tariffs",
        "x-default": "http://testserver/?topic=tariffs",
    }
    canonical = [link["href"] for link in elements(response.content, "link") if link.get("rel") == "canonical"]
    assert canonical == [f"http://testserver{language}/?topic=tariffs"]


def test_an_event_page_and_its_data_follow_the_pages_language(client, story):
    html = client.get("/fr/events/white-house-meeting/").content
    meta = {m.get("property") or m.get("name"): m.get("content") for m in elements(html, "meta")}
    assert meta["og:url"] == "http://testserver/fr/events/white-house-meeting/"
    assert meta["og:locale"] == "fr_CA" and meta["og:locale:alternate"] == "en_CA"
    assert meta["og:site_name"] == "Chronologie"
    json_ld = next(s["_text"] for s in elements(html, "script") if s.get("type") == "application/ld+json")
    assert '"url": "http://testserver/fr/events/white-house-meeting/"' in json_ld
    assert '"inLanguage": "fr"' in json_ld
    english = client.get("/events/white-house-meeting/").content
    assert '"url": "http://testserver/events/white-house-meeting/"' in english.decode()


def test_an_error_page_is_in_the_language_of_its_address_and_echoes_nothing(client, story):
    french = client.get("/fr/no-such-page/?q=<x>")
    assert french.status_code == 404
    html = Page(french.content)
    assert html.find("html")[0]["lang"] == "fr"
    assert "Page introuvable" in html.text
    assert alternates(french) == {}
    switch = html.find("a", hreflang="en")[0]["href"]
    assert parse_qs(urlsplit(switch).query)["next"] == ["/"]
    english = client.get("/no-such-page/")
    assert "Page not found" in english.text and elements(english.content, "html")[0]["lang"] == "en"


# The switch


def switch_link(response, language: str) -> str:
    return Page(response.content).find("a", hreflang=language, **{"data-language-switch": None})[0]["href"]


def test_the_switch_opens_the_same_view_in_the_other_language_and_remembers_the_choice(story):
    client = Client()
    english = client.get("/?topic=tariffs&start=2025-01&page=1&utm_source=x")
    link = switch_link(english, "fr")
    assert link.startswith("/language/fr/?")
    assert parse_qs(urlsplit(link).query)["next"] == ["/fr/?start=2025-01-01&topic=tariffs"]
    moved = client.get(link)
    assert moved.status_code == 302
    assert moved["Location"] == "/fr/?start=2025-01-01&topic=tariffs"
    assert moved.cookies["django_language"].value == "fr"
    assert "no-store" in moved["Cache-Control"]
    french = client.get(moved["Location"])
    assert elements(french.content, "html")[0]["lang"] == "fr"
    back = client.get(switch_link(french, "en"))
    assert back["Location"] == "/?start=2025-01-01&topic=tariffs"
    assert back.cookies["django_language"].value == "en"


def test_the_switch_keeps_a_fragment_that_a_script_adds_to_next(client, story):
    """The switch's script puts the current address, #fragment included, in `next` (timeline.js)."""
    response = client.get("/language/fr/?next=/%3Fpage%3D2%23page-2")
    assert response["Location"] == "/fr/?page=2#page-2"
    response = client.get("/language/en/?next=/fr/events/white-house-meeting/%23statement-x")
    assert response["Location"] == "/events/white-house-meeting/#statement-x"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/api/events", "javascript:alert(1)"])
def test_the_switch_goes_nowhere_but_a_page_of_this_site(client, target):
    response = client.get("/language/fr/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/fr/"


def test_the_switch_knows_only_the_sites_languages(client):
    assert client.get("/language/de/?next=/").status_code == 404


def test_the_switch_says_why_in_the_language_in_force(rf):
    """The not-found page is handed the reason in the language in force (the switch's own address is unprefixed,
    so English for a request; French for whatever calls it in French)."""
    with translation.override("fr"), pytest.raises(Http404, match="^Cette langue n’existe pas.$"):
        languages.choose_language(rf.get("/language/de/"), "de")


# The first visit


def test_a_first_visit_from_a_french_browser_opens_the_french_page(story):
    response = Client().get("/events/white-house-meeting/?utm_source=x", headers=FRENCH_BROWSER)
    assert response.status_code == 302
    assert response["Location"] == "/fr/events/white-house-meeting/?utm_source=x"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    assert "public" not in response.get("Cache-Control", "")


def test_an_english_browser_stays_on_the_english_page_which_says_it_varies(story):
    response = Client().get("/", headers=ENGLISH_BROWSER)
    assert response.status_code == 200
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def test_a_reader_who_chose_english_is_never_sent_back_to_french(story):
    client = Client()
    client.get("/language/en/?next=/")
    for path in PAGES:
        response = client.get(path, headers=FRENCH_BROWSER)
        assert response.status_code == 200, path
        assert elements(response.content, "html")[0]["lang"] == "en"


def test_a_reader_who_chose_french_gets_french_pages_from_english_links(story):
    client = Client()
    client.get("/language/fr/?next=/")
    response = client.get("/topics/?x=1", headers=ENGLISH_BROWSER)
    assert response["Location"] == "/fr/topics/?x=1"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/", RESULTS),  # an English page's htmx request stays English
        ("/api/events", {}),
        ("/admin/login/", {}),
        ("/fr/", {}),
    ],
)
def test_the_browser_language_never_moves_requests_other_than_a_page_view(client, story, path, headers):
    response = client.get(path, headers={**FRENCH_BROWSER, **headers})
    assert response.status_code == 200, response.get("Location")


def test_a_form_post_is_never_redirected(client, story):
    assert client.post("/", headers=FRENCH_BROWSER).status_code == 405


# Caches: a page in one language is never served for the other


def test_the_same_page_asked_in_french_then_english_is_each_in_its_language(story):
    client = Client()
    for headers in [{}, RESULTS, {"HX-Request": "true", "HX-Target": "timeline"}]:
        cache.clear()
        french = client.get("/fr/?topic=tariffs", headers=headers)
        english = client.get("/?topic=tariffs", headers=headers)
        again = client.get("/fr/?topic=tariffs", headers=headers)
        assert "Rencontre" in french.text and "Meeting" not in french.text, headers
        assert "Meeting" in english.text and "Rencontre" not in english.text, headers
        assert again.content == french.content, headers
        if not headers:
            assert english["ETag"] != french["ETag"]


def test_aggregates_are_kept_per_language(client, story):
    """The facets and chart are stored per filter combination: the labels in them are per language too."""
    english = Page(client.get("/?topic=tariffs").content).text
    french = Page(client.get("/fr/?topic=tariffs").content).text
    assert "Meeting 1 event" in english and "Events per month, May 2025" in english
    assert "Rencontre 1 événement" in french and "Événements par mois, mai 2025" in french


def test_every_stored_page_and_aggregate_key_holds_the_language():
    """Pages and aggregates are stored under timeline.caching.key: the language is part of every key."""
    with translation.override("en"):
        english = key("page", "token", ["http", "testserver", "/api/events"])
    with translation.override("fr"):
        french = key("page", "token", ["http", "testserver", "/api/events"])
    assert english != french


# Numbers and dates in words


def test_counts_and_dates_are_written_as_each_language_writes_them(client, story, monkeypatch):
    monkeypatch.setattr("timeline.paging.PAGE_SIZE", 1)
    for n in range(2):
        EventFactory(start_date=D(2025, 6, 16 + n), end_date=D(2025, 6, 17 + n))
    french = Page(client.get("/fr/?page=2").content).text
    assert "Événement 2 sur 3" in french and "du 16 au 17 juin 2025" in french
    assert "Juin 2025" in french  # the month's heading
    english = Page(client.get("/?page=2").content).text
    assert "Event 2 of 3" in english and "16–17 June 2025" in english
    with translation.override("fr"):
        assert languages.number(1234) == "1\u00a0234"
    with translation.override("en"):
        assert languages.number(1234) == "1,234"


def test_no_english_left_in_a_french_note(client, story):
    text = Page(client.get("/fr/?page=abc&topic=nope&sort=relevance").content).text
    assert re.search(r"On a ignoré la page «\s*abc\s*»\s*: ce n’est pas un numéro de page\.", text)
    assert re.search(r"On a ignoré le thème «\s*nope\s*»\s*: ce thème n’existe pas\.", text)
    assert "Le tri par pertinence exige une recherche" in text


SURFACES = [
    # (English address, French address): pages, feeds, downloads, the embed and the API, each cached per language
    ("/events/white-house-meeting/", "/fr/events/white-house-meeting/"),
    ("/participants/mark-carney/", "/fr/participants/mark-carney/"),
    ("/topics/tariffs/", "/fr/topics/tariffs/"),
    ("/feeds/events/", "/fr/feeds/events/"),
    ("/feeds/topics/tariffs/", "/fr/feeds/topics/tariffs/"),
    ("/feeds/events/?participant=mark-carney", "/fr/feeds/events/?participant=mark-carney"),
    ("/statements/", "/fr/statements/"),
    ("/statements/mark-carney-2025-05-06-its-not-for-sale/", "/fr/statements/mark-carney-2025-05-06-its-not-for-sale/"),
    ("/events/white-house-meeting/calendar.ics", "/fr/events/white-house-meeting/calendar.ics"),
    ("/export/events.csv", "/fr/export/events.csv"),
    ("/export/events.ics", "/fr/export/events.ics"),
    ("/export/timeline.json", "/fr/export/timeline.json"),
    ("/embed/", "/fr/embed/"),
    ("/api/events", "/api/events?lang=fr"),
    ("/api/events/white-house-meeting", "/api/events/white-house-meeting?lang=fr"),
]


@pytest.mark.parametrize("headers", [{}, RESULTS, {"HX-Request": "true", "HX-Target": "load-more"}])
@pytest.mark.parametrize(("english_url", "french_url"), SURFACES)
def test_no_surface_serves_one_language_for_the_other(story, english_url, french_url, headers):
    """Asked in French, then in English, then in French again (plain or as htmx asks): every answer in its own
    language, from the cache or not."""
    type(story).objects.filter(pk=story.pk).update(title_fr="Rencontre à la Maison-Blanche")
    client = Client()
    for first, second in [(french_url, english_url), (english_url, french_url)]:
        cache.clear()
        answers = {url: client.get(url, headers=headers) for url in (first, second)}
        answers["again"] = client.get(first, headers=headers)
        french, english = answers[french_url], answers[english_url]
        assert french.status_code == english.status_code == 200, (french_url, headers)
        assert "Maison-Blanche" in french.text and "White House meeting" not in french.text, (french_url, headers)
        assert "White House meeting" in english.text and "Maison-Blanche" not in english.text, (english_url, headers)
        assert answers["again"].content == answers[first].content, (first, headers)
    # The English address asked by a reader who chose French (cookie and browser), once the English is cached:
    # sent to the French address, never given French at the English one nor the cached English as French.
    chose_french = Client(headers=FRENCH_BROWSER)
    chose_french.cookies["django_language"] = "fr"
    response = chose_french.get(english_url, headers=headers)
    if response.status_code == 302:
        assert response["Location"].startswith(french_url.split("?")[0]), (english_url, headers)
        assert "public" not in response.get("Cache-Control", "")
        assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    else:
        assert "White House meeting" in response.text and "Maison-Blanche" not in response.text, (english_url, headers)
