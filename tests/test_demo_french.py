"""The demo's French: every event's title and summary (its place and long text where it has them), every topic and
every role in French, typeset as French is, saying what the English says and no more, and a French reader of the
demo never meets an English fallback."""

import json
import re
import unicodedata
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.test import Client
from django.utils import translation

from tests.htmlparse import Page, elements
from timeline.filters import EventFilter
from timeline.models import Event, Role, Topic

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "demo.json"
RECORDS = json.loads(FIXTURE.read_text(encoding="utf-8"))
TRANSLATED = {
    "timeline.event": ("title", "summary", "body", "location"),
    "timeline.topic": ("name", "description"),
    "timeline.role": ("title", "organisation"),
    "timeline.participant": ("description",),
}


def pairs():
    """(record, field, English, French) for every translated field the demo writes in English."""
    for record in RECORDS:
        for field in TRANSLATED.get(record["model"], ()):
            english = record["fields"].get(field)
            if english:
                yield record, field, english, record["fields"].get(f"{field}_fr", "")


def test_everything_written_in_english_is_written_in_french():
    missing = [
        (record["model"], record["fields"].get("slug"), field) for record, field, _, french in pairs() if not french
    ]
    assert missing == []
    assert sum(1 for record in RECORDS if record["model"] == "timeline.event" and record["fields"]["title_fr"]) == 73


def test_the_french_is_typeset_as_french():
    for *_, french in pairs():
        assert "'" not in french and '"' not in french, french  # ’ and « »
        assert not re.search(r"«(?!\u00a0)|(?<!\u00a0)»", french), french
        assert not re.search(r"[^\u00a0\u202f][:;?!%](\s|$)", french), french
        assert not re.search(r"\d \d{3}\b", french), french  # thousands apart by a non-breaking space


def figures(text: str, english: bool) -> list[str]:
    """The numbers a text states, written one way: "12:01 a.m." and "0 h 01" are one time, "49,000" and "49 000"
    one number, "2017–18" the two years it names."""
    if english:
        text = re.sub(r"(\d),(\d{3})\b", r"\1\2", text)
        text = re.sub(r"\b12:(\d\d) a\.m\.", r"0:\1", text)
        text = re.sub(r"\b(\d\d)(\d\d)–(\d\d)\b", r"\1\2–\1\3", text)
    else:
        text = re.sub(r"(\d)[\u00a0\u202f](\d{3})\b", r"\1\2", text)
        text = re.sub(r"\b(\d+)\u00a0h\u00a0(\d\d)", r"\1:\2", text)
        text = text.replace(",", ".")
    return sorted(re.findall(r"\d+(?:[.:]\d+)?", text))


def test_the_french_states_the_same_figures_as_the_english():
    """No new fact slips in through a translation: the same amounts, rates, dates and counts, each as often."""
    for record, field, english, french in pairs():
        assert figures(english, True) == figures(french, False), (record["fields"].get("slug"), field)


def test_the_figures_check_sees_a_changed_number():
    assert figures("25% on C$30 billion", True) != figures("25\u00a0% sur 31\u00a0milliards", False)


@pytest.mark.django_db
def test_a_french_reader_of_the_demo_meets_no_english_fallback():
    call_command("loaddata", "demo", verbosity=0)
    assert Event.objects.filter(title_fr__isnull=True).count() == 0
    assert Topic.objects.filter(name_fr__isnull=True).count() == Role.objects.filter(title_fr__isnull=True).count() == 0
    client = Client()
    event_page = "/fr/events/carney-trump-white-house-meeting-2025-05-06/"
    for path in [
        "/fr/",
        "/fr/?page=2",
        "/fr/topics/",
        "/fr/topics/tariffs/",
        "/fr/participants/mark-carney/",
        event_page,
    ]:
        html = client.get(path).text
        # A statement's context is the editors' note, in English only: marked as such, it is no fallback.
        html = re.sub(
            r'<span class="context"><span lang="en">[^<]*</span> <span class="in-english"[^>]*>[^<]*</span>', "", html
        )
        assert Page(html).find("span", class_="in-english") == [], path
    event = Page(client.get(event_page).content)
    assert "Première rencontre de Carney avec Trump à la Maison-Blanche" in event.text
    assert "Maison-Blanche, Washington" in event.text
    assert "Dominic LeBlanc, ministre du Commerce international et des Affaires intergouvernementales" in event.text


def french_text(record) -> str:
    """An event's French as a reader types it back: lower case, accents and the kind of apostrophe left out."""
    text = " ".join(record["fields"].get(f"{field}_fr") or "" for field in TRANSLATED["timeline.event"])
    bare = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))
    return bare.replace("\u2019", "'")


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["tarifs", "droits de douane", "negociations", "Quebec", "l'acier"])
def test_a_french_reader_finds_the_demo_by_its_french_words(query):
    """What a French reader tries first, accents and curly apostrophes left out: every published event whose French
    holds each word is found (PostgreSQL's stemming may find more, never fewer)."""
    expected = {
        record["fields"]["slug"]
        for record in RECORDS
        if record["model"] == "timeline.event"
        and record["fields"]["status"] == "published"
        and all(word in french_text(record) for word in query.lower().split())
    }
    assert len(expected) >= 3, query  # the demo speaks of all of these, in French
    call_command("loaddata", "demo", verbosity=0)
    with translation.override("fr"):
        found = set(EventFilter(QueryDict(urlencode({"q": query}))).qs.values_list("slug", flat=True))
    assert expected <= found, sorted(expected - found)
    [heading] = [
        h for h in elements(Client().get("/fr/", {"q": query}).content, "h2") if h.get("id") == "results-heading"
    ]
    assert heading["_text"].startswith(f"{len(found)} événement"), heading
