"""The quote journey in Debian's Firefox ESR, at desktop and phone widths: the timeline searched for "Trump" and
then "51st state" shows the quote that matched on its event's card; its page names the speaker with his role then,
the event and the source; the speaker's other statements are a link away; the statements index filters by its
search and its speaker facet."""

import pytest

from tests.browser.quotes import SOURCE_URL, record

pytestmark = [pytest.mark.browser, pytest.mark.firefox, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def quotes():
    record()


def heading_is(firefox, text: str) -> None:
    firefox.wait_for(f"() => document.querySelector('#results-heading').textContent.trim() === {text!r}")


@pytest.mark.parametrize("size", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_quote_journey(firefox, live_server, quotes, size):
    firefox.viewport(*size)
    firefox.goto(live_server.url + "/")
    firefox.type("#id_q", "Trump")
    firefox.wait_for("() => location.search === '?q=Trump'")
    heading_is(firefox, "2 events")

    firefox.evaluate("() => { document.querySelector('#id_q').value = ''; }")
    firefox.type("#id_q", "51st state")
    firefox.wait_for("() => /^\\?q=51st(\\+|%20)state$/.test(location.search)")
    card = "#event-speech-from-the-throne"
    firefox.wait_for(f"() => document.querySelector('{card} blockquote mark')?.textContent === '51st'")
    assert firefox.text(f"{card} blockquote") == "if they become our cherished 51st State."
    firefox.click_and_wait_for_load(f"{card} a.statement-link")

    assert firefox.url() == live_server.url + "/statements/trump-cherished-51st-state/"
    assert firefox.text("h1") == "Donald Trump, 27 May 2025"
    facts = firefox.text(".statement-facts")
    assert "Donald Trump, President of the United States" in facts
    assert "King delivers the Speech from the Throne" in facts
    assert firefox.evaluate("() => document.querySelector('.sources a').href") == SOURCE_URL
    assert firefox.visible(".sources a")
    assert "Reported by Semafor" in firefox.evaluate("() => document.querySelector('#citation-text').value")

    firefox.click_and_wait_for_load(".statement-detail + p a")  # more statements by the speaker
    assert firefox.url() == live_server.url + "/statements/?speaker=donald-trump"
    assert firefox.text("#results-heading") == "2 statements"


@pytest.mark.parametrize("size", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_statements_index_filters(firefox, live_server, quotes, size):
    width, height = size
    firefox.viewport(width, height)
    firefox.goto(live_server.url + "/statements/")
    assert firefox.text("#results-heading") == "3 statements"
    firefox.type("#id_q", "51st")
    firefox.wait_for("() => location.search === '?q=51st'")
    heading_is(firefox, "2 statements")
    if width < 900:
        firefox.click("#filter-panel > summary")
    assert firefox.visible("#speaker-donald-trump"), "the speaker filter cannot be seen"
    firefox.click("#kind-paraphrase")
    firefox.wait_for("() => location.search === '?q=51st&kind=paraphrase'")
    heading_is(firefox, "0 statements")
    assert firefox.text("#filter-count") == "(1 in use)"
