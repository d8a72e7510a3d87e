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


# The overview: narrowed from decades down to a month and back out, by pointer and by keyboard.


@pytest.fixture
def history():
    EventFactory(slug="reciprocity", title="Reciprocity treaty", start_date=datetime.date(1854, 6, 5))
    for n in range(8):
        EventFactory(
            slug=f"talks-{n}", title=f"Trade talks {n}", start_date=datetime.date(2025, 5 if n < 4 else n + 2, 6 + n)
        )


def period(name: str) -> str:
    return f".overview .periods a[aria-label^='{name}:']"


def wait_for_search(firefox, search: str) -> None:
    firefox.wait_for(f"() => location.search === {search!r}")


@pytest.mark.parametrize("size", WIDTHS.values(), ids=WIDTHS.keys())
def test_overview_by_pointer(firefox, live_server, history, size):
    firefox.viewport(*size)
    firefox.goto(live_server.url + "/")
    firefox.click(period("2020s"))
    wait_for_search(firefox, "?start=2020-01-01&end=2029-12-31")
    firefox.click(period("2025"))
    wait_for_search(firefox, "?start=2025-01-01&end=2025-12-31")
    firefox.click(period("May 2025"))
    wait_for_search(firefox, "?start=2025-05-01&end=2025-05-31")
    firefox.wait_for("() => document.querySelector('#results-heading').textContent.trim() === '4 events'")
    firefox.click(".overview-trail li:nth-child(3) a")  # 2025
    wait_for_search(firefox, "?start=2025-01-01&end=2025-12-31")
    assert firefox.text(".overview-trail [aria-current]") == "2025"
    firefox.click(".overview-trail li:first-child a")  # all dates
    firefox.wait_for("() => location.search === '' && !!document.querySelector('.overview-trail [aria-current]')")
    assert firefox.text("#results-heading") == "9 events on the timeline"


def tab_to(firefox, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        if firefox.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            return
        firefox.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_overview_by_keyboard(firefox, live_server, history):
    firefox.viewport(1280, 900)
    firefox.goto(live_server.url + "/")
    tab_to(firefox, period("2020s"))
    firefox.press("Enter")
    wait_for_search(firefox, "?start=2020-01-01&end=2029-12-31")
    firefox.wait_for("() => document.activeElement && document.activeElement.id === 'overview-caption'")
    tab_to(firefox, period("2025"), limit=10)
    firefox.press("Enter")
    wait_for_search(firefox, "?start=2025-01-01&end=2025-12-31")
    firefox.wait_for("() => document.activeElement && document.activeElement.id === 'overview-caption'")
    tab_to(firefox, period("May 2025"), limit=10)
    firefox.press("Enter")
    wait_for_search(firefox, "?start=2025-05-01&end=2025-05-31")
    firefox.wait_for("() => document.activeElement && document.activeElement.id === 'overview-caption'")
    tab_to(firefox, ".overview-trail li:first-child a", limit=3)
    firefox.press("Enter")
    firefox.wait_for("() => location.search === '' && !!document.querySelector('.overview-trail [aria-current]')")
    assert firefox.text("#results-heading") == "9 events on the timeline"
