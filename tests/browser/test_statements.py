"""Quotes in a real Chromium: a reader searches the timeline for "Trump", then for "51st state", finds the quote on
an event's card, reaches its page and its source, and then every statement of the speaker; the statements index
filters as it is typed into; axe finds no violation on the index or a statement's page, at desktop and phone widths."""

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.quotes import SOURCE_URL, record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quotes():
    record()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_quote_journey(page, live_server, quotes, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/")
    page.fill("#id_q", "Trump")
    expect(page).to_have_url(live_server.url + "/?q=Trump")
    # One event names him; the other is found through what he said at it.
    expect(page.locator("#results-heading")).to_have_text("2 events")

    page.fill("#id_q", "51st state")
    expect(page).to_have_url(re.compile(r"/\?q=51st(\+|%20)state$"))
    expect(page.locator("#results-heading")).to_have_text("2 events")
    card = page.locator("#event-speech-from-the-throne")
    # The card shows the quote the search found, not the King's, with the words found marked.
    expect(card.locator("blockquote")).to_have_text("if they become our cherished 51st State.")
    expect(card.locator("blockquote mark").first).to_have_text("51st")
    card.get_by_role("link", name="The matching statement’s page").click()

    expect(page).to_have_url(live_server.url + "/statements/trump-cherished-51st-state/")
    expect(page.locator("h1")).to_have_text("Donald Trump, 27 May 2025")
    expect(page.locator(".statement-facts")).to_contain_text("Donald Trump, President of the United States")
    expect(page.locator(".statement-facts")).to_contain_text("King delivers the Speech from the Throne")
    source = page.locator(".sources a", has_text="King lends support to Canada")
    expect(source).to_have_attribute("href", SOURCE_URL)
    expect(page.locator("#citation-text")).to_have_value(
        "U.S. President Donald Trump: “if they become our cherished 51st State.”. 27 May 2025. "
        f"Reported by Semafor, King lends support to Canada. Timeline: Canada–U.S. relations, "
        f"{live_server.url}/statements/trump-cherished-51st-state/."
    )
    # The source opens (the outside site is stood in for here: the machine reaches no other host).
    page.route(
        SOURCE_URL, lambda route: route.fulfill(status=200, body="<title>Semafor</title>", content_type="text/html")
    )
    source.click()
    expect(page).to_have_url(SOURCE_URL)
    page.go_back()

    page.get_by_role("link", name="More statements by Donald Trump").click()
    expect(page).to_have_url(live_server.url + "/statements/?speaker=donald-trump")
    expect(page.locator("#results-heading")).to_have_text("2 statements")
    expect(page.locator("body")).not_to_contain_text("secret")


def test_the_statements_index_filters_as_it_is_typed_into(page, live_server, quotes):
    page.goto(live_server.url + "/statements/")
    expect(page.locator("#results-heading")).to_have_text("3 statements")
    page.fill("#id_q", "51st state")
    expect(page).to_have_url(re.compile(r"/statements/\?q=51st(\+|%20)state$"))
    expect(page.locator("#results-heading")).to_have_text("2 statements")
    expect(page.locator(".statement-list mark").first).to_have_text("51st")
    # The facet counts follow the search (swapped out of band).
    expect(page.locator("label[for=speaker-donald-trump] .count")).to_contain_text("2")
    page.locator("#speaker-donald-trump").check()
    expect(page).to_have_url(re.compile(r"/statements/\?q=51st(\+|%20)state&speaker=donald-trump$"))
    expect(page.locator("#filter-count")).to_have_text("(1 in use)")
    page.reload()
    expect(page.locator("#results-heading")).to_have_text("2 statements")


AXE_PAGES = {
    "statements": "/statements/",
    "statements-searched": "/statements/?q=51st+state&speaker=donald-trump&kind=quote",
    "statements-fr": "/fr/statements/?speaker=nobody",
    "statement": "/statements/trump-cherished-51st-state/",
    "statement-fr": "/fr/statements/trump-love-being-51st-state/",
    "timeline-quote-search": "/?q=51st+state",
}


@pytest.mark.parametrize("name", AXE_PAGES)
@pytest.mark.parametrize("width", [1280, 390])
def test_no_accessibility_violations(page, live_server, quotes, artifacts, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + AXE_PAGES[name])
    results = Axe().run(page)
    violations = results.response["violations"]
    (artifacts / f"axe-{name}-{width}.json").write_text(json.dumps(violations, indent=2))
    summary = [(v["id"], v["impact"], len(v["nodes"])) for v in violations]
    print(f"axe {name} at {width}px: {len(violations)} violations {summary}")
    assert summary == [], results.generate_report()
