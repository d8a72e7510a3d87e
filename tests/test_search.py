"""Full-text search on PostgreSQL (stored vectors, GIN indexes, English and French, ranking, trigrams), and the
simpler fallback every other database uses, through the same interface."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    StatementFactory,
    TopicFactory,
)
from timeline import fulltext, search_documents
from timeline.filters import EventFilter
from timeline.models import Event, Participant, Statement

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.postgresql


def titles(query: str) -> list[str]:
    return [event.title for event in EventFilter(QueryDict(query)).qs]


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows would otherwise be scanned whole
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


# On every database


def test_an_event_is_found_by_the_words_of_one_of_its_statements():
    event = EventFactory(title="Leaders met", summary="They met.")
    StatementFactory(event=event, text="Canada is not for sale.")
    EventFactory(title="Other meeting", summary="Nothing said.")
    assert titles("q=sale") == ["Leaders met"]
    assert titles("q=canada+sale") == ["Leaders met"]


def test_a_drafts_statement_never_brings_it_into_the_results():
    draft = DraftEventFactory(title="Secret talks", summary="Not yet public.")
    StatementFactory(event=draft, text="Confidential words.")
    assert titles("q=confidential") == []


def test_an_events_own_text_ranks_above_a_statement_only_match():
    quoted = EventFactory(title="Press conference", summary="Questions were asked.", start_date="2020-01-01")
    StatementFactory(event=quoted, text="Softwood lumber duties are unfair.")
    EventFactory(title="Softwood lumber ruling", summary="A panel ruled.", start_date="2024-01-01")
    assert titles("q=softwood+lumber") == ["Press conference", "Softwood lumber ruling"]
    assert titles("q=softwood+lumber&sort=relevance") == ["Softwood lumber ruling", "Press conference"]


PHRASES = [
    ('"such trade barriers"', True),
    ('"barriers such trade"', False),
    # As a phone types them (“smart punctuation”), a French keyboard too, or as pasted from an article.
    ("“such trade barriers”", True),
    ("“barriers such trade”", False),
    ("« such trade barriers »", True),
    ("«barriers such trade»", False),
    ("„barriers such trade“", False),
]


@pytest.mark.parametrize(("typed", "found"), PHRASES)
def test_a_quoted_phrase_is_found_only_as_written_whatever_the_quotation_marks(client, typed, found):
    """A reader looking for a quote puts it between quotation marks: the words must be found together and in
    that order, on the timeline and on the statements' index, on both databases. Curly quotes and guillemets
    were read as words on PostgreSQL, and SQLite read every phrase as its words in any order."""
    event = EventFactory(title="A speech in Detroit", summary="The president spoke.")
    StatementFactory(event=event, slug="barriers", text="Over the long run, such trade barriers hurt every worker.")
    EventFactory(title="Barriers to such trade", summary="Nothing else.")  # the words, not the phrase
    assert titles(urlencode({"q": typed})) == (["A speech in Detroit"] if found else [])
    html = client.get("/statements/", {"q": typed}).content.decode()
    assert ('id="statement-barriers"' in html) is found


@pytest.mark.parametrize(
    ("typed", "english", "french"),
    [
        ("“such trade barriers”", "“such trade barriers”", "« such trade barriers »"),
        ('"such trade barriers"', "“such trade barriers”", "« such trade barriers »"),
        ("«  tarifs  »", "“tarifs”", "« tarifs »"),
        ('"trade war" tariffs', "“&quot;trade war&quot; tariffs”", "« &quot;trade war&quot; tariffs »"),
    ],
)
def test_a_search_for_one_phrase_is_named_as_that_quotation_not_quoted_twice(client, typed, english, french):
    """The page's title read “““such trade barriers””” and « « tarifs » »."""
    for language, expected in [("", english), ("/fr", french)]:
        for path in ["/", "/statements/"]:
            html = client.get(f"{language}{path}", {"q": typed}).content.decode()
            title = " ".join(html.split("<title>")[1].split("</title>")[0].split())
            assert f": {expected} ·" in title, (language, path, title)


@pytest.mark.parametrize("typed", ["Canada-U.S.", "Canada–U.S.", "canada-u.s. summit", '"Canada-U.S. summit"'])
def test_a_word_with_a_dash_is_found_whichever_dash_the_text_has(client, typed):
    """PostgreSQL read "Canada-U.S." as a hyphenated word, which "Canada–U.S." (an en dash, as the demo writes
    it) is not: a reader typing a hyphen, as a phone does, found none of those events, and the other way round."""
    EventFactory(title="Canada–U.S. summit", summary="Leaders met.")
    EventFactory(title="Canada-U.S. summit", summary="Leaders met again.")
    EventFactory(title="A summit in Canada", summary="Only the U.S. envoy came.")
    event = EventFactory(title="A speech", summary="Nothing else.")
    StatementFactory(event=event, slug="dash", text="The Canada‑U.S. summit went well.")  # a non-breaking hyphen
    assert sorted(titles(urlencode({"q": typed}))) == ["A speech", "Canada-U.S. summit", "Canada–U.S. summit"]
    assert 'id="statement-dash"' in client.get("/statements/", {"q": typed}).content.decode()


@pytest.mark.parametrize("typed", ["US tariffs", "U.S. tariffs", "us tariffs", "USA tariffs", "U.S tariffs"])
def test_an_abbreviation_is_found_with_or_without_its_periods(client, typed):
    """A phone types "US": PostgreSQL found 1 of the demo's 28 events on "U.S. tariffs" that way, and SQLite read
    "U.S." as the letters u and s."""
    EventFactory(title="U.S. tariffs on steel", summary="Duties begin.")
    EventFactory(title="US tariffs on lumber", summary="Duties rise.")
    event = EventFactory(title="A speech", summary="Nothing else.")
    StatementFactory(event=event, slug="abbreviation", text="These U.S. tariffs are unjustified.")
    EventFactory(title="Tariffs on Mexico", summary="Duties on Mexican goods.")
    assert sorted(titles(urlencode({"q": typed}))) == ["A speech", "U.S. tariffs on steel", "US tariffs on lumber"]
    assert 'id="statement-abbreviation"' in client.get("/statements/", {"q": typed}).content.decode()


@pytest.mark.parametrize("typed", ["USMCA", "CUSMA", "ACEUM", "cusma rules"])
def test_the_trade_agreement_is_found_under_each_of_its_names(typed):
    """The United States call it USMCA, Canada CUSMA, French ACEUM: on PostgreSQL, "USMCA" found 1 of the demo's
    11 CUSMA events."""
    EventFactory(title="USMCA review begins", summary="The terms are reviewed.")
    EventFactory(title="CUSMA rules kept", summary="Goods stay exempt.", title_fr="Les règles de l’ACEUM maintenues")
    EventFactory(title="Tariffs on Mexico", summary="Duties on Mexican goods.")
    found = titles(urlencode({"q": typed}))
    assert "CUSMA rules kept" in found
    assert ("USMCA review begins" in found) is (typed != "cusma rules")
    assert "Tariffs on Mexico" not in found


def test_a_word_with_a_dash_and_an_abbreviation_is_found_however_the_text_writes_them():
    """ "Canada-US" found nothing on either database: the demo writes "Canada–U.S."."""
    EventFactory(title="Canada–U.S. summit", summary="Leaders met.")
    EventFactory(title="A summit in Canada", summary="Only the envoy came.")
    assert titles(urlencode({"q": "Canada-US"})) == ["Canada–U.S. summit"]


@postgresql_only
def test_an_abbreviation_left_out_is_left_out_however_it_is_written():
    """On SQLite a word left out is not looked for (README)."""
    EventFactory(title="U.S. tariffs on steel", summary="Duties begin.")
    EventFactory(title="Tariffs on Mexico", summary="Duties on Mexican goods.")
    assert titles(urlencode({"q": "tariffs -US"})) == ["Tariffs on Mexico"]


def test_a_search_marks_words_not_the_middle_of_one(client):
    """SQLite marked "us" inside "business" for a search of "US"."""
    EventFactory(title="A business deal", summary="Signed with the U.S. at last.")
    html = client.get("/", {"q": "US deal"}).content.decode()
    assert "the <mark>U.S" in html  # PostgreSQL marks the word, "U.S", without the full stop
    assert "A business <mark>deal</mark>" in html


@postgresql_only
def test_a_word_with_a_dash_left_out_is_left_out_whichever_dash_the_text_has():
    """On SQLite a word left out is not looked for (README)."""
    EventFactory(title="Canada–U.S. summit", summary="Leaders met.")
    EventFactory(title="Canada-U.S. summit", summary="Leaders met again.")
    EventFactory(title="Mexico summit", summary="Leaders met.")
    assert titles(urlencode({"q": "summit -Canada-U.S."})) == ["Mexico summit"]


def test_a_phrase_left_out_leaves_none_of_its_words_required():
    """SQLite read `tariffs -"trade war"` as tariffs and war: the events the reader asked for were not found."""
    EventFactory(title="Steel tariffs doubled", summary="A measure on steel.")
    EventFactory(title="Tariffs in the trade war", summary="Another round.")
    assert "Steel tariffs doubled" in titles(urlencode({"q": 'tariffs -"trade war"'}))


def test_a_search_of_33_dashes_answers_with_a_note_on_every_search_surface(client):
    """On PostgreSQL it was a 500 everywhere ("tsquery stack too small"): each dash waits on a stack of 32."""
    EventFactory(title="Tariffs announced", summary="Duties on steel.")
    EventFactory(title="Lumber ruling", summary="A panel ruled on lumber.")
    dashes = "-" * 33
    for url in ["/", "/embed/"]:
        for headers in [{}, {"HX-Request": "true", "HX-Target": "results"}]:
            response = client.get(url, {"q": dashes}, headers=headers)
            assert response.status_code == 200, url
            assert f"Ignored the search \u201c{dashes}\u201d: it has no words to look for." in response.text, url
            assert "Tariffs announced" in response.text and "Lumber ruling" in response.text
    for url in ["/api/events", "/api/statements"]:
        response = client.get(url, {"q": dashes})
        assert response.status_code == 400, url
        assert response.json()["errors"] == [
            {"parameter": "q", "location": "query", "message": "it has no words to look for"}
        ]
    for url in ["/export/events.csv", "/export/statements.csv", "/export/events.ics", "/export/timeline.json"]:
        response = client.get(url, {"q": dashes})
        assert response.status_code == 400 and "q: it has no words to look for" in response.text, url
    assert client.get("/participants/", {"q": dashes}).status_code == 200
    # With words beside the dashes, the search runs, each term excluded at most once.
    assert titles(f"q=tariffs+{dashes}lumber") == ["Tariffs announced"]
    assert titles(f"q=tariffs+{dashes}") == ["Tariffs announced"]


def test_participant_search_finds_a_name_by_any_part():
    ParticipantFactory(name="Mark Carney")
    ParticipantFactory(name="Donald Trump")
    assert [p.name for p in Participant.objects.search("carn")] == ["Mark Carney"]
    assert [p.name for p in Participant.objects.search("  MARK   carney ")] == ["Mark Carney"]
    assert not Participant.objects.search("").exists()
    assert not Participant.objects.search("100%").exists()


# PostgreSQL


@postgresql_only
def test_statements_in_french_are_stemmed_in_french():
    event = EventFactory(title="Point de presse", summary="A briefing in Ottawa.")
    StatementFactory(event=event, text="Les mesures économiques du Canada.", language=Statement.Language.FRENCH)
    # French stems "économiques" and "économie" alike; English would not.
    assert titles("q=économie") == ["Point de presse"]


@postgresql_only
def test_statements_in_english_are_stemmed_in_english():
    event = EventFactory(title="Leaders met", summary="They met.")
    StatementFactory(event=event, text="Canada is not for sale.", language=Statement.Language.ENGLISH)
    assert titles("q=sales") == ["Leaders met"]


@postgresql_only
def test_title_outranks_summary_outranks_body():
    EventFactory(title="Meeting one", summary="Nothing.", body="The dairy file came up.")
    EventFactory(title="Meeting two", summary="Dairy quotas were discussed.")
    EventFactory(title="Dairy quotas meeting", summary="Nothing.")
    assert titles("q=dairy&sort=relevance") == ["Dairy quotas meeting", "Meeting two", "Meeting one"]


@postgresql_only
def test_search_uses_the_gin_indexes():
    EventFactory(title="Steel levy announced")
    plan = explain(Event.objects.published().search("steel"))  # the match, read once per page (search_matches)
    assert "timeline_event_search_idx" in plan
    assert "timeline_statement_search_idx" in plan


@postgresql_only
def test_participant_names_match_by_trigrams_best_first():
    ParticipantFactory(name="Mark Carney")
    ParticipantFactory(name="Mark Carneyson")
    ParticipantFactory(name="Donald Trump")
    assert [p.name for p in Participant.objects.search("Carny")] == ["Mark Carney", "Mark Carneyson"]
    assert "timeline_participant_name_trgm_idx" in explain(Participant.objects.search("Carny"))


@postgresql_only
def test_the_admins_participant_search_can_use_the_trigram_index():
    # Among a few thousand names, settled in the index as autovacuum leaves them, as the admin searches them (in
    # name order): among a handful, walking the index of the names in order (migration 0024) and testing each costs
    # the planner as little as the trigram index, and names just written wait in its pending list, which it costs
    # as read whole.
    Participant.objects.bulk_create(Participant(name=f"Person {n:04}", slug=f"person-{n}") for n in range(3000))
    ParticipantFactory(name="Mark Carney")
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('timeline_participant_name_trgm_idx')")
        cursor.execute("ANALYZE timeline_participant")
    assert "timeline_participant_name_trgm_idx" in explain(Participant.objects.filter(name__icontains="carn"))


# The participant index's name search


def test_the_participant_index_finds_names_and_keeps_the_search_across_pages(client, monkeypatch):
    monkeypatch.setattr("timeline.views.INDEX_PAGE_SIZE", 2)
    for name in ["Mark Carney", "Marc Garneau", "Mary Ng", "Donald Trump"]:
        InvolvementFactory(participant=ParticipantFactory(name=name))
    response = client.get("/participants/?q=mar")
    text = response.content.decode()
    assert "Mark Carney" in text and "Marc Garneau" in text and "Donald Trump" not in text
    assert 'value="mar"' in text
    assert "?q=mar&amp;page=2" in text
    assert 'rel="canonical" href="http://testserver/participants/?q=mar"' in text
    assert "Mary Ng" in client.get("/participants/?q=mar&page=2").content.decode()


@pytest.mark.parametrize("query", ["Car%00ney", "%00"])
def test_the_participant_index_ignores_nul_characters(client, query):
    """A NUL (%00) in the search was a 500 on PostgreSQL, which refuses it in text; it is dropped instead."""
    InvolvementFactory(participant=ParticipantFactory(name="Mark Carney"))
    response = client.get(f"/participants/?q={query}")
    assert response.status_code == 200 and "Mark Carney" in response.text
    assert "\x00" not in response.text


def test_the_participant_index_search_never_finds_a_participant_only_in_drafts(client):
    InvolvementFactory(participant=ParticipantFactory(name="Secret Envoy"), event=DraftEventFactory())
    text = client.get("/participants/?q=envoy").content.decode()
    assert "Secret Envoy" not in text
    assert "No participant\u2019s name matches \u201cenvoy\u201d." in text


@postgresql_only
def test_the_participant_index_forgives_a_misspelt_name(client):
    InvolvementFactory(participant=ParticipantFactory(name="Mark Carney"))
    assert "Mark Carney" in client.get("/participants/?q=Carny").content.decode()


def facet_counts(response) -> dict:
    return {name: {c.value: c.count for c in choices} for name, choices in response.context["facets"].items()}


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true", "HX-Target": "results"}])
@pytest.mark.parametrize("dates", ["", "&start=2025"])  # with dates, the overview also counts the years without them
def test_a_search_is_matched_once_per_timeline_page_however_many_counts_it_shows(client, headers, dates):
    """The total, each facet's counts and the overview's counts are taken over the events a search matches: each
    query embedding the text match itself was planned for a handful of rows, whatever the words, and evaluated it
    again (six times a page, each over 100 ms at 100,000 events); SQLite evaluated it again in each query too. The
    match is now read once; what the page shows is that of the matching published events, ranked, highlighted and
    quoted as before, drafts never among them."""
    dairy, lumber = TopicFactory(slug="dairy", name="Dairy"), TopicFactory(slug="lumber", name="Lumber")
    carney, trump = ParticipantFactory(slug="carney", country="CA"), ParticipantFactory(slug="trump", country="US")
    quotas = EventFactory(title="Dairy quotas challenged", summary="A panel.", topics=[dairy], start_date="2025-03-01")
    InvolvementFactory(event=quotas, participant=carney)
    InvolvementFactory(event=quotas, participant=trump)
    quoted = EventFactory(title="Leaders met", summary="They talked.", topics=[dairy, lumber], start_date="2025-05-06")
    InvolvementFactory(event=quoted, participant=carney)
    StatementFactory(event=quoted, speaker=carney, text="Our dairy farmers are not on the table.")
    EventFactory(title="Lumber duties", summary="Softwood.", topics=[lumber])
    draft = DraftEventFactory(title="Dairy deal drafted", summary="Secret.", topics=[lumber])
    InvolvementFactory(event=draft, participant=trump)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/?q=dairy&sort=relevance{dates}", headers=headers)
    assert response.status_code == 200
    # The match is read from the published events' search documents (PostgreSQL), never from the events' own
    # vectors, or from the event words, each event's own and its statements' (SQLite); the quote a card shows is
    # matched among its statements.
    match = f"FROM {search_documents.TABLE}" if connection.vendor == "postgresql" else f"FROM {fulltext.EVENT_WORDS}"
    matching = [query["sql"] for query in queries.captured_queries if match in query["sql"]]
    assert len(matching) == 1
    assert not any('"search_vector_fr" @@' in query["sql"] for query in queries.captured_queries)
    text = response.text
    assert text.index("<mark>Dairy</mark> quotas challenged") < text.index("Leaders met")
    assert "Our <mark>dairy</mark> farmers are not on the table." in text
    assert "drafted" not in text and "Lumber duties" not in text
    assert response.context["page"].total == 2
    assert facet_counts(response) == {
        "participant": {"carney": 2, "trump": 1},
        "topic": {"dairy": 2, "lumber": 1},
        "type": {"meeting": 2},
        "country": {"CA": 2, "US": 1},
        "has_statements": {"yes": 1, "no": 1},
    }
    narrowed = client.get("/?q=dairy&topic=lumber", headers=headers)
    assert "Leaders met" in narrowed.text and "quotas challenged" not in narrowed.text
    assert facet_counts(narrowed)["topic"] == {"dairy": 2, "lumber": 1}
    assert facet_counts(narrowed)["participant"] == {"carney": 1}


def test_each_card_quotes_its_most_important_statement_the_search_found(client):
    """Under a search, a card quotes the most important of its statements the words are found in (the earlier said
    first), its words marked; without one, or where none of them has the words, its most important statement."""
    leaders = EventFactory(title="Leaders met", summary="They talked at length.", start_date="2025-03-01")
    StatementFactory(event=leaders, text="Softwood is not on the table.", importance=3)
    StatementFactory(event=leaders, text="Dairy farmers first.", importance=1)
    StatementFactory(event=leaders, text="Dairy quotas stay.", importance=2)
    StatementFactory(event=leaders, text="Dairy again, said earlier.", importance=2, said_on="2025-01-02")
    panel = EventFactory(title="Dairy panel", summary="A ruling at length.", start_date="2025-04-01")
    StatementFactory(event=panel, text="We will appeal.", importance=2)
    StatementFactory(event=panel, text="Dairy is protected.", importance=1)

    def quotes(query: str) -> list[str]:
        html = client.get(f"/?{query}").text
        return [text for text in QUOTES if text in html]

    assert quotes("q=dairy") == ["<mark>Dairy</mark> again, said earlier.", "<mark>Dairy</mark> is protected."]
    assert quotes("") == quotes("q=length") == ["Softwood is not on the table.", "We will appeal."]
    assert quotes("q=leaders") == ["Softwood is not on the table."]


QUOTES = [
    "<mark>Dairy</mark> again, said earlier.",
    "<mark>Dairy</mark> is protected.",
    "Softwood is not on the table.",
    "We will appeal.",
    "Dairy farmers first.",
    "Dairy quotas stay.",
]
