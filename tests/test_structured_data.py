"""schema.org JSON-LD on event pages, and OpenGraph / Twitter card tags on every page."""

import datetime
import json

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
from tests.htmlparse import elements, meta
from tests.test_drafts_never_leak import SURFACES, newsroom  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

D = datetime.date
HOSTILE = 'He said </script><script>alert("x")</script> and <!-- then & left'


def json_ld(html) -> dict:
    scripts = [s for s in elements(html, "script") if s.get("type") == "application/ld+json"]
    assert len(scripts) == 1
    return json.loads(scripts[0]["_text"])


@pytest.fixture
def event():
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney", wikidata_id="Q123")
    RoleFactory(participant=carney, title="Prime Minister of Canada", start=D(2025, 3, 14))
    trump = ParticipantFactory(slug="donald-trump", name="Donald Trump", country="US")
    canada = ParticipantFactory(slug="canada", name="Government of Canada", kind="government")
    source = SourceFactory(title="CBC report", publisher="CBC News", url="https://www.cbc.ca/news/report")
    event = EventFactory(
        slug="meeting",
        title="Meeting",
        summary="Leaders met.",
        start_date=D(2025, 5, 1),
        date_precision="month",
        location="White House",
        topics=[TopicFactory(slug="trade", name="Trade")],
        sources=[source],
    )
    InvolvementFactory(event=event, participant=trump, part="host")
    InvolvementFactory(event=event, participant=carney, part="guest")
    InvolvementFactory(event=event, participant=canada, part="attendee")
    StatementFactory(event=event, speaker=carney, text=HOSTILE, said_on=D(2025, 5, 6), sources=[source])
    StatementFactory(event=event, speaker=trump, text="A paraphrase.", kind="paraphrase", said_on=None)
    return event


def test_event_page_carries_schema_org_event(client, event):
    data = json_ld(client.get("/events/meeting/").content)

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["url"] == "http://testserver/events/meeting/"
    assert data["name"] == "Meeting"
    assert data["startDate"] == "2025-05"  # known only to the month
    assert data["location"] == {"@type": "Place", "name": "White House"}
    assert [p["name"] for p in data["organizer"]] == ["Donald Trump"]
    assert [p["name"] for p in data["performer"]] == ["Donald Trump", "Mark Carney"]
    carney = data["performer"][1]
    assert carney == {
        "@type": "Person",
        "name": "Mark Carney",
        "url": "http://testserver/participants/mark-carney/",
        "sameAs": "https://www.wikidata.org/wiki/Q123",
        "jobTitle": "Prime Minister of Canada",
    }
    assert data["attendee"] == [
        {
            "@type": "GovernmentOrganization",
            "name": "Government of Canada",
            "url": "http://testserver/participants/canada/",
        }
    ]
    assert data["citation"][0]["url"] == "https://www.cbc.ca/news/report"


def test_statements_are_quotations_with_citations_and_cannot_close_the_script(client, event):
    html = client.get("/events/meeting/").content.decode()

    assert "</script><script>" not in html
    quotation, claim = json_ld(html)["subjectOf"]
    assert quotation["@type"] == "Quotation"
    assert quotation["text"] == HOSTILE  # exactly as said, once parsed
    assert quotation["creator"]["name"] == "Mark Carney"
    assert quotation["dateCreated"] == "2025-05-06"
    assert quotation["citation"] == [
        {
            "@type": "NewsArticle",
            "name": "CBC report",
            "url": "https://www.cbc.ca/news/report",
            "publisher": {"@type": "Organization", "name": "CBC News"},
            "datePublished": "2025-05-06",
        }
    ]
    assert claim["@type"] == "Claim"  # a paraphrase is not a quotation
    assert claim["author"]["name"] == "Donald Trump"
    assert "dateCreated" not in claim


def social(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return meta(response.content)


def test_event_page_has_social_card_tags(client, event):
    tags = social(client, "/events/meeting/")

    assert tags["og:type"] == "article"
    assert tags["og:title"] == tags["twitter:title"] == "Meeting"
    assert tags["og:description"] == "May 2025. Leaders met."
    assert tags["og:url"] == "http://testserver/events/meeting/"
    assert tags["og:site_name"] == "Timeline"
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["og:image"] == "http://testserver/events/meeting/preview.png"


def test_social_tags_escape_hostile_text(client):
    EventFactory(slug="hostile", title='"><script>alert(1)</script>', summary="a & b")
    response = client.get("/events/hostile/")

    assert b"<script>alert(1)" not in response.content
    assert meta(response.content)["og:title"] == '"><script>alert(1)</script>'


@pytest.mark.parametrize(
    ("url", "title", "kind"),
    [
        ("/", "Canada–U.S. relations", "website"),
        ("/participants/mark-carney/", "Mark Carney", "profile"),
        ("/topics/trade/", "Trade", "website"),
        ("/embed/", "Canada–U.S. relations", "website"),
    ],
)
def test_every_page_has_social_card_tags(client, event, url, title, kind):
    tags = social(client, url)

    assert tags["og:title"] == tags["twitter:title"] == title
    assert tags["og:type"] == kind
    assert tags["og:url"].startswith("http://testserver/")
    assert tags["og:description"] and tags["twitter:description"] == tags["og:description"]
    assert tags["twitter:card"] == "summary_large_image"  # with the link preview, tests/test_previews.py
    assert tags["og:image"].startswith("http://testserver/") and tags["og:image"].endswith("preview.png")


def test_every_page_has_one_description_which_its_cards_repeat(client, newsroom):  # noqa: F811
    """Every page but a statement's had two descriptions, its template's and the cards' (the site's, on a list):
    now one, the page's own, the cards' too."""
    walked = set()
    for route, url in SURFACES:
        response = client.get(url)
        if route.startswith("api:") or response.status_code == 302 or "text/html" not in response["Content-Type"]:
            continue  # the API's pages; the language switch's redirect; a feed, a file, an image
        descriptions = [
            tag["content"] for tag in elements(response.content, "meta") if tag.get("name") == "description"
        ]
        assert len(descriptions) == 1, (url, descriptions)
        tags = meta(response.content)
        assert tags["og:description"] == tags["twitter:description"] == descriptions[0], url
        walked.add(route)
    assert walked >= {  # and the not-found page, for a draft
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
    }


@pytest.mark.parametrize(
    ("url", "description"),
    [
        ("/", "Canada–U.S. relations event by event: what happened, who said what, and the sources for every line."),
        (
            "/?topic=trade&q=a+%26+b",
            "Canada–U.S. relations event by event: what happened, who said what, and the sources for every line. "
            "Filtered: “a & b”, Trade.",
        ),
        (
            "/statements/",
            "Who said what in Canada–U.S. relations: every quote and paraphrase, with its speaker, date, "
            "event and sources.",
        ),
        ("/topics/", "The topics of the Canada–U.S. relations timeline."),
        ("/events/meeting/", "May 2025. Leaders met."),
    ],
)
def test_the_description_is_the_page_s_own(client, event, url, description):
    assert meta(client.get(url).content)["description"] == description


@pytest.mark.parametrize(
    ("url", "description"),
    [
        ("/fr/", "Les relations canado-américaines, événement par événement\u00a0: "),
        ("/fr/participants/donald-trump/", "Fonctions, déclarations et événements\u00a0: Donald Trump."),
        (
            "/fr/statements/{statement}/",
            '«\u00a0He said </script><script>alert("x")</script> and <!-- then & left\u00a0»',
        ),
    ],
)
def test_french_descriptions_keep_their_no_break_spaces(client, event, url, description):
    """French puts a no-break space before a colon and inside guillemets, which the cards' descriptions turned into
    an ordinary space (where a line may break)."""
    statement = event.statements.get(kind="quote")
    tags = meta(client.get(url.format(statement=statement.slug)).content)
    for name in ("description", "og:description", "twitter:description"):
        assert tags[name].startswith(description), (name, tags[name])
