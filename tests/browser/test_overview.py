"""The overview in a real Chromium: narrowed by pointer and by keyboard from decades down to a month and back out,
every period a target of at least 24 by 24 pixels at desktop and phone widths, no accessibility violation, and
screenshots of it on the demo dataset, whose history (1854 to 2026, most of it in 2025) is what it is built for."""

import datetime
import itertools
import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from tests.factories import EventFactory, InvolvementFactory, ParticipantFactory, RoleFactory
from timeline.facets import Estimate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.date
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def history():
    """One event in 1854 and one in 1958, twelve in 2025 (six in May), one in 2026; the prime ministers of 2025."""
    EventFactory(slug="reciprocity", title="Reciprocity treaty", start_date=D(1854, 6, 5))
    EventFactory(slug="norad", title="NORAD", start_date=D(1958, 5, 12))
    for n in range(12):
        EventFactory(slug=f"talks-{n}", title=f"Trade talks {n}", start_date=D(2025, 5 if n < 6 else n, 6 + n))
    EventFactory(slug="review", title="Review", start_date=D(2026, 1, 16))
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    RoleFactory(participant=carney, title="Prime Minister of Canada", start=D(2025, 3, 14))
    InvolvementFactory(event=EventFactory(slug="sworn-in", start_date=D(2025, 3, 14)), participant=carney)


def heading(page):
    return page.locator("#results-heading")


def period(page, name: str):
    return page.locator(f".overview .periods a[aria-label^='{name}:']")


def test_narrowed_by_pointer_to_a_month_and_back_out(page, live_server, history):
    page.goto(live_server.url + "/")
    expect(page.locator(".overview figcaption")).to_contain_text("Events per decade, 1854–2026")
    period(page, "2020s").click()
    page.wait_for_url(re.compile(r"\?start=2020-01-01&end=2029-12-31$"))
    expect(heading(page)).to_have_text("14 events")
    period(page, "2025").click()
    page.wait_for_url(re.compile(r"\?start=2025-01-01&end=2025-12-31$"))
    period(page, "May 2025").click()
    page.wait_for_url(re.compile(r"\?start=2025-05-01&end=2025-05-31$"))
    expect(heading(page)).to_have_text("6 events")
    expect(page.locator(".overview figcaption")).to_contain_text("Events per day, 6–11 May 2025")
    expect(page.locator("#id_start")).to_have_value("2025-05-01")  # the form follows

    page.locator(".overview-trail").get_by_role("link", name="2025").click()
    page.wait_for_url(re.compile(r"\?start=2025-01-01&end=2025-12-31$"))
    expect(heading(page)).to_have_text("13 events")
    page.locator(".overview-trail").get_by_role("link", name="All dates").click()
    page.wait_for_url(live_server.url + "/")
    expect(heading(page)).to_have_text("16 events on the timeline")
    page.go_back()
    page.wait_for_url(re.compile(r"\?start=2025-01-01&end=2025-12-31$"))
    expect(heading(page)).to_have_text("13 events")


def tab_to(page, locator, limit: int = 80) -> None:
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def test_narrowed_by_keyboard_to_a_month_and_back_out(page, live_server, history):
    page.goto(live_server.url + "/")
    page.locator(".skip-link").first.focus()
    tab_to(page, period(page, "2020s"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?start=2020-01-01&end=2029-12-31$"))
    # The keyboard stays in the overview: its way back out and its periods come next.
    expect(page.locator("#overview-caption")).to_be_focused()
    tab_to(page, period(page, "2025"), limit=10)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?start=2025-01-01&end=2025-12-31$"))
    expect(page.locator("#overview-caption")).to_be_focused()
    tab_to(page, period(page, "May 2025"), limit=10)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?start=2025-05-01&end=2025-05-31$"))
    expect(heading(page)).to_have_text("6 events")
    expect(page.locator("#overview-caption")).to_be_focused()

    page.keyboard.press("Tab")  # the first step of the trail: all dates
    expect(page.locator(".overview-trail a").first).to_be_focused()
    expect(page.locator(".overview-trail a").first).to_have_text("All dates")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(".overview-trail a:focus")).to_have_text("2025")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?start=2025-01-01&end=2025-12-31$"))
    expect(page.locator("#overview-caption")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # all dates
    page.wait_for_url(live_server.url + "/")
    expect(heading(page)).to_have_text("16 events on the timeline")


def test_the_overview_works_without_javascript(browser, live_server, history):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    period(page, "2020s").click()
    page.wait_for_url(re.compile(r"\?start=2020-01-01&end=2029-12-31$"))
    period(page, "2025").click()
    page.wait_for_url(re.compile(r"\?start=2025-01-01&end=2025-12-31$"))
    page.locator(".overview-trail").get_by_role("link", name="All dates").click()
    page.wait_for_url(live_server.url + "/")
    expect(heading(page)).to_have_text("16 events on the timeline")
    context.close()


@pytest.mark.parametrize("size", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("query", ["", "?start=2025-01-01&end=2025-12-31", "?start=2025-05-01&end=2025-05-31"])
def test_every_period_is_a_target_of_at_least_24_by_24_pixels(page, live_server, history, size, query):
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + "/" + query)
    links = page.locator(".overview .periods a")
    assert links.count() >= 2
    for box in [links.nth(n).bounding_box() for n in range(links.count())]:
        assert box["width"] >= 24 and box["height"] >= 24, box
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # the page never scrolls sideways


@pytest.mark.parametrize(
    "count, shown", [(12_345, "12,345"), (Estimate(12_345), "≈ 12,000")], ids=["exact", "estimated"]
)
def test_large_counts_above_the_bars_never_run_into_each_other_on_a_phone(page, live_server, monkeypatch, count, shown):
    """Eighteen decades of some 12,000 events each, as a large timeline has: the overview is given those counts
    rather than 200,000 events written for the test. Each count above a bar stays clear of the next one."""
    EventFactory(start_date=D(1850, 1, 1))
    counts = {(D(1850 + 10 * n, 1, 1), "day"): count for n in range(18)}
    monkeypatch.setattr("timeline.facets.month_counts", lambda filterset, together=True: counts)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    labels = page.locator(".overview .periods .count")
    expect(labels).to_have_count(18)
    expect(labels.first).to_have_text(shown)
    boxes = [labels.nth(n).bounding_box() for n in range(18)]
    for box, following in itertools.pairwise(boxes):
        assert box["x"] + box["width"] <= following["x"], (box, following)
        assert following["y"] == box["y"]  # on one line, not wrapped onto two
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the overview scrolls, the page does not


@pytest.fixture
def demo():
    """The demo dataset itself: the overview exists for its skewed history."""
    call_command("loaddata", "demo", verbosity=0)


@pytest.mark.parametrize("size", WIDTHS.values(), ids=WIDTHS.keys())
def test_screenshots_and_accessibility_of_the_overview_on_the_demo(page, live_server, demo, artifacts, size):
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    for name, query in [("decades", ""), ("2025", "?start=2025-01-01&end=2025-12-31")]:
        page.goto(live_server.url + "/" + query)
        overview = page.locator("#overview")
        expect(overview.get_by_role("list", name="Prime Minister of Canada")).to_contain_text("Carney")
        expect(overview.get_by_role("list", name="President of the United States")).to_contain_text("Trump")
        path = artifacts / f"overview-demo-{name}-{width}.png"
        overview.screenshot(path=str(path))
        print(f"screenshot: {path}")
        violations = Axe().run(page).response["violations"]
        (artifacts / f"axe-overview-{name}-{width}.json").write_text(json.dumps(violations, indent=2))
        assert [(v["id"], len(v["nodes"])) for v in violations] == []
    page.goto(live_server.url + "/")
    path = artifacts / f"timeline-demo-{width}.png"
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")
