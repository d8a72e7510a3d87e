"""The French reader in a real Chromium: the language switch keeps the view (filters, page, the place scrolled to),
the French pages pass axe with no violation, and screenshots of the French timeline at desktop and phone widths."""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.test_timeline import articles, heading, story  # noqa: F401 (story is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_switching_language_on_a_filtered_paged_timeline_lands_on_the_same_view(page, live_server, story):  # noqa: F811
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(live_server.url + "/")
    # Filters and a page chosen with htmx: the address changes, the switch's link was written for "/".
    page.get_by_label("Mark Carney").check()
    page.wait_for_url(re.compile(r"\?participant=mark-carney$"))
    page.get_by_role("link", name="Load more events").click()
    page.wait_for_url(re.compile(r"\?participant=mark-carney&page=2$"))
    page.get_by_role("link", name="Français").click()
    page.wait_for_url(re.compile(r"/fr/\?"))
    address = urlsplit(page.url)
    assert address.path == "/fr/"
    assert parse_qs(address.query) == {"participant": ["mark-carney"], "page": ["2"]}
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(heading(page)).to_have_text("8 événements")
    expect(page.get_by_label("Mark Carney")).to_be_checked()
    expect(page.locator(".position")).to_have_text("Événements 6 à 8 sur 8")
    expect(articles(page).first).to_have_id("event-carney-5")

    # A place in the page (as "Load more events" gives without JavaScript) is kept too.
    page.goto(live_server.url + "/fr/?participant=mark-carney&page=2#event-carney-7")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"/\?participant=mark-carney&page=2#event-carney-7$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading(page)).to_have_text("8 events")
    expect(page.locator("#event-carney-7")).to_be_in_viewport()

    # The choice of English is remembered, even by a browser that prefers French.
    page.set_extra_http_headers({"Accept-Language": "fr-CA,fr"})
    page.goto(live_server.url + "/topics/")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_french_browser_is_welcomed_in_french(browser, live_server, story):  # noqa: F811
    context = browser.new_context(locale="fr-CA")
    page = context.new_page()
    page.goto(live_server.url + "/?participant=mark-carney")
    assert urlsplit(page.url).path == "/fr/"
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(heading(page)).to_have_text("8 événements")
    context.close()


@pytest.fixture
def demo():
    """The demo dataset, every event, topic and role of it in French."""
    call_command("loaddata", "demo", verbosity=0)


AXE_PAGES = {
    "timeline-fr": "/fr/?participant=mark-carney",
    "timeline-fr-search": "/fr/?q=droits+de+douane&start=2025",
    "event-fr": "/fr/events/carney-trump-white-house-meeting-2025-05-06/",
    "participant-fr": "/fr/participants/mark-carney/",
}


@pytest.mark.parametrize("name", AXE_PAGES)
@pytest.mark.parametrize("width", [1280, 390])
def test_no_accessibility_violations_in_french(page, live_server, demo, artifacts, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + AXE_PAGES[name])
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    results = Axe().run(page)
    violations = results.response["violations"]
    (artifacts / f"axe-{name}-{width}.json").write_text(json.dumps(violations, indent=2))
    summary = [(v["id"], v["impact"], len(v["nodes"])) for v in violations]
    print(f"axe {name} at {width}px: {len(violations)} violations {summary}")
    assert summary == [], results.generate_report()


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_screenshots_of_the_french_timeline(page, live_server, demo, artifacts, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + "/fr/")
    expect(heading(page)).to_have_text("73 événements dans la chronologie")
    expect(page.locator(".in-english")).to_have_count(0)  # every demo event has its French
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    path = artifacts / f"timeline-fr-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    print(f"screenshot: {path}")
