"""The reader's filter journey in Debian's Firefox ESR, at desktop and phone widths: the filters are visible and
usable, the results follow, the URL holds the state, and it works with JavaScript off."""

import datetime

import pytest

from tests.factories import EventFactory, InvolvementFactory, ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.firefox, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
CARNEY_CHECKBOX = "#participant-mark-carney"


@pytest.fixture
def story():
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney", country="CA")
    trump = ParticipantFactory(slug="donald-trump", name="Donald Trump", country="US")
    for n in range(3):
        event = EventFactory(slug=f"carney-{n}", title=f"Carney event {n}", start_date=datetime.date(2025, 5, n + 1))
        InvolvementFactory(event=event, participant=carney)
    event = EventFactory(slug="trump-0", title="Trump event", start_date=datetime.date(2025, 4, 2))
    InvolvementFactory(event=event, participant=trump)


def show_facets(firefox, width: int) -> None:
    """On a phone the participant, topic, type and country filters are folded behind one control; on a desktop
    they are open beside the results."""
    if width < 900:
        assert not firefox.visible(CARNEY_CHECKBOX)
        firefox.click(".more-filters > summary")
    assert firefox.visible(CARNEY_CHECKBOX), "the participant filter cannot be seen"


@pytest.mark.parametrize("size", WIDTHS.values(), ids=WIDTHS.keys())
def test_filter_by_participant(firefox, live_server, story, size):
    width, height = size
    firefox.viewport(width, height)
    firefox.goto(live_server.url + "/")
    assert firefox.text("#results-heading") == "4 events on the timeline"
    show_facets(firefox, width)

    firefox.click(CARNEY_CHECKBOX)  # a real click: it fails if the box is hidden or covered
    firefox.wait_for("() => location.search === '?participant=mark-carney'")
    firefox.wait_for("() => document.querySelector('#results-heading').textContent.trim() === '3 events'")
    assert firefox.evaluate("() => document.querySelectorAll('#event-stream article').length") == 3

    # The URL alone gives the same view.
    firefox.goto(firefox.url())
    assert firefox.text("#results-heading") == "3 events"
    assert firefox.evaluate("(s) => document.querySelector(s).checked", CARNEY_CHECKBOX)


@pytest.mark.parametrize("size", WIDTHS.values(), ids=WIDTHS.keys())
def test_filter_without_javascript(firefox_without_javascript, live_server, story, size):
    firefox = firefox_without_javascript
    width, height = size
    firefox.viewport(width, height)
    firefox.goto(live_server.url + "/")
    show_facets(firefox, width)
    firefox.click(CARNEY_CHECKBOX)
    firefox.click_and_wait_for_load("#filters button[type=submit]")
    assert "participant=mark-carney" in firefox.url()  # a plain GET form also sends its empty fields
    assert firefox.text("#results-heading") == "3 events"
