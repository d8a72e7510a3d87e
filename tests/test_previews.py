"""Link previews: an image per event and one for the timeline, drawn from the title, the date and the participants,
in the reader's language, named by every page's OpenGraph and Twitter tags, and kept until the data changes."""

import datetime
import io

import pytest
from PIL import Image

from tests.factories import DraftEventFactory, EventFactory, InvolvementFactory, ParticipantFactory
from tests.htmlparse import meta
from timeline import previews

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    event = EventFactory(slug="meeting", title="Leaders meet", start_date=datetime.date(2025, 5, 6))
    InvolvementFactory(event=event, participant=ParticipantFactory(slug="mark-carney", name="Mark Carney"))
    InvolvementFactory(event=event, participant=ParticipantFactory(slug="donald-trump", name="Donald Trump"))
    return event


def image(response) -> Image.Image:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content))


def test_an_event_and_the_timeline_have_a_preview_of_the_size_cards_show(client, meeting):
    for url in ["/events/meeting/preview.png", "/preview.png", "/fr/events/meeting/preview.png", "/fr/preview.png"]:
        assert image(client.get(url)).size == (1200, 630), url
    # Drawn in the reader's language: the French date, « Avec ».
    assert client.get("/fr/events/meeting/preview.png").content != client.get("/events/meeting/preview.png").content


def test_a_draft_has_no_preview(client):
    DraftEventFactory(slug="draft")
    assert client.get("/events/draft/preview.png").status_code == 404


def test_every_page_names_its_preview(client, meeting):
    tags = meta(client.get("/events/meeting/").content)
    assert tags["og:image"] == "http://testserver/events/meeting/preview.png"
    assert tags["og:image:alt"] == "Leaders meet"
    assert (tags["og:image:width"], tags["og:image:height"], tags["og:image:type"]) == ("1200", "630", "image/png")
    assert tags["twitter:card"] == "summary_large_image" and tags["twitter:image"] == tags["og:image"]
    for url in ["/", "/?topic=x", "/participants/mark-carney/", "/topics/"]:
        assert meta(client.get(url).content)["og:image"] == "http://testserver/preview.png", url
    assert meta(client.get("/fr/").content)["og:image"] == "http://testserver/fr/preview.png"


def test_a_preview_is_kept_until_the_event_changes(client, meeting, django_assert_num_queries):
    first = client.get("/events/meeting/preview.png")
    with django_assert_num_queries(1):  # the data version: the image is the one kept
        assert client.get("/events/meeting/preview.png").content == first.content
    meeting.title = "Leaders meet again"
    meeting.save()
    assert client.get("/events/meeting/preview.png").content != first.content


def test_the_drawing_composes_what_the_font_lacks():
    """Pillow's own font has ASCII and a few signs: French letters are composed, dashes drawn, nothing is a box."""
    assert previews.pieces("Évé", 40) == [("E", "\u0301", "glyph"), ("v", "", "glyph"), ("e", "\u0301", "glyph")]
    assert previews.pieces("16–17\u00a0juin", 40)[2] == ("-", "", "dash")
    assert " " in previews.plain("a\u00a0b\u202fc") and "oe" in previews.plain("œuvre")
    assert previews.pieces("中", 40) == [("?", "", "glyph")]
    drawn = {text: previews.preview(text, "", "", "") for text in ["e", "é", "\uffff"]}
    assert len(set(drawn.values())) == 3  # the accent is drawn; what cannot be is a "?"


def test_long_titles_are_cut_to_three_lines():
    lines = previews.wrap("word " * 80, 64, 1056, 3)
    assert len(lines) == 3 and lines[-1].endswith("...")
    assert all(previews.text_width(line, 64) <= 1056 for line in lines)
