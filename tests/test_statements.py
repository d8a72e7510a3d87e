"""The statements index ("who said what") and each statement's own page: filters, facets, the htmx partial,
paging, citations and structured data, drafts never shown, bad input answered with a note."""

import collections
import datetime
import json
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    ParticipantFactory,
    RoleFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from tests.htmlparse import Page
from timeline import facets
from timeline.models import Event, Participant, Statement, Topic

D = datetime.date
pytestmark = pytest.mark.django_db

HTMX_RESULTS = {"HX-Request": "true", "HX-Target": "results"}


def page(response) -> Page:
    assert response.status_code == 200, response.status_code
    return Page(response.content.decode())


def listed(response) -> list[str]:
    """The statements' pages linked from the results, in order."""
    return re.findall(r'class="statement-link" href="/(?:fr/)?statements/([^/"]+)/"', response.content.decode())


@pytest.fixture
def quotes():
    """Who said what at two published events, in two languages, with a draft beside them."""
    trump = ParticipantFactory(slug="donald-trump", name="Donald Trump", country="US")
    RoleFactory(participant=trump, title="President of the United States", start=D(2025, 1, 20))
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney", country="CA")
    RoleFactory(participant=carney, title="Prime Minister of Canada", start=D(2025, 3, 14))
    sovereignty = TopicFactory(slug="sovereignty", name="Sovereignty")
    tariffs = TopicFactory(slug="tariffs", name="Tariffs")
    paper = SourceFactory(slug="paper", title="Trump repeats 51st state remark", publisher="The Canadian Press")
    throne = EventFactory(slug="throne-speech", title="Speech from the Throne", start_date=D(2025, 5, 27))
    throne.topics.add(sovereignty)
    meeting = EventFactory(slug="oval-office", title="Oval Office meeting", start_date=D(2025, 5, 6))
    meeting.topics.add(tariffs, sovereignty)
    StatementFactory(
        slug="trump-51st",
        event=throne,
        speaker=trump,
        text="if they become our cherished 51st State.",
        said_on=D(2025, 5, 27),
        sources=[paper],
    )
    StatementFactory(
        slug="carney-not-for-sale",
        event=meeting,
        speaker=carney,
        text="It's not for sale, it won't be for sale, ever.",
        said_on=D(2025, 5, 6),
        sources=[paper],
    )
    StatementFactory(
        slug="carney-fr",
        event=meeting,
        speaker=carney,
        text="Le Canada n'est pas à vendre.",
        language="fr",
        kind=Statement.Kind.PARAPHRASE,
        said_on=None,
    )
    draft = DraftEventFactory(slug="draft-event", title="Secret draft")
    StatementFactory(slug="draft-quote", event=draft, speaker=trump, text="Secret 51st State words.")
    return throne


# The index


def test_the_index_lists_every_public_statement_and_no_draft(client, quotes):
    response = client.get("/statements/")
    assert sorted(listed(response)) == ["carney-fr", "carney-not-for-sale", "trump-51st"]
    text = page(response).text
    assert "3 statements" in text and "Secret" not in text


def test_the_index_is_in_the_site_navigation(client, quotes):
    nav = page(client.get("/")).find("a", href="/statements/")
    assert nav, "no link to the statements index"
    assert page(client.get("/statements/")).find("a", href="/statements/", **{"aria-current": "page"})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("speaker=donald-trump", ["trump-51st"]),
        ("speaker=mark-carney&language=fr", ["carney-fr"]),
        ("topic=tariffs", ["carney-not-for-sale", "carney-fr"]),
        ("topic=tariffs&topic=sovereignty", ["carney-not-for-sale", "carney-fr", "trump-51st"]),
        ("kind=paraphrase", ["carney-fr"]),
        ("kind=quote&sort=newest", ["trump-51st", "carney-not-for-sale"]),
        ("start=2025-05-20", ["trump-51st"]),
        ("end=2025-05", ["carney-not-for-sale", "carney-fr", "trump-51st"]),
        ("end=2025-05-10", ["carney-not-for-sale", "carney-fr"]),  # no date of its own: its event's
        ("q=51st+state", ["trump-51st"]),
        ("q=sale", ["carney-not-for-sale"]),
        ("q=nothing-like-this", []),
    ],
)
def test_filters(client, quotes, query, expected):
    assert listed(client.get(f"/statements/?{query}")) == expected


def test_statements_are_read_in_the_order_said_not_in_their_events_order(client, quotes):
    """A statement is read under the day it was said, whatever its event's date; one with no date of its own
    under its event's, which follows the event when its date changes."""
    StatementFactory(
        slug="said-before-its-event",
        event=quotes,  # the Throne Speech, May 27
        speaker=ParticipantFactory(slug="leblanc"),
        said_on=D(2025, 5, 1),
    )
    assert listed(client.get("/statements/")) == [
        "said-before-its-event",
        "carney-not-for-sale",
        "carney-fr",
        "trump-51st",
    ]
    assert listed(client.get("/statements/?start=2025-05-02")) == ["carney-not-for-sale", "carney-fr", "trump-51st"]
    Event.objects.filter(slug="oval-office").update(start_date=D(2025, 6, 1))  # carney-fr has no date of its own
    expected = ["said-before-its-event", "carney-not-for-sale", "trump-51st", "carney-fr"]
    assert listed(client.get("/statements/")) == expected
    assert listed(client.get("/statements/?sort=newest")) == expected[::-1]


def test_search_highlights_the_words_found(client, quotes):
    html = client.get("/statements/?q=51st+state").content.decode()
    assert "<mark>51st</mark>" in html and re.search(r"<mark>State</mark>", html)
    assert "“51st state”" in Page(html).text  # named among the filters in use


def test_a_hostile_search_is_escaped_not_markup(client, quotes):
    html = client.get("/statements/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)" not in html


def test_facets_count_statements_under_the_other_filters(client, quotes):
    html = page(client.get("/statements/?speaker=mark-carney"))
    counts = {
        label["for"]: " ".join(text.split())
        for (tag, label), text in zip(html.elements, html.texts, strict=True)
        if tag == "label" and label.get("for", "").split("-")[0] in ("speaker", "topic", "language", "kind")
    }
    # The speakers' counts ignore the speaker chosen; every other facet counts Mark Carney's two statements.
    assert counts["speaker-donald-trump"].startswith("Donald Trump 1")
    assert counts["speaker-mark-carney"].startswith("Mark Carney 2")
    assert counts["topic-tariffs"].startswith("Tariffs 2")
    assert counts["topic-sovereignty"].startswith("Sovereignty 2")
    assert counts["language-fr"].startswith("French 1") and counts["language-en"].startswith("English 1")
    assert counts["kind-paraphrase"].startswith("Paraphrase 1")
    assert [box for box in html.find("input", name="speaker", value="mark-carney") if "checked" in box]


def crowded_by_busier_speakers():
    """As many speakers as the facet ranks (RANKED), each with two English quotes at a meeting on trade in 2025;
    and Zed Quiet, with one such quote and a French paraphrase at an event of 2019: fewer statements under any
    filters, and last by name among equal counts, so never among the ranked."""
    from timeline.facets import RANKED

    meeting = EventFactory(start_date=D(2025, 5, 6), topics=[TopicFactory(slug="trade", name="Trade")])
    for n in range(RANKED):
        speaker = ParticipantFactory(slug=f"busy-{n:02}", name=f"Busy {n:02}")
        StatementFactory.create_batch(2, event=meeting, speaker=speaker)
    quiet = ParticipantFactory(slug="zed-quiet", name="Zed Quiet")
    StatementFactory(event=meeting, speaker=quiet)
    StatementFactory(
        event=EventFactory(start_date=D(2019, 10, 21)),
        speaker=quiet,
        text="Nous avons dit autre chose.",
        language="fr",
        kind="paraphrase",
        said_on=D(2019, 10, 21),
    )


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("", 2),  # the kept counts
        ("&language=en", 1),  # kept by profile
        ("&topic=trade", 1),  # kept by topic
        ("&kind=quote&topic=trade", 1),
        ("&start=2025", 1),  # counted over the keys of the statements selected
        ("&q=memorable", 1),
        ("&language=fr", 1),
        ("&speaker=busy-00", 2),  # another speaker selected too: the speakers' counts ignore them
    ],
)
def test_a_selected_speaker_outside_the_ranked_shows_its_true_count(client, query, count):
    """The speakers' counts are ranked without the selection (so that they are shared by every selection under
    the same other filters): a speaker chosen from beyond them showed 0 statements beside its name."""
    crowded_by_busier_speakers()
    html = client.get("/statements/?speaker=zed-quiet" + query).content.decode()
    counts = dict(re.findall(r'<label for="speaker-([\w-]+)">[^<]*<span class="count">(\d+)<', html))
    assert counts["zed-quiet"] == str(count)
    assert counts["busy-00"] == "2" if query != "&language=fr" else "busy-00" not in counts


def counted_by_hand(query: str, excluded: str = "") -> list[Statement]:
    """The published statements the filters of `query` (all but `excluded`) select, chosen one by one here."""
    from urllib.parse import parse_qs

    params = {name: values for name, values in parse_qs(query).items() if name != excluded}
    chosen = []
    for statement in Statement.objects.published().select_related("speaker", "event"):
        said = statement.said_on or statement.event.start_date
        values = {
            "speaker": {statement.speaker.slug},
            "topic": {topic.slug for topic in statement.event.topics.all()},
            "language": {statement.language},
            "kind": {statement.kind},
        }
        checks = {name: (lambda v, own=own: bool(own & set(v))) for name, own in values.items()}
        checks["start"] = lambda v, said=said: said >= datetime.date.fromisoformat(v[0])
        checks["end"] = lambda v, said=said: said <= datetime.date.fromisoformat(v[0])
        text = statement.text.lower()
        checks["q"] = lambda v, text=text: v[0] in text
        if all(checks[name](values) for name, values in params.items()):
            chosen.append(statement)
    return chosen


@pytest.mark.parametrize(
    "query",
    [
        "",
        "language=fr",  # read from the kept counts, by profile
        "kind=quote",
        "language=en&kind=quote",
        "language=en&language=fr&kind=paraphrase",
        "speaker=mark-carney",  # languages, kinds and total kept by speaker; topics counted over the keys
        "speaker=mark-carney&speaker=donald-trump&kind=quote",
        "topic=tariffs",  # languages, kinds and total kept by topic; speakers counted over the keys
        "topic=tariffs&language=en",
        "topic=tariffs&topic=sovereignty",  # a statement on both topics counts once
        "topic=tariffs&topic=sovereignty&kind=quote",
        "speaker=mark-carney&language=fr&topic=sovereignty",
        "start=2025-05-20",  # counted over the keys of the statements the filters select
        "end=2025-05-10&kind=paraphrase",
        "q=sale",
        "q=sale&language=en&speaker=mark-carney",
    ],
)
def test_every_count_is_that_of_the_statements_the_filters_select(quotes, query):
    """However the counts are read (kept, kept by profile, or counted over the keys), they are those of the
    published statements each selection holds, counted one by one here."""
    from django.http import QueryDict

    from timeline import facets
    from timeline.statement_filters import StatementListFilter

    StatementFactory(slug="second-topic-quote", event=quotes, speaker=Participant.objects.get(slug="mark-carney"))
    quotes.topics.add(Topic.objects.get(slug="tariffs"))
    filterset = StatementListFilter(QueryDict(query))
    shown = facets.statement_facets(filterset)
    values = {
        "speaker": lambda s: [s.speaker.slug],
        "topic": lambda s: [topic.slug for topic in s.event.topics.all()],
        "language": lambda s: [s.language],
        "kind": lambda s: [s.kind],
    }
    for name, value in values.items():
        expected = collections.Counter(v for statement in counted_by_hand(query, name) for v in value(statement))
        assert {choice.value: choice.count for choice in shown[name] if choice.count} == expected, name
    assert facets.statement_total(filterset) == len(counted_by_hand(query))


def test_the_partial_is_the_results_with_the_facets_out_of_band(client, quotes):
    response = client.get("/statements/?speaker=donald-trump", headers=HTMX_RESULTS)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert listed(response) == ["trump-51st"]
    assert 'id="facets" class="facets" hx-swap-oob="true"' in html
    assert "Vary" in response and {"HX-Request", "HX-Target"} <= {v.strip() for v in response["Vary"].split(",")}
    assert "no-store" in response["Cache-Control"]
    full = client.get("/statements/?speaker=donald-trump")
    assert "<html" in full.content.decode() and "HX-Target" in full["Vary"]


def test_a_history_restore_gets_the_full_page(client, quotes):
    response = client.get("/statements/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_the_form_works_without_javascript_and_keeps_its_values(client, quotes):
    html = page(client.get("/statements/?q=sale&speaker=mark-carney&kind=quote"))
    form = html.form("filters")
    assert form["q"] == ["sale"] and form["speaker"] == ["mark-carney"] and form["kind"] == ["quote"]
    assert html.find("form", id="filters", method="get", action="/statements/")


def test_a_filter_in_use_links_to_the_index_without_it(client, quotes):
    html = page(client.get("/statements/?speaker=mark-carney&kind=quote"))
    assert html.find("a", href="?kind=quote") and html.find("a", href="?speaker=mark-carney")


def test_a_backwards_range_is_shown_the_right_way_round_so_the_next_change_keeps_it(client, quotes):
    html = page(client.get("/statements/?start=2025-06&end=2025-05"))
    form = html.form("filters")
    assert len(listed(client.get("/statements/?" + urlencode(form, doseq=True)))) == 3
    assert (form["start"], form["end"]) == (["2025-05-01"], ["2025-06-30"])


def test_both_dates_are_one_filter_in_use_named_as_a_range(client, quotes):
    html = page(client.get("/statements/?start=2025-05&end=2025-06&speaker=mark-carney"))
    assert "Statements: 1 May\u201330 June 2025, said by Mark Carney" in html.text  # the title
    assert html.find("a", href="?speaker=mark-carney") and html.find("a", href="?start=2025-05-01&end=2025-06-30")
    french = page(client.get("/fr/statements/?start=2025-05&end=2025-06"))
    assert "Déclarations : du 1er mai au 30 juin 2025" in french.text


@pytest.mark.parametrize(
    "query",
    [
        "speaker=nobody",
        "topic=../../etc",
        "language=xx",
        "kind=rant",
        "start=2025-13-45",
        "end=yesterday",
        "sort=loudest",
        "page=abc",
        "page=999",
        "page=-1",
        "q=" + "x" * 500,
        "q=%00",
        "speaker=" + "&speaker=".join(f"p{n}" for n in range(30)),
        "sort=relevance",
    ],
)
def test_bad_input_gets_the_page_with_a_note_never_an_error(client, quotes, query):
    for headers in ({}, HTMX_RESULTS):
        response = client.get(f"/statements/?{query}", headers=headers)
        assert response.status_code == 200, (query, headers)
        assert 'class="notes"' in response.content.decode(), query


def test_paging_keeps_the_filters(client, quotes, monkeypatch):
    monkeypatch.setattr("timeline.views.STATEMENT_PAGE_SIZE", 1)
    first = client.get("/statements/?speaker=mark-carney")
    html = page(first)
    assert "Statements 1–1 of 2" in html.text
    assert html.find("a", href="?speaker=mark-carney&page=2", rel="next")
    second = client.get("/statements/?speaker=mark-carney&page=2")
    assert listed(second) == ["carney-fr"]


def build_statements(count: int):
    speaker = ParticipantFactory(slug="speaker", name="A Speaker")
    RoleFactory(participant=speaker, title="Minister", start=D(2020, 1, 1))
    topic = TopicFactory(slug="trade")
    for n in range(count):
        event = EventFactory(slug=f"e-{n}", start_date=D(2025, 1, 1) + datetime.timedelta(days=n))
        event.topics.add(topic)
        StatementFactory(event=event, speaker=speaker, sources=[SourceFactory(), SourceFactory()])
    return Statement.objects.order_by("pk").last()


@pytest.mark.parametrize("language", ["", "/fr"])
@pytest.mark.parametrize("count", [2, 12])
@pytest.mark.parametrize(
    ("path", "queries", "headers"),
    [
        ("/statements/", 8, {}),
        (
            "/statements/?speaker=speaker&topic=trade&q=memorable&kind=quote&language=en",
            {"postgresql": 11, "sqlite": 12},
            {},
        ),
        ("/statements/?q=memorable", {"postgresql": 7, "sqlite": 8}, HTMX_RESULTS),
        ("/statements/?start=2025-01-02&end=2026", 7, HTMX_RESULTS),
        ("/statements/?start=2025-01-02&kind=quote&language=en", 11, {}),
        ("/statements/?q=memorable&start=2025-01-02", {"postgresql": 8, "sqlite": 9}, {}),
        ("/statements/?start=2025-01-02&topic=trade", 10, {}),
        ("/statements/{statement}/", 4, {}),
    ],
)
def test_query_counts_do_not_grow_with_the_number_of_statements(
    client, django_assert_num_queries, count, path, queries, headers, language
):
    """Guards against N+1 queries: each listed statement's speaker, event and sources, the facets' names, and a
    statement page's speaker roles and sources. Index: the data version, count, page, sources (one prefetch),
    four facets (one query each), one lookup per slug parameter given. Under a search alone, the count and the
    four facets are two queries (the matches read, from their documents or the full-text index, then their keys
    counted; on SQLite, the matches are counted first, to choose how to read them), and the speakers and topics
    counted are named in one query each (under a speaker or topic too, and the page's ids read first from the ids
    of the statements they select, then its statements); under a date range alone, the
    statements said in it are counted from their keys by day, then the four facets in one query (with a language and
    a kind, from their keys by profile and day, and the language's and kind's own facets each so, under the other
    filter; with one topic, from its keys by topic and day, and the page's ids read from them in the order said,
    then its statements); under a search
    within a range, its matches in the range are read with their profiles, then their keys counted, and the page's
    ids walked from the range's first day (on SQLite, the range's statements counted first, to choose how to walk
    them), then its statements. Statement page: the
    data version, the statement with its speaker and event, its sources, its speaker's roles."""
    statement = build_statements(count)
    if isinstance(queries, dict):
        queries = queries[connection.vendor]
    with django_assert_num_queries(queries):
        response = client.get(language + path.format(statement=statement.slug), headers=headers)
    assert response.status_code == 200


# A statement's page


def test_a_statement_page_has_the_words_speaker_role_event_sources_and_citation(client, quotes):
    html = page(client.get("/statements/carney-not-for-sale/"))
    text = html.text
    assert "It's not for sale, it won't be for sale, ever." in text
    assert "Mark Carney, Prime Minister of Canada" in text  # the role held on 6 May 2025
    assert html.find("a", href="/events/oval-office/")
    assert html.find("a", href="/participants/mark-carney/")
    assert "Trump repeats 51st state remark" in text
    assert html.find("a", href=Statement.objects.get(slug="carney-not-for-sale").sources.get().url)
    response = client.get("/statements/carney-not-for-sale/")
    textarea = re.search(r'<textarea id="citation-text"[^>]*>([^<]*)</textarea>', response.content.decode())
    cited = textarea.group(1)
    assert cited.startswith("Mark Carney, Prime Minister of Canada: “It&#x27;s not for sale")
    assert (
        "6 May 2025" in cited
        and "The Canadian Press" in cited
        and "http://testserver/statements/carney-not-for-sale/" in cited
    )


def test_the_role_is_the_one_held_when_it_was_said(client, quotes):
    StatementFactory(slug="trump-early", event=quotes, speaker=quotes.statements.first().speaker, said_on=D(2025, 1, 6))
    assert "President of the United States" not in page(client.get("/statements/trump-early/")).text
    assert "President of the United States" in page(client.get("/statements/trump-51st/")).text


def test_a_statement_page_in_french_cites_in_french(client, quotes):
    response = client.get("/fr/statements/carney-not-for-sale/")
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Mark Carney, Prime Minister of Canada\u00a0: «\u00a0It&#x27;s not for sale" in html and "6 mai 2025" in html


def test_a_statement_page_says_what_it_is_as_schema_org_quotation(client, quotes):
    html = client.get("/statements/trump-51st/").content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Quotation"
    assert data["text"] == "if they become our cherished 51st State."
    assert data["spokenByCharacter"]["name"] == "Donald Trump"
    assert data["spokenByCharacter"]["jobTitle"] == "President of the United States"
    assert data["dateCreated"] == "2025-05-27"
    assert data["about"]["url"] == "http://testserver/events/throne-speech/"
    assert data["citation"][0]["name"] == "Trump repeats 51st state remark"
    assert data["url"] == "http://testserver/statements/trump-51st/"


def test_a_paraphrase_is_a_claim_not_a_quotation(client, quotes):
    html = client.get("/statements/carney-fr/").content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Claim" and data["inLanguage"] == "fr"


def test_a_draft_statement_has_no_page(client, quotes):
    assert client.get("/statements/draft-quote/").status_code == 404
    assert client.get("/statements/no-such-statement/").status_code == 404


def test_a_statement_without_an_event_is_not_public(client, quotes):
    orphan = StatementFactory(slug="orphan", event=None, speaker=ParticipantFactory())
    assert client.get(f"/statements/{orphan.slug}/").status_code == 404
    assert "orphan" not in listed(client.get("/statements/"))


def test_a_draft_events_sources_are_not_on_a_statement_page(client, quotes):
    secret = SourceFactory(title="Secret draft source")
    draft = DraftEventFactory(slug="draft-two", sources=[secret])
    StatementFactory(slug="draft-two-quote", event=draft, sources=[secret])
    assert "Secret draft source" not in client.get("/statements/").content.decode()
    assert client.get("/statements/draft-two-quote/").status_code == 404


# The timeline finds an event by what was said at it, and shows the quote that matched


def test_the_timeline_search_finds_an_event_by_its_quote_and_shows_that_quote(client, quotes):
    StatementFactory(
        slug="throne-other",
        event=quotes,
        speaker=ParticipantFactory(slug="king", name="King Charles III"),
        text="The True North is indeed strong and free.",
        importance=3,
    )
    response = client.get("/?q=51st+state")
    html = response.content.decode()
    assert "Speech from the Throne" in html
    # The card shows the statement that matched, not the event's most important one, with the words marked.
    assert "<mark>51st</mark>" in html and "True North" not in html
    assert "/statements/trump-51st/" in html
    # Without a search, the most important statement is shown.
    assert "True North" in client.get("/").content.decode()


def test_a_shared_statement_link_unfurls_as_the_statement(client, quotes):
    html = Page(client.get("/statements/trump-51st/").content.decode())
    meta = {tag.get("property") or tag.get("name"): tag.get("content") for tag in html.find("meta")}
    assert meta["og:title"] == "Donald Trump, 27 May 2025"
    assert meta["og:description"] == meta["description"] == "“if they become our cherished 51st State.”"
    assert meta["og:url"] == "http://testserver/statements/trump-51st/"
    assert len(html.find("meta", name="description")) == 1


# Best match first


@pytest.fixture
def ranked():
    """Statements a search for "tariffs" finds, more or less well: two ties said on one day, one said on a day not
    known, and a paraphrase; a French one that "tarifs" finds; a draft's, found but never listed."""
    speaker = ParticipantFactory(slug="speaker", name="A Speaker")
    event = EventFactory(slug="talks", start_date=D(2025, 3, 1))
    said = {
        "thrice": ("Tariffs, tariffs and more tariffs.", D(2025, 3, 9), "quote", "en"),
        "first-tie": ("We oppose these tariffs.", D(2025, 3, 2), "quote", "en"),
        "undated": ("We oppose the tariffs.", None, "quote", "en"),
        "second-tie": ("We oppose all tariffs.", D(2025, 3, 2), "quote", "en"),
        "paraphrase": ("Tariffs on tariffs, they said.", D(2025, 2, 1), "paraphrase", "en"),
        "french": ("Nous refusons ces tarifs.", D(2025, 3, 3), "quote", "fr"),
        "unrelated": ("Dairy quotas stay.", D(2025, 3, 4), "quote", "en"),
    }
    for slug, (text, day, kind, language) in said.items():
        StatementFactory(event=event, speaker=speaker, slug=slug, text=text, said_on=day, kind=kind, language=language)
    StatementFactory(event=DraftEventFactory(slug="draft"), speaker=speaker, slug="drafted", text="Tariffs tariffs.")


def in_rank_order(q: str, **filters) -> list[str]:
    """The order the statements' own rows give: rank, then the day said (unknown last), then id."""
    found = Statement.objects.published().filter(**filters).search(q)
    order = ["-search_rank", F("said_on").asc(nulls_last=True), "pk"]
    return list(found.order_by(*order).values_list("slug", flat=True))


@pytest.mark.parametrize("sample", [1, 2500], ids=["past a sample", "within a sample"])
@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ({"q": "tariffs"}, {}),
        ({"q": "tariffs", "kind": "quote"}, {"kind": "quote"}),
        ({"q": "tariffs", "language": "en", "kind": "paraphrase"}, {"language": "en", "kind": "paraphrase"}),
        ({"q": "tarifs"}, {}),
        ({"q": "tarifs", "language": "fr"}, {"language": "fr"}),
        ({"q": "oppose tariffs"}, {}),
        ({"q": "tariffs -these"}, {}),
    ],
)
def test_best_match_first_lists_the_statements_as_their_rank_orders_them_page_by_page(
    client, ranked, monkeypatch, query, filters, sample
):
    """Past a sample's size of matches, on PostgreSQL, the page is ranked from the search documents, and within it,
    read by the matches' ids: either way in the order the statements' own rows give, page after page, the draft's
    never."""
    expected = in_rank_order(query["q"], **filters)
    assert expected and "drafted" not in expected
    monkeypatch.setattr(facets, "SAMPLE_SIZE", sample)
    monkeypatch.setattr("timeline.views.STATEMENT_PAGE_SIZE", 2)
    numbers = range(1, -(-len(expected) // 2) + 1)  # every page there is, two a page
    pages = [listed(client.get("/statements/", {**query, "sort": "relevance", "page": n})) for n in numbers]
    assert [slug for page in pages for slug in page] == expected


@pytest.mark.parametrize("sample", [1, 2500], ids=["past a sample", "within a sample"])
def test_best_match_first_ranks_the_better_match_first_and_ties_by_the_day_said(client, ranked, monkeypatch, sample):
    monkeypatch.setattr(facets, "SAMPLE_SIZE", sample)
    order = listed(client.get("/statements/", {"q": "tariffs", "sort": "relevance"}))
    assert sorted(order) == ["first-tie", "paraphrase", "second-tie", "thrice", "undated"]
    if connection.vendor == "postgresql":  # SQLite does not rank: its order is the day said, then id
        assert order[:2] == ["thrice", "paraphrase"]  # three matches, then two
    ties = [slug for slug in order if slug in ("first-tie", "second-tie", "undated")]
    assert ties == ["first-tie", "second-tie", "undated"]  # said the same day, by id; a day unknown, last


@pytest.mark.sqlite
def test_sqlite_walks_a_word_most_statements_have_best_match_first_in_the_order_said(client, ranked, monkeypatch):
    """SQLite ranks every match the same, so best match first is the day said, a day not known last: a word most
    statements have is walked in that order, down the index of migration 0040, each statement tested, rather than
    every match read and sorted."""
    monkeypatch.setattr("timeline.querysets.MANY_MATCHES", 0)  # "tariffs": 5 of the 7 published statements
    monkeypatch.setattr("timeline.views.STATEMENT_PAGE_SIZE", 2)
    with CaptureQueriesContext(connection) as queries:
        pages = [
            listed(client.get("/statements/", {"q": "tariffs", "sort": "relevance", "page": n})) for n in (1, 2, 3)
        ]
    assert [slug for page in pages for slug in page] == in_rank_order("tariffs")
    assert pages[-1] == ["undated"]
    rows = [q["sql"] for q in queries if q["sql"].startswith('SELECT "timeline_statement"."id", "timeline_stat')]
    assert len(rows) == 3
    for sql in rows:
        # The page's ids first (paging.IdsFirst), walked in a subquery of their own, then the page's rows by id.
        assert re.search(r'\+[UV]0\."id" IN \(SELECT rowid FROM timeline_statement_fts', sql)
        with connection.cursor() as cursor:
            plan = " / ".join(row[-1] for row in cursor.execute("EXPLAIN QUERY PLAN " + sql).fetchall())
        assert re.search(r"SCAN [UV]0 USING INDEX statement_said_known_first_idx", plan), plan
        # Sorted: the page's own rows alone, read by id, never every match.
        assert plan.startswith("SEARCH timeline_statement USING INTEGER PRIMARY KEY"), plan
        assert plan.count("TEMP B-TREE FOR ORDER BY") == 1 and plan.endswith("USE TEMP B-TREE FOR ORDER BY"), plan


@pytest.mark.parametrize("query", [{}, {"q": "tariffs"}, {"q": "tariffs", "sort": "newest"}, {"language": "en"}])
def test_a_page_of_the_statements_index_reads_its_own_rows_alone(client, ranked, monkeypatch, query):
    """A page's ids come first, in the order listed, and only its own rows are then read with their event, speaker
    and highlights: read in one step, every statement before the page was (at 100,000 events, page 80 of a word
    most statements have: 71 → 13 ms on PostgreSQL)."""
    whole = listed(client.get("/statements/", query))
    monkeypatch.setattr("timeline.views.STATEMENT_PAGE_SIZE", 2)
    pages = []
    for number in range(1, -(-len(whole) // 2) + 1):
        with CaptureQueriesContext(connection) as queries:
            pages.append(listed(client.get("/statements/", {**query, "page": number})))
        [rows] = [q["sql"] for q in queries if q["sql"].startswith('SELECT "timeline_statement"."id", "timeline_stat')]
        ids, _, outer = rows.rpartition(")")
        assert re.search(r'"timeline_statement"\."id" IN \(SELECT [UV]\d\."id"', rows), rows
        offset = f" OFFSET {2 * (number - 1)}" if number > 1 else ""
        assert re.search(rf"LIMIT [12]{offset}$", ids) and "LIMIT" not in outer, rows
    assert [slug for page in pages for slug in page] == whole and len(whole) > 2


@pytest.mark.postgresql
def test_best_match_first_is_ranked_from_the_documents_and_reads_only_its_page(client, ranked, monkeypatch):
    monkeypatch.setattr(facets, "SAMPLE_SIZE", 1)  # past it: 5 matches
    monkeypatch.setattr("timeline.views.STATEMENT_PAGE_SIZE", 2)
    with CaptureQueriesContext(connection) as queries:
        client.get("/statements/", {"q": "tariffs", "sort": "relevance", "language": "en", "page": 2})
    ranking = [q["sql"] for q in queries if "ORDER BY CASE WHEN english IS NULL THEN ts_rank" in q["sql"]]
    assert len(ranking) == 1 and "timeline_searchdocument" in ranking[0] and "LIMIT 2 OFFSET 2" in ranking[0]
    [rows] = [q["sql"] for q in queries if q["sql"].startswith('SELECT "timeline_statement"."id", "timeline_stat')]
    assert '"timeline_statement"."id" IN (' in rows and "ts_rank" not in rows.split(" WHERE ")[1]
