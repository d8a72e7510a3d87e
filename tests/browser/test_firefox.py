"""The reader's journeys in Debian's Firefox ESR, at desktop and phone widths: the filters are visible and usable
(also in a Firefox without ::details-content, as Firefox ESR 140 and Safari 18.3 are), the results follow, the URL
holds the state, a filter ticked keeps its place on a phone, it works with JavaScript off; and the overview."""

import datetime

import pytest

from tests.browser.swaps import RECORD_AT_SWAP
from tests.factories import EventFactory, InvolvementFactory, ParticipantFactory, TopicFactory
from timeline.models import Event

pytestmark = [pytest.mark.browser, pytest.mark.firefox, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
CARNEY_CHECKBOX = "#participant-mark-carney"


@pytest.fixture
def story():
    """Three events with Mark Carney in May 2025 (two on tariffs), one with Donald Trump in April, and thirty more
    on other topics, so that a phone's page scrolls."""
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney", country="CA")
    trump = ParticipantFactory(slug="donald-trump", name="Donald Trump", country="US")
    tariffs = TopicFactory(slug="tariffs", name="Tariffs")
    for n in range(3):
        event = EventFactory(
            slug=f"carney-{n}",
            title=f"Carney event {n}",
            summary="Carney on steel.",
            start_date=datetime.date(2025, 5, n + 1),
            topics=[tariffs] if n else [],
        )
        InvolvementFactory(event=event, participant=carney)
    event = EventFactory(
        slug="trump-0", title="Trump event", summary="Trump on steel.", start_date=datetime.date(2025, 4, 2)
    )
    InvolvementFactory(event=event, participant=trump)
    for n in range(30):
        EventFactory(
            title=f"Other event {n}", start_date=datetime.date(2024, 1 + n % 12, 1 + n), topics=[TopicFactory()]
        )


def open_filters(firefox, width: int) -> None:
    """On a phone every filter but the search is folded behind one control that says how many are in use; on a
    desktop they are open beside the results, but in an engine without ::details-content (Firefox ESR 140) and
    without JavaScript, where nothing can open them: their control then stays in sight beside the results."""
    if width < 900 or not firefox.javascript and not firefox.evaluate(DETAILS_CONTENT):
        assert not firefox.visible(CARNEY_CHECKBOX)
        firefox.click("#filter-panel > summary")
    assert firefox.visible(CARNEY_CHECKBOX), "the participant filter cannot be seen"


DETAILS_CONTENT = "() => CSS.supports('selector(::details-content)')"


def heading_is(firefox, text: str) -> None:
    firefox.wait_for(f"() => document.querySelector('#results-heading').textContent.trim() === {text!r}")


@pytest.mark.parametrize("size", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_filter_journey(firefox, live_server, story, size):
    width, height = size
    firefox.viewport(width, height)
    firefox.goto(live_server.url + "/")
    assert firefox.text("#results-heading") == "34 events on the timeline"
    assert firefox.text("#filter-count") == "(none in use)"

    firefox.type("#id_q", "steel")  # searched as it is typed
    firefox.wait_for("() => location.search === '?q=steel'")
    heading_is(firefox, "4 events")
    open_filters(firefox, width)
    firefox.click(CARNEY_CHECKBOX)  # a real click: it fails if the box is hidden or covered
    firefox.wait_for("() => location.search === '?q=steel&participant=mark-carney'")
    heading_is(firefox, "3 events")
    firefox.wait_for("() => document.querySelector('#filter-count').textContent === '(1 in use)'")
    firefox.click("#topic-tariffs")
    firefox.wait_for("() => location.search === '?q=steel&participant=mark-carney&topic=tariffs'")
    heading_is(firefox, "2 events")
    assert firefox.evaluate("() => document.querySelectorAll('#event-stream article').length") == 2

    # The URL alone gives the same view.
    firefox.goto(firefox.url())
    assert firefox.text("#results-heading") == "2 events"
    assert firefox.text("#filter-count") == "(2 in use)"
    assert firefox.evaluate("(s) => document.querySelector(s).checked", CARNEY_CHECKBOX)

    # A filter removed from the list above the results; then all of them.
    firefox.click(".active-filters a[href='?q=steel&participant=mark-carney']")
    firefox.wait_for("() => location.search === '?q=steel&participant=mark-carney'")
    heading_is(firefox, "3 events")
    open_filters(firefox, width)
    firefox.click(".filter-actions a")  # clear all
    firefox.wait_for("() => location.search === ''")
    heading_is(firefox, "34 events on the timeline")
    assert firefox.evaluate("() => document.querySelector('#id_q').value") == ""


@pytest.mark.parametrize("size", WIDTHS.values(), ids=WIDTHS.keys())
def test_filter_without_javascript(firefox_without_javascript, live_server, story, size):
    firefox = firefox_without_javascript
    width, height = size
    firefox.viewport(width, height)
    firefox.goto(live_server.url + "/")
    open_filters(firefox, width)
    firefox.click(CARNEY_CHECKBOX)
    firefox.click_and_wait_for_load("#filters button[type=submit]")
    assert "participant=mark-carney" in firefox.url()  # a plain GET form also sends its empty fields
    assert firefox.text("#results-heading") == "3 events"
    assert firefox.text("#filter-count") == "(1 in use)"


def test_a_filter_ticked_on_a_phone_keeps_its_place(firefox, live_server, story):
    firefox.viewport(390, 844)
    firefox.goto(live_server.url + "/")
    firefox.click("#filter-panel > summary")
    box = "#facets .facet-topic li:nth-child(3) input"
    firefox.evaluate("(s) => document.querySelector(s).scrollIntoView({block: 'center'})", box)
    before = firefox.evaluate("(s) => [scrollY, document.querySelector(s).getBoundingClientRect().top]", box)
    assert before[0] > 300  # well down the page, where a jump would show
    name = firefox.evaluate("(s) => document.querySelector(s).id", box)
    firefox.evaluate(RECORD_AT_SWAP, name)
    firefox.click(box)
    firefox.wait_for("() => location.search.startsWith('?topic=')")
    firefox.wait_for("() => document.querySelector('#results-heading').textContent.trim() === '1 event'")
    firefox.wait_for("() => !document.querySelector('.htmx-settling, .htmx-request')")
    # Already in place as the swap is done, before the browser paints it (not 20 ms later, once htmx settles).
    assert abs(firefox.evaluate("() => window.topAtSwap") - before[1]) <= 2
    after = firefox.evaluate("(id) => [scrollY, document.getElementById(id).getBoundingClientRect().top]", name)
    facets = firefox.evaluate("() => document.querySelector('#facets').getBoundingClientRect().height")
    print(f"Firefox, a topic ticked at 390 px: scrollY {before[0]} -> {after[0]}, box top {before[1]} -> {after[1]}")
    # The box is where it was on screen; the page scrolled only by what the fresh counts above it took or gave
    # back, never by the height of the facets, as scroll anchoring threw it.
    assert abs(after[1] - before[1]) <= 2
    assert abs(after[0] - before[0]) < facets / 2
    assert firefox.evaluate("(id) => document.getElementById(id).checked", name)


# Firefox ESR 140 and Safari 18.3 have no ::details-content, by which the folded filters show beside the results
# at desktop width: the same Firefox with it switched off stands for them.


def test_the_browser_without_details_content_is_one(firefox_without_details_content, live_server, story):
    firefox = firefox_without_details_content
    firefox.goto(live_server.url + "/")
    assert firefox.evaluate("() => CSS.supports('selector(::details-content)')") is False


@pytest.mark.parametrize("size", WIDTHS.values(), ids=WIDTHS.keys())
def test_filters_without_details_content(firefox_without_details_content, live_server, story, size):
    firefox = firefox_without_details_content
    width, height = size
    firefox.viewport(width, height)
    firefox.goto(live_server.url + "/")
    open_filters(firefox, width)  # beside the results on a desktop, as in any browser
    firefox.click(CARNEY_CHECKBOX)
    firefox.wait_for("() => location.search === '?participant=mark-carney'")
    heading_is(firefox, "3 events")
    firefox.click(".active-filters a")  # the whole timeline swapped: the filters stay in sight on a desktop
    firefox.wait_for("() => location.search === ''")
    if width >= 900:
        assert firefox.visible(CARNEY_CHECKBOX)


def test_filters_beside_the_results_never_show_folded_after_a_swap(firefox_without_details_content, live_server, story):
    """The script opens them as htmx puts them in, not when the swap settles: folded for a moment, they would make
    everything below them jump."""
    firefox = firefox_without_details_content
    firefox.viewport(1280, 900)
    firefox.goto(live_server.url + "/?participant=mark-carney")
    firefox.evaluate("""() => document.addEventListener('htmx:afterSwap', () => {
        window.foldedAtSwap = [...document.querySelectorAll('.filter-panel')].filter((panel) => !panel.open).length;
    })""")
    firefox.click(".active-filters a")  # the whole timeline swapped, its filters with it
    firefox.wait_for("() => location.search === ''")
    heading_is(firefox, "34 events on the timeline")
    assert firefox.evaluate("() => window.foldedAtSwap") == 0
    assert firefox.visible(CARNEY_CHECKBOX)


def test_filters_without_details_content_or_javascript(
    firefox_without_details_content_or_javascript, live_server, story
):
    """Nothing can open the filters for such a browser without JavaScript: their control stays in sight beside the
    results, and opens them."""
    firefox = firefox_without_details_content_or_javascript
    firefox.viewport(1280, 900)
    firefox.goto(live_server.url + "/")
    assert firefox.visible("#filter-panel > summary")
    firefox.click("#filter-panel > summary")
    assert firefox.visible(CARNEY_CHECKBOX)
    firefox.click(CARNEY_CHECKBOX)
    firefox.click_and_wait_for_load("#filters button[type=submit]")
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
    firefox.wait_for("() => location.search === '' && !document.querySelector('.overview-trail')")
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
    firefox.wait_for("() => location.search === '' && !document.querySelector('.overview-trail')")
    assert firefox.text("#results-heading") == "9 events on the timeline"


def test_load_more_on_a_phone_in_french_after_an_editor_unpublished_events_above(firefox, live_server, story):
    """A French reader on a phone has the first 25 of 34 events when an editor unpublishes three of them: "load
    more" appends the nine that follow their last one, none skipped and none twice, and the address is page 2."""
    firefox.viewport(*WIDTHS["phone"])
    firefox.goto(live_server.url + "/fr/")
    first = firefox.evaluate("() => [...document.querySelectorAll('#event-stream article')].map((a) => a.id)")
    assert len(first) == 25
    for event in Event.objects.filter(slug__in=[slug.removeprefix("event-") for slug in first[3:6]]):
        event.status = Event.Status.DRAFT
        event.save()

    firefox.click("#load-more")
    firefox.wait_for("() => location.search === '?page=2'")
    firefox.wait_for("() => document.querySelectorAll('#event-stream article').length > 25")
    shown = firefox.evaluate("() => [...document.querySelectorAll('#event-stream article')].map((a) => a.id)")
    later = list(Event.objects.published().chronological().values_list("slug", flat=True))[22:]
    assert shown == first + [f"event-{slug}" for slug in later]
    assert len(set(shown)) == 34
    # The range above counts what the page shows.
    assert firefox.text("#shown-to") == "34"
