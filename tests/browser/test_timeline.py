"""The reader's journeys in a real Chromium: filtering, sharing a URL, Back and Forward, load more, without JavaScript,
with the keyboard; accessibility (axe-core) and screenshots of the timeline at desktop and phone widths."""

import datetime
import json
import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    RoleFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.date
PAGE_SIZE = 5  # set on the server for these tests, so that a few events fill more than a page


@pytest.fixture
def story(monkeypatch):
    """Eight published events with Mark Carney (January to July 2025), three with Donald Trump only, one draft."""
    monkeypatch.setattr("timeline.paging.PAGE_SIZE", PAGE_SIZE)
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney", country="CA")
    RoleFactory(participant=carney, title="Prime Minister of Canada", start=D(2025, 3, 14))
    trump = ParticipantFactory(slug="donald-trump", name="Donald Trump", country="US")
    tariffs = TopicFactory(slug="tariffs", name="Tariffs", description="Duties on goods crossing the border.")
    source = SourceFactory(title="Carney meets Trump", publisher="CBC News")
    carney_dates = [
        D(2025, 1, 10),
        D(2025, 2, 10),
        D(2025, 3, 10),
        D(2025, 4, 10),
        D(2025, 5, 6),
        D(2025, 5, 20),
        D(2025, 6, 10),
        D(2025, 7, 10),
    ]
    events = {}
    for n, day in enumerate(carney_dates):
        event = EventFactory(
            slug=f"carney-{n}",
            title=f"Carney event {n}",
            summary=f"Carney on steel and tariffs, part {n}.",
            start_date=day,
            topics=[tariffs],
            sources=[source],
            importance=3 if n == 4 else 2,
        )
        InvolvementFactory(event=event, participant=carney)
        events[event.slug] = event
    StatementFactory(
        event=events["carney-4"], speaker=carney, text="It's not for sale.", importance=3, sources=[source]
    )
    for n, day in enumerate([D(2025, 2, 1), D(2025, 3, 12), D(2025, 4, 2)]):
        event = EventFactory(slug=f"trump-{n}", title=f"Trump event {n}", start_date=day, event_type="tariff_action")
        InvolvementFactory(event=event, participant=trump)
    draft = DraftEventFactory(slug="draft", title="Draft event", start_date=D(2025, 4, 20))
    InvolvementFactory(event=draft, participant=carney)
    return {"carney": carney, "tariffs": tariffs, "meeting": events["carney-4"]}


def heading(page):
    return page.locator("#results-heading")


def articles(page):
    return page.locator("#event-stream article")


@pytest.fixture
def local_only(page, live_server):
    """Fails the test if the page asks any other host for anything (htmx and all assets are served locally)."""
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    yield page
    assert hosts <= {urlsplit(live_server.url).hostname}, hosts


def test_filter_by_participant_and_date_then_reload_then_back_and_forward(local_only, live_server, story):
    page = local_only
    page.goto(live_server.url + "/")
    expect(heading(page)).to_have_text("11 events on the timeline")

    page.get_by_label("Mark Carney").check()
    page.wait_for_url(re.compile(r"\?participant=mark-carney$"))
    expect(heading(page)).to_have_text("8 events")
    expect(page).to_have_title("Events: Mark Carney · Timeline")
    # The facets were refreshed beside the results: Trump's events are out of this selection.
    expect(page.locator("label[for=participant-donald-trump] .count")).to_have_text(re.compile(r"^3"))
    expect(page.locator("label[for=type-tariff_action]")).to_have_count(0)

    page.fill("#id_start", "2025-04-01")
    page.wait_for_url(re.compile(r"\?start=2025-04-01&participant=mark-carney$"))
    expect(heading(page)).to_have_text("5 events")
    expect(articles(page)).to_have_count(5)
    expect(articles(page).first).to_have_id("event-carney-3")

    # The URL alone reproduces the state: reloading it (or sharing it) shows the same results and form.
    page.reload()
    expect(heading(page)).to_have_text("5 events")
    expect(page.get_by_label("Mark Carney")).to_be_checked()
    expect(page.locator("#id_start")).to_have_value("2025-04-01")

    page.go_back()
    page.wait_for_url(re.compile(r"\?participant=mark-carney$"))
    expect(heading(page)).to_have_text("8 events")
    expect(page.locator("#id_start")).to_have_value("")
    expect(page.get_by_label("Mark Carney")).to_be_checked()

    page.go_back()
    page.wait_for_url(live_server.url + "/")
    expect(heading(page)).to_have_text("11 events on the timeline")
    expect(page.get_by_label("Mark Carney")).not_to_be_checked()

    page.go_forward()
    page.wait_for_url(re.compile(r"\?participant=mark-carney$"))
    expect(heading(page)).to_have_text("8 events")


def test_search_as_you_type_highlights_matches(local_only, live_server, story):
    page = local_only
    page.goto(live_server.url + "/")
    page.locator("#id_q").press_sequentially("steel", delay=30)
    page.wait_for_url(re.compile(r"\?q=steel$"))
    expect(heading(page)).to_have_text("8 events")
    expect(page.locator("#event-stream mark").first).to_have_text(re.compile("steel", re.IGNORECASE))
    expect(page.locator("#id_q")).to_be_focused()  # typing was never interrupted
    expect(page.locator("#id_q")).to_have_value("steel")


def test_load_more_appends_the_next_page_then_its_url_is_that_page_with_a_way_back(local_only, live_server, story):
    page = local_only
    page.goto(live_server.url + "/?participant=mark-carney")
    expect(articles(page)).to_have_count(PAGE_SIZE)
    expect(page.locator(".position")).to_have_text("Events 1–5 of 8")
    page.get_by_role("link", name="Load more events").click()
    expect(articles(page)).to_have_count(8)
    page.wait_for_url(re.compile(r"\?participant=mark-carney&page=2$"))
    expect(page.get_by_role("link", name="Load more events")).to_have_count(0)
    expect(page.locator(".position")).to_have_text("Events 1–8 of 8")  # the range grew with the events
    # The keyboard user continues at the first new event.
    expect(page.locator("#title-carney-5 a")).to_be_focused()
    # A month that continues across pages keeps one heading.
    expect(page.locator(".month-heading", has_text="May 2025")).to_have_count(1)

    # The URL left behind is the second page alone, opening with its own year and month.
    page.reload()
    expect(articles(page)).to_have_count(3)
    expect(articles(page).first).to_have_id("event-carney-5")
    expect(page.locator(".year-heading")).to_have_text(["2025"])
    expect(page.locator(".month-heading")).to_have_text(["May 2025", "June 2025", "July 2025"])
    expect(page.locator(".position")).to_have_text("Events 6–8 of 8")
    page.get_by_role("link", name="Previous page: events 1–5").click()
    page.wait_for_url(live_server.url + "/?participant=mark-carney")
    expect(articles(page)).to_have_count(PAGE_SIZE)
    expect(heading(page)).to_be_focused()
    expect(page.get_by_label("Mark Carney")).to_be_checked()  # the filters came along
    expect(page.get_by_role("link", name=re.compile("^Previous page"))).to_have_count(0)
    page.go_back()
    page.wait_for_url(re.compile(r"\?participant=mark-carney&page=2$"))
    expect(articles(page)).to_have_count(3)


def test_an_overview_period_narrows_the_dates_to_it(local_only, live_server, story):
    page = local_only
    page.goto(live_server.url + "/?participant=mark-carney")
    page.locator(".overview a[aria-label='May 2025: 2 events']").click()
    page.wait_for_url(re.compile(r"\?start=2025-05-01&end=2025-05-31&participant=mark-carney$"))
    expect(heading(page)).to_have_text("2 events")
    expect(page.locator("#overview-caption")).to_be_focused()  # the keyboard stays in the overview
    expect(page.locator("#id_start")).to_have_value("2025-05-01")  # the form was replaced with the new state
    expect(page.locator("#id_end")).to_have_value("2025-05-31")


def test_the_keyboard_alone_filters_and_keeps_its_place(local_only, live_server, story):
    page = local_only
    page.goto(live_server.url + "/")
    page.locator("#id_q").focus()
    checkbox = page.locator("#participant-mark-carney")
    while not checkbox.evaluate("element => element === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"\?participant=mark-carney$"))
    expect(heading(page)).to_have_text("8 events")
    # The facets were swapped for fresh counts, and the focus is still on the same checkbox.
    expect(page.locator("#participant-mark-carney")).to_be_focused()
    expect(page.locator("#participant-mark-carney")).to_be_checked()


def test_the_same_journey_without_javascript(browser, live_server, story):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(heading(page)).to_have_text("11 events on the timeline")

    page.get_by_label("Mark Carney").check()
    page.fill("#id_start", "2025-04-01")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"participant=mark-carney"))
    assert "start=2025-04-01" in page.url
    expect(heading(page)).to_have_text("5 events")
    expect(page.get_by_label("Mark Carney")).to_be_checked()

    page.get_by_role("link", name="Remove filter: from 1 April 2025").click()
    page.wait_for_url(live_server.url + "/?participant=mark-carney")
    expect(articles(page)).to_have_count(PAGE_SIZE)
    page.get_by_role("link", name="Load more events").click()
    page.wait_for_url(re.compile(r"page=2#page-2$"))
    # Without JavaScript nothing is appended: the link leads to the second page, which says where it is.
    expect(articles(page)).to_have_count(3)
    expect(page.locator(".position")).to_have_text("Events 6–8 of 8")
    expect(page.locator("#page-2")).to_be_in_viewport()

    page.get_by_role("link", name="Previous page: events 1–5").click()
    page.wait_for_url(live_server.url + "/?participant=mark-carney")
    expect(articles(page)).to_have_count(PAGE_SIZE)
    page.go_back()
    page.wait_for_url(re.compile(r"page=2#page-2$"))
    expect(articles(page)).to_have_count(3)
    context.close()


def test_bad_input_shows_a_note_in_the_browser(local_only, live_server, story):
    page = local_only
    page.goto(live_server.url + "/?start=2025-13-45&participant=nobody")
    expect(page.locator(".notes")).to_contain_text("Ignored the From date \u201c2025-13-45\u201d: no such date.")
    expect(page.locator(".notes")).to_contain_text("Ignored participant \u201cnobody\u201d")
    expect(heading(page)).to_have_text("11 events on the timeline")


def test_the_accessibility_check_itself_finds_violations(page, live_server):
    """The checker below, shown to fail: a page with an unlabelled field and an image without alt text."""
    url = f"{live_server.url}/probe-accessibility/"
    body = (
        '<!DOCTYPE html><html lang="en"><title>Probe</title><main><img src="/x.png"><input type="text"></main></html>'
    )
    page.route(url, lambda route: route.fulfill(status=200, headers={"Content-Type": "text/html"}, body=body))
    page.goto(url)
    impacts = {v["id"]: v["impact"] for v in Axe().run(page).response["violations"]}
    assert impacts["image-alt"] == "critical" and impacts["label"] == "critical"


AXE_PAGES = {
    "timeline": "/",
    "timeline-filtered": "/?participant=mark-carney&q=steel&start=2025-03",
    "timeline-page-2": "/?participant=mark-carney&page=2",
    "event": "/events/carney-4/",
    "participant": "/participants/mark-carney/",
    "topic": "/topics/tariffs/",
    "embed-builder": "/embed/build/?participant=mark-carney&autoheight=1",
    "embed-builder-fr": "/fr/embed/build/?limit=x",
}


@pytest.mark.parametrize("name", AXE_PAGES)
@pytest.mark.parametrize("width", [1280, 390, 360])
def test_no_accessibility_violations(page, live_server, story, artifacts, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + AXE_PAGES[name])
    results = Axe().run(page)
    violations = results.response["violations"]
    (artifacts / f"axe-{name}-{width}.json").write_text(json.dumps(violations, indent=2))
    summary = [(v["id"], v["impact"], len(v["nodes"])) for v in violations]
    print(f"axe {name} at {width}px: {len(violations)} violations {summary}")
    assert summary == [], results.generate_report()


@pytest.mark.parametrize("width, height", [(1280, 900), (360, 740)])
def test_screenshots_of_the_timeline_and_no_sideways_scrolling(page, live_server, story, artifacts, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + "/")
    expect(heading(page)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    path = artifacts / f"timeline-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    print(f"screenshot: {path}")


def test_printing_keeps_the_events_and_drops_the_controls(page, live_server, story, artifacts):
    page.goto(live_server.url + "/?participant=mark-carney")
    page.emulate_media(media="print")
    expect(page.locator("#filters")).to_be_hidden()
    expect(page.locator(".overview")).to_be_hidden()
    expect(page.get_by_role("link", name="Load more events")).to_be_hidden()
    expect(articles(page).first).to_be_visible()
    page.goto(live_server.url + "/events/carney-4/")
    expect(page.locator(".prev-next")).to_be_hidden()
    expect(page.locator("#sources-heading")).to_be_visible()
    page.pdf(path=str(artifacts / "event-print.pdf"))


def test_a_link_htmx_just_put_in_works_through_htmx_at_once(local_only, live_server, story):
    """A tap on a filter's chip the moment it appears swaps the timeline, as any later tap does. While htmx waited
    20 ms to settle a swap before giving its links their behaviour, such a tap reloaded the whole page."""
    page = local_only
    page.goto(live_server.url + "/")
    # A tap on the new chip at the first moment a reader's tap could come once htmx has swapped it in (the next
    # task): was it taken by htmx?
    page.evaluate("""() => document.addEventListener('htmx:afterSwap', () => setTimeout(() => {
        const chip = document.querySelector('.active-filters a');
        if (!chip || window.chipTapped !== undefined) return;
        document.addEventListener('click', (event) => {
            window.chipTapped = event.defaultPrevented ? 'by htmx' : 'by the browser';
            event.preventDefault();  // the test's own page stays, whichever took it
        }, {once: true});
        chip.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}));
    }, 0))""")
    page.get_by_label("Mark Carney").check()
    page.wait_for_function("() => window.chipTapped !== undefined")
    assert page.evaluate("window.chipTapped") == "by htmx"
    page.wait_for_url(live_server.url + "/")  # the chip removed the filter
    expect(heading(page)).to_have_text(re.compile("on the timeline$"))
