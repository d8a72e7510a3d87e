"""Event cards are rendered once and reused until something they show changes (timeline/cards.py)."""

import datetime

import pytest

from tests.factories import (
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from timeline.models import Statement

pytestmark = pytest.mark.django_db


def cards_rendered(response) -> int:
    return [template.name for template in response.templates].count("_event_card.html")


@pytest.fixture
def two_events():
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    summit = EventFactory(slug="summit", title="G7 summit", topics=[TopicFactory(slug="trade", name="Trade")])
    InvolvementFactory(event=summit, participant=carney)
    meeting = EventFactory(slug="meeting", title="White House meeting")
    return summit, meeting


def test_a_card_is_rendered_again_only_when_its_event_changes(client, two_events):
    summit, meeting = two_events
    assert cards_rendered(client.get("/")) == 2
    meeting.title = "Oval Office meeting"
    meeting.save()
    response = client.get("/")
    assert cards_rendered(response) == 1  # the summit's card came from the cache
    assert "Oval Office meeting" in response.text and "G7 summit" in response.text


def test_a_card_shows_a_participant_renamed_elsewhere(client, two_events):
    client.get("/")
    carney = two_events[0].involvements.get().participant
    carney.name = "Mark J. Carney"
    carney.save()
    response = client.get("/")
    assert cards_rendered(response) == 1
    assert "Mark J. Carney" in response.text


def test_the_same_card_is_reused_on_another_page(client, two_events):
    client.get("/")
    response = client.get("/topics/trade/")
    assert "G7 summit" in response.text
    assert cards_rendered(response) == 0


def test_a_search_highlights_its_own_cards(client, two_events):
    client.get("/")
    response = client.get("/?q=summit")
    assert "<mark>" in response.text
    assert cards_rendered(response) == 1


def test_without_the_cache_every_card_is_rendered(client, two_events, settings):
    settings.TIMELINE_CACHE = False
    client.get("/")
    assert cards_rendered(client.get("/")) == 2


def test_a_card_shows_everything_about_its_event_in_the_readers_language(client, settings):
    """The card's values are worked out in Python (cards.Cards): each part as the template showed it."""
    settings.TIMELINE_CACHE = False
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    summit = EventFactory(
        slug="summit",
        title="G7 summit",
        title_fr="Sommet du G7",
        summary="Leaders met <in> Kananaskis.",
        location="Kananaskis",
        start_date=datetime.date(2025, 6, 16),
        end_date=datetime.date(2025, 6, 17),
        topics=[TopicFactory(slug="trade", name="Trade", name_fr="Commerce")],
    )
    InvolvementFactory(event=summit, participant=carney)
    StatementFactory(
        event=summit,
        speaker=carney,
        speaker_label="Prime Minister Mark Carney",
        kind=Statement.Kind.PARAPHRASE,
        language="en",
        text="Trade comes first.",
        said_on=datetime.date(2025, 6, 1),
        said_precision="month",
        slug="carney-trade",
    )
    html = client.get("/fr/").text
    card = html[html.index('<article class="event-card') : html.index("</article>")]
    assert 'id="event-summit" aria-labelledby="title-summit"' in card
    assert '<time datetime="2025-06-16">du 16 au 17 juin 2025</time>' in card
    assert '<span class="event-type">Rencontre</span>' in card
    # Written in English only: marked as such, and escaped.
    assert '<span class="event-location"><span lang="en">Kananaskis</span> <span class="in-english"' in card
    assert '<a href="/fr/events/summit/">Sommet du G7</a>' in card
    assert '<p class="event-summary" lang="en">Leaders met &lt;in&gt; Kananaskis.<span class="in-english"' in card
    assert '<p class="paraphrase" lang="en">Trade comes first.</p>' in card
    assert '<a href="/fr/participants/mark-carney/" lang="en">Prime Minister Mark Carney</a>' in card
    assert ', <time datetime="2025-06">juin 2025</time>' in card
    assert '<a class="statement-link" href="/fr/statements/carney-trade/">' in card
    assert '<a href="/fr/participants/mark-carney/">Mark Carney</a>' in card
    assert '<a href="/fr/topics/trade/">Commerce</a>' in card
    assert "1 déclaration · 0 source" in card


def test_a_listed_statement_shows_everything_about_it_on_each_page(client):
    """A statement's values in a list are worked out in Python (cards.statement_items): each part as the template
    showed it, on the statements' index, the speaker's page and the event's page."""
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    summit = EventFactory(
        slug="summit", title="G7 summit", title_fr="Sommet du G7", start_date=datetime.date(2025, 6, 16)
    )
    StatementFactory(
        event=summit,
        speaker=carney,
        speaker_label="Prime Minister Mark Carney",
        kind=Statement.Kind.QUOTE,
        language="en",
        text="Trade <comes> first.",
        said_on=None,
        context="At the closing press conference.",
        slug="carney-trade",
        sources=[SourceFactory(title="Closing remarks", publisher="PMO"), SourceFactory(title="Wire", publisher="")],
    )
    pages = {
        path: client.get(path).text
        for path in ("/fr/statements/", "/fr/participants/mark-carney/", "/fr/events/summit/")
    }
    for path, html in pages.items():
        figure = html[html.index('<figure class="statement" id="statement-carney-trade">') :]
        figure = figure[: figure.index("</figure>")]
        assert '<blockquote lang="en"><p>Trade &lt;comes&gt; first.</p></blockquote>' in figure, path
        assert (
            '<span class="context"><span lang="en">At the closing press conference.</span> <span class="in-english"'
            in figure
        )
        assert "<cite>Closing remarks</cite></a>, PMO; " in figure and "<cite>Wire</cite></a>\n" in figure
        assert '<a class="statement-link" href="/fr/statements/carney-trade/">' in figure
        assert "(Mark Carney, 16 juin 2025)</span>" in figure, path
    index, speaker, event = pages.values()
    assert '<a href="/fr/participants/mark-carney/">Mark Carney</a> <span class="speaker-label">' in index
    assert '<a href="/fr/events/summit/">Sommet du G7</a> (16 juin 2025)' in index
    assert '<a href="/fr/events/summit/">Sommet du G7</a> (16 juin 2025)' in speaker
    assert '<span lang="en">Prime Minister Mark Carney</span>' in speaker
    assert "Sommet du G7</a> (16 juin 2025)" not in event.split('id="statement-carney-trade"')[1].split("</figure>")[0]
