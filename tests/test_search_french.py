"""Search in French: an event is found by its French text as by its English, accents and the kind of apostrophe
never count, and on PostgreSQL French words are stemmed as French. The same on every page, in either language."""

import pytest
from django.http import QueryDict
from django.utils import translation

from tests.factories import EventFactory, StatementFactory
from tests.htmlparse import elements
from timeline.filters import EventFilter
from timeline.search import _fold_character, fold, highlight_words

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    steel = EventFactory(
        slug="steel",
        title="Steel tariffs doubled",
        title_fr="Les droits de douane sur l’acier doublent",
        summary="A measure with some merit, Ottawa said.",
        summary_fr="Une mesure qui a son mérite, selon Ottawa.",
    )
    quebec = EventFactory(slug="quebec", title="Québec asks for a seat at the table", summary="Premier's letter.")
    talks = EventFactory(
        slug="talks",
        title="Talks resume",
        title_fr="Reprise des négociations",
        summary="They will negotiate.",
        summary_fr="Les deux pays vont négocier de nouveau.",
    )
    said = EventFactory(slug="said", title="A remark", summary="Nothing else.")
    StatementFactory(event=said, text="C’est peut-être un peu sur-optimiste", language="fr")
    return steel, quebec, talks


def found(query: str) -> list[str]:
    return sorted(event.slug for event in EventFilter(QueryDict(query)).qs)


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("q=acier", ["steel"]),
        ("q=merite", ["steel"]),  # mérite, without its accent
        ("q=MÉRITE", ["steel"]),
        ("q=l'acier", ["steel"]),  # a straight apostrophe finds the typographic one
        ("q=l’acier doublent", ["steel"]),
        ("q=Quebec", ["quebec"]),  # an accent in the English text is optional too
        ("q=douane", ["steel"]),
        ("q=negociations", ["talks"]),
        ("q=steel", ["steel"]),  # the English still finds it
        ("q=sur-optimiste", ["said"]),  # a statement spoken in French
    ],
)
def test_french_text_is_found_with_or_without_accents_and_either_apostrophe(events, query, slugs):
    assert found(query) == slugs


def test_the_search_is_the_same_whatever_the_language_of_the_page(client, events):
    for path in ["/?q=merite", "/fr/?q=merite"]:
        ids = [article["id"] for article in elements(client.get(path).content, "article")]
        assert ids == ["event-steel"], path


def test_a_french_page_highlights_the_french_text(client, events):
    response = client.get("/fr/?q=merite")
    marks = [mark["_text"] for mark in elements(response.content, "mark")]
    assert "mérite" in marks
    english = client.get("/?q=merit")
    assert "merit" in [mark["_text"] for mark in elements(english.content, "mark")]


def test_folding_and_highlighting_keep_the_text_as_written():
    assert fold("L’Élysée À ÇA") == "l'elysee a ca"
    assert len(fold("Québec ﬁnit")) == len("Québec ﬁnit")
    ascii_ = "".join(map(chr, range(128)))
    assert fold(ascii_) == "".join(map(_fold_character, ascii_))  # the shortcut for ASCII folds as each character
    assert fold("DAIRY “quotas” İstanbul Æ") == "dairy “quotas” istanbul æ"
    marked = highlight_words("Le mérite de l’acier", "merite\nl'acier")
    assert marked == "Le \ue000mérite\ue001 de \ue000l’acier\ue001"


@pytest.mark.postgresql
@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("q=négocier", ["talks"]),  # French stems: négociations, négocier
        ("q=negociation", ["talks"]),
        ("q=doublé", ["steel"]),
        ("q=douanes", ["steel"]),
        ("q=tarifs", []),  # no event says "tarif": French is stemmed as French, not matched as a substring
        ("q=droits -acier", []),
    ],
)
def test_postgresql_stems_french_as_french(events, query, slugs):
    assert found(query) == slugs


@pytest.mark.postgresql
def test_postgresql_ranks_and_highlights_in_the_readers_language(events):
    with translation.override("fr"):
        [event] = EventFilter(QueryDict("q=merite&sort=relevance")).qs
        assert "\ue000mérite\ue001" in event.search_summary
    with translation.override("en"):
        [event] = EventFilter(QueryDict("q=merit")).qs
        assert "\ue000merit\ue001" in event.search_summary
