"""Event cards are rendered once and reused until something they show changes (timeline/cards.py)."""

import pytest

from tests.factories import EventFactory, InvolvementFactory, ParticipantFactory, TopicFactory

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
