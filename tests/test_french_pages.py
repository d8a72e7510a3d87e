"""Every surface a reader meets, walked in French: no English interface string anywhere a French reader reads.

"English" is any message of the catalog as written in English (its runs of words between placeholders and tags),
found as whole words outside text marked as being in another language (a statement quoted in English, an English
fallback): so a template string left out of the catalog, a message left untranslated, or English data shown
without lang="en" all fail. Words that French writes the same way ("Sources", "Participants") cannot tell the two
apart; they are listed below and left out. A surface added to the site and missing here fails
test_every_public_route_is_walked_in_french.
"""

import csv
import datetime
import io
import json
import re
from urllib.parse import urlsplit
from xml.etree import ElementTree

import icalendar
import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from tests.catalog import NOT_WORDS, entries, fragments
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
from tests.test_drafts_never_leak import public_route_names
from timeline.models import Correction, Statement

pytestmark = pytest.mark.django_db

D = datetime.date

# Messages that French writes exactly as English does; their words cannot betray a missing translation.
WRITTEN_ALIKE = {
    "%(count)s source",
    "%(counter)s source",
    "%(name)s, page %(number)s",
    "%(name)s, %(role)s",
    "%(speaker)s, %(date)s",
    "Canada",
    "Corrections",
    "Dates",
    "France",
    "Organisation",
    "Pages",
    "Paraphrase",
    "PM",
    "Participants",
    "Participants, page %(number)s",
    "Site",
    "Sources",
    "Sources, page %(number)s",
    "TimelineJS",
    "TimelineJS (JSON)",
    "Ukraine",
    "correction",
    "documentation",
    "≈\u00a0%(count)s",
}


def test_the_messages_written_alike_in_both_languages_are_these():
    alike = {entry.msgid for entry in entries() if entry.msgstrs == entry.english}
    assert alike == WRITTEN_ALIKE


def english_phrases() -> list[tuple[str, re.Pattern]]:
    """Each run of English words of the catalog that French does not also use, as a whole-word pattern."""
    french = " ".join(NOT_WORDS.sub(" ", text) for entry in entries() for text in entry.msgstrs)
    phrases = set()
    for entry in entries():
        if entry.msgid in WRITTEN_ALIKE:
            continue
        for message in entry.english:
            phrases.update(fragments(message))
    found = []
    for phrase in sorted(phrases):
        pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")
        if not pattern.search(french):  # "Page", "Source": words French shares
            found.append((phrase, pattern))
    return found


ENGLISH = english_phrases()


def english_in(texts) -> list[tuple[str, str]]:
    """(phrase, text) for each English phrase in the texts; addresses and markup are not prose, and the paths of
    the French pages are the English ones under /fr/."""
    texts = [re.sub(r"https?://\S+|<[^>]+>", " ", text) for text in texts]
    return [(phrase, text.strip()) for text in texts for phrase, pattern in ENGLISH if pattern.search(text)]


def french_html(response, page_language: str = "fr") -> list[str]:
    """What a reader reads or hears on an HTML page in `page_language`, but text marked as another language."""
    return [text for text, language in Page(response.content).read if language in (None, page_language)]


# A newsroom whose every field has its French, and whose every template branch is taken.


@pytest.fixture
def newsroom(monkeypatch):
    monkeypatch.setattr("timeline.paging.PAGE_SIZE", 2)
    monkeypatch.setattr("timeline.views.INDEX_PAGE_SIZE", 2)
    monkeypatch.setattr("timeline.views.SOURCE_PAGE_SIZE", 2)
    monkeypatch.setattr("timeline.views.DETAIL_PAGE_SIZE", 1)
    monkeypatch.setattr("timeline.export_views.EMBED_LIMIT", 2)
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney", country="CA", description="Économiste")
    RoleFactory(
        participant=carney,
        title="Premier ministre du Canada",
        organisation="Gouvernement du Canada",
        start=D(2025, 3, 14),
        source=SourceFactory(title="Assermentation", publisher="Radio-Canada"),
    )
    trump = ParticipantFactory(slug="donald-trump", name="Donald Trump", country="US")
    RoleFactory(participant=trump, title="Président", start=None, attested_on=D(2025, 5, 1), attested_precision="month")
    leblanc = ParticipantFactory(slug="sans-role", name="Dominic LeBlanc", country="CA")
    tariffs = TopicFactory(slug="droits", name="Droits de douane", description="Taxes sur les marchandises.")
    sources = [SourceFactory(title=f"Reportage {n}", publisher="La Presse canadienne") for n in range(3)]
    sources[0].archive_url = "https://web.archive.org/web/2025/https://example.org/"
    sources[0].save()
    meeting = EventFactory(
        slug="rencontre",
        title="Rencontre à la Maison-Blanche",
        summary="Les deux dirigeants se sont rencontrés.",
        body="Un long compte rendu.\n\nSur deux paragraphes.",
        location="Washington",
        start_date=D(2025, 5, 6),
        event_type="meeting",
        topics=[tariffs],
        sources=[sources[0]],
    )
    summit = EventFactory(
        slug="sommet",
        title="Sommet du G7",
        summary="Sommet à Kananaskis.",
        start_date=D(2025, 6, 16),
        end_date=D(2025, 6, 17),
        event_type="summit",
        topics=[tariffs],
    )
    EventFactory(
        slug="vers-2019",
        title="Entente ancienne",
        summary="Une date approximative.",
        start_date=D(2019, 1, 1),
        date_precision="year",
        approximate=True,
        event_type="agreement",
    )
    EventFactory(
        slug="mai", title="Annonce", summary="Un mois seulement.", start_date=D(2025, 5, 1), date_precision="month"
    )
    InvolvementFactory(event=summit, participant=leblanc, part="attendee")
    for event in (meeting, summit):
        InvolvementFactory(event=event, participant=carney, part="host")
        InvolvementFactory(event=event, participant=trump, part="guest")
    quote = StatementFactory(
        event=meeting,
        speaker=carney,
        text="It's not for sale.",
        speaker_label="Prime Minister Mark Carney",
        slug="pas-a-vendre",
    )
    quote.sources.set([sources[1]])
    StatementFactory(
        event=meeting,
        speaker=trump,
        text="Le président a parlé de commerce.",
        kind=Statement.Kind.PARAPHRASE,
        language="fr",
        context="Said to reporters.",
        said_on=None,
        slug="president-commerce",
    ).sources.set([sources[1], sources[2]])
    StatementFactory(event=summit, speaker=carney, text="Nous sommes unis.", language="fr")
    Correction.objects.create(event=meeting, statement=quote, note="La date a été corrigée.")
    Correction.objects.create(event=meeting, note="Le lieu a été corrigé.")
    return meeting


PAGES = [
    "/fr/",
    "/fr/?page=2",
    "/fr/?q=rencontre&sort=relevance",
    "/fr/?topic=droits&type=meeting&country=CA&has_statements=yes&start=2025-01&end=2025-12&participant=mark-carney",
    "/fr/?has_statements=no",
    "/fr/?page=abc&topic=nope&type=x&start=2025-13&sort=relevance&country=123&end=2019&" + "q=" + "x" * 201,
    "/fr/?" + "&".join(f"topic=t{n}" for n in range(27)),
    "/fr/?q=introuvable",
    "/fr/?page=99",
    "/fr/events/rencontre/",
    "/fr/events/sommet/",
    "/fr/events/vers-2019/",
    "/fr/participants/",
    "/fr/participants/?page=2",
    "/fr/participants/?q=personne",
    "/fr/participants/?page=x",
    "/fr/participants/mark-carney/",
    "/fr/participants/mark-carney/?page=2",
    "/fr/participants/donald-trump/",
    "/fr/participants/sans-role/",
    "/fr/topics/",
    "/fr/topics/droits/",
    "/fr/topics/droits/?page=2",
    "/fr/sources/",
    "/fr/statements/",
    "/fr/statements/?q=sale&speaker=mark-carney&kind=quote&language=en&topic=droits&start=2025&end=2025-12",
    "/fr/statements/?speaker=nope&kind=x&language=zz&start=2025-13&page=abc&sort=relevance",
    "/fr/statements/?page=99&sort=newest",
    "/fr/statements/pas-a-vendre/",
    "/fr/statements/president-commerce/",
    "/fr/sources/?page=2",
    "/fr/embed/",
    "/fr/embed/?topic=nope",
    "/fr/embed/?q=introuvable",
    "/fr/embed/?limit=x&sort=newest",
    "/fr/embed/build/?topic=droits&limit=0&height=abc&autoheight=1",
]
PARTIALS = ["results", "timeline", "load-more"]


def test_every_french_page_and_partial_is_all_french_with_its_lang_and_alternates(client, newsroom):
    found = []
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert elements(response.content, "html")[0]["lang"] == "fr", url
        found += [(url, *item) for item in english_in(french_html(response))]
        if not url.startswith("/fr/embed/") or url.startswith("/fr/embed/build/"):  # the embed is framed elsewhere
            hreflang = {
                link["hreflang"]: urlsplit(link["href"]).path
                for link in elements(response.content, "link")
                if link.get("hreflang")
            }
            path = urlsplit(url).path
            assert hreflang == {"en": path.removeprefix("/fr"), "fr": path, "x-default": path.removeprefix("/fr")}, url
    for url in PAGES[:9]:
        for target in PARTIALS:
            response = client.get(url, headers={"HX-Request": "true", "HX-Target": target})
            assert "<html" not in response.text, (url, target)
            found += [(f"{url} #{target}", *item) for item in english_in(french_html(response))]
    for url in [url for url in PAGES if url.startswith("/fr/statements/?")]:  # the statements index's partial
        response = client.get(url, headers={"HX-Request": "true", "HX-Target": "results"})
        assert "<html" not in response.text, url
        found += [(f"{url} #results", *item) for item in english_in(french_html(response))]
    assert found == []


def test_the_check_sees_english(client, newsroom):
    """The control: the same walk over the English pages finds English everywhere."""
    response = client.get("/?page=abc")
    phrases = {phrase for phrase, _ in english_in(french_html(response, "en"))}
    assert {"Filter events", "Load more events", "Ignored the page", "not a page number"} <= phrases


def test_error_pages_in_french(client, newsroom):
    responses = [client.get("/fr/pas-de-page/"), Client(HTTP_HOST="evil.example").get("/fr/")]
    assert [response.status_code for response in responses] == [404, 400]
    texts = [text for response in responses for text in french_html(response)]
    with translation.override("fr"):
        for template in ["403.html", "403_csrf.html", "500.html", "503.html", "lockout.html"]:
            html = render_to_string(template, {"reason": "CSRF cookie not set."})
            assert elements(html, "html")[0]["lang"] == "fr", template
            texts += [text for text, language in Page(html).read if language in (None, "fr")]
    assert "Page introuvable" in " ".join(texts) and "Requête invalide" in " ".join(texts)
    assert english_in(texts) == []


def xml_texts(response) -> list[str]:
    root = ElementTree.fromstring(response.content)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    texts = [node.text or "" for node in root.iter() if not node.tag.endswith(("id", "link", "updated", "published"))]
    texts += [node.get("term") for node in root.iter() if node.get("term")]
    return [re.sub(r"<[^>]+>", " ", text) for text in texts]


def test_french_feeds(client, newsroom):
    texts = []
    feeds = ["/fr/feeds/events/", "/fr/feeds/events/?participant=mark-carney&topic=droits"]
    for url in [*feeds, "/fr/feeds/topics/droits/", "/fr/feeds/participants/mark-carney/"]:
        texts += xml_texts(client.get(url))
    texts += xml_texts(client.get("/fr/feeds/corrections/"))
    joined = " ".join(texts)
    assert "Chronologie" in joined and "du 16 au 17 juin 2025" in joined and "Correction\u00a0:" in joined
    assert english_in(texts) == []


def download_texts(read) -> list[str]:
    """The reader's words in the four downloads, each read by `read(name)` as text: calendar, CSVs, TimelineJS."""
    calendar = icalendar.Calendar.from_ical(read("events.ics"))
    texts = [str(calendar.get("x-wr-calname"))]
    for component in calendar.walk("VEVENT"):
        texts += [str(component.get(name, "")) for name in ("summary", "description", "location")]
        texts += [str(category) for category in component.get("categories").cats] if component.get("categories") else []
    events = list(csv.DictReader(io.StringIO(read("events.csv"))))
    texts += [row[column] for row in events for column in ("title", "date", "location", "summary")]
    statements = list(csv.DictReader(io.StringIO(read("statements.csv"))))
    texts += [row[column] for row in statements for column in ("date", "event_title")]
    timeline = json.loads(read("timeline.json"))
    texts += [timeline["title"]["text"]["headline"], timeline["title"]["text"]["text"]]
    for event in timeline["events"]:
        texts += [event["display_date"], event["group"], *event["text"].values()]
    return texts


def test_french_downloads(client, newsroom):
    texts = download_texts(lambda name: client.get(f"/fr/export/{name}").content.decode())
    one = icalendar.Calendar.from_ical(client.get("/fr/events/rencontre/calendar.ics").content)
    for component in one.walk("VEVENT"):
        texts += [str(component.get(name, "")) for name in ("summary", "description", "location")]
        texts += [str(category) for category in component.get("categories").cats] if component.get("categories") else []
    joined = " ".join(texts)
    assert "vers 2019" in joined and "Rencontre à la Maison-Blanche" in joined
    assert english_in(texts) == []
    # A refused download names the parameters as they are written in the address.
    refused = client.get("/fr/export/events.csv?topic=nope&type=x").text
    assert refused.splitlines() == [
        "Paramètre invalide\u00a0: topic, type",
        "topic: valeur inconnue\u00a0: 'nope'",
        "type: valeur inconnue\u00a0: 'x'",
    ]


FRENCH_ROUTES_WALKED = {
    "event_list",
    "event_detail",
    "participant_list",
    "participant_detail",
    "topic_list",
    "topic_detail",
    "source_list",
    "statement_list",
    "statement_detail",
    "embed",
    "embed_builder",
    "feed_events",
    "feed_topic",
    "feed_participant",
    "feed_corrections",
    "export_ics",
    "event_ics",
    "export_events_csv",
    "export_statements_csv",
    "export_timelinejs",
    "export_full_index",
    "export_full",
    "timeline_preview",
    "event_preview",
}


def test_french_whole_dataset_files(client, newsroom):
    """The files of the whole dataset, written by export_open_data, and what the site says before there are any."""
    missing = client.get("/fr/export/full/timeline-events.csv").content.decode()
    assert "n’a pas encore été exporté" in missing and english_in([missing]) == []
    assert english_in([client.get("/fr/export/full/").json()["detail"]]) == []
    call_command("export_open_data", verbosity=0)
    files = {file["name"]: file for file in client.get("/fr/export/full/").json()["files"]}
    assert set(files) == {"timeline-events.csv", "timeline-statements.csv", "timeline-events.ics", "timeline.json"}

    def read(name: str) -> str:
        response = client.get(files[f"timeline-{name}" if name != "timeline.json" else name]["url"])
        return b"".join(response.streaming_content).decode()

    texts = download_texts(read)
    assert "vers 2019" in " ".join(texts) and "Rencontre à la Maison-Blanche" in " ".join(texts)
    assert english_in(texts) == []


def test_french_link_previews(client, newsroom):
    """Images have no words to read here: each is drawn, and drawn otherwise than in English (the date, « Avec »)."""
    for path in ["/preview.png", "/events/rencontre/preview.png"]:
        french, english = client.get("/fr" + path), client.get(path)
        assert french.status_code == 200 and french["Content-Type"] == "image/png", path
        assert french.content != english.content, path


def test_every_public_route_is_walked_in_french():
    """Every route but the API (one address, ?lang=, tested with it) and the switch is a French surface above."""
    routes = {name for name in public_route_names() if not name.startswith("api:")} - {"choose_language"}
    assert routes == FRENCH_ROUTES_WALKED


def test_a_facet_with_nothing_to_choose_says_so_in_french(client):
    StatementFactory(text="Softwood lumber.")
    assert "Aucun choix parmi ces déclarations." in client.get("/fr/statements/?q=zqxw").text
    assert "Aucun choix parmi ces événements." in client.get("/fr/?q=zqxw").text
