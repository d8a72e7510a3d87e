"""The embed in a news site's page, in Chromium: it may be framed there, nothing else may, its links open the
canonical page in the top window rather than inside the frame, the code its builder writes fits the frame to its
events, and axe finds no violation on the builder or the embed."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import EventFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def news_site():
    """Another site, on its own port (so another origin), serving one article that frames a page of ours.

    A real server on the loopback: Chromium refuses to let a page without an address frame a local one.
    """
    article = {"html": b""}

    class Article(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(article["html"])

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Article)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(frame_src: str = "", code: str = "") -> str:
        """The article's address, framing `frame_src` or holding the embed `code` an author pasted."""
        frame = code or f'<iframe src="{frame_src}" title="t"></iframe>'
        article["html"] = f"<!DOCTYPE html><title>Article</title><h1>Article</h1>{frame}<p>After.</p>".encode()
        return f"http://127.0.0.1:{server.server_port}/article"

    yield serve
    server.shutdown()
    server.server_close()


def test_a_news_site_can_embed_the_timeline_and_links_leave_the_frame(page, live_server, news_site):
    trade = TopicFactory(slug="trade", name="Trade")
    event = EventFactory(slug="meeting", title="Leaders meet", topics=[trade])
    EventFactory(slug="other", title="Another story")

    page.goto(news_site(f"{live_server.url}/embed/?topic=trade"))
    embed = page.frame_locator("iframe")
    expect(embed.get_by_role("link", name="Leaders meet")).to_be_visible()
    expect(embed.get_by_text("Another story")).to_have_count(0)

    embed.get_by_role("link", name="Leaders meet").click()
    page.wait_for_url(f"{live_server.url}{event.get_absolute_url()}")  # the whole tab, not the frame
    expect(page.locator("h1")).to_have_text("Leaders meet")


def test_other_pages_refuse_to_be_framed(page, live_server, news_site):
    EventFactory(title="Leaders meet")

    with page.expect_console_message(lambda message: "frame-ancestors" in message.text) as refusal:
        page.goto(news_site(f"{live_server.url}/"))

    assert "'none'" in refusal.value.text
    expect(page.frame_locator("iframe").get_by_text("Leaders meet")).to_have_count(0)


def test_the_builders_code_fits_the_frame_to_its_events_in_another_site(page, live_server, news_site):
    trade = TopicFactory(slug="trade", name="Trade")
    for n in range(8):
        EventFactory(slug=f"talks-{n}", title=f"Trade talks {n}", topics=[trade])

    # An author shapes the embed: the latest three, fitted to their height.
    page.goto(f"{live_server.url}/embed/build/?topic=trade")
    page.get_by_label("Number of events").fill("3")
    page.get_by_label("Fit the frame to its events (automatic height)").check()
    page.wait_for_url(re.compile(r"limit=3.*autoheight=1"))
    code = page.locator("#embed-code")
    expect(code).to_have_value(re.compile(r"limit=3.*\n<script>", re.DOTALL))
    # The builder's own preview is fitted too.
    expect(page.locator("iframe.embed-preview")).not_to_have_attribute("height", "600")

    page.goto(news_site(code=code.input_value()))
    frame = page.locator("iframe[data-timeline-embed]")
    embed = page.frame_locator("iframe[data-timeline-embed]")
    expect(embed.get_by_role("link", name=re.compile("Trade talks"))).to_have_count(3)
    content = embed.locator("html").evaluate("element => Math.ceil(element.getBoundingClientRect().height)")
    expect(frame).to_have_attribute("height", str(content))
    assert content < 600  # three events take less than the height the code started with

    # Its links still open the canonical page in the whole tab.
    embed.get_by_role("link", name="Trade talks 0").click()
    page.wait_for_url(f"{live_server.url}/events/talks-0/")


@pytest.mark.parametrize(
    "address", ["/embed/build/?topic=trade", "/fr/embed/build/?topic=trade", "/embed/?topic=trade"]
)
@pytest.mark.parametrize("width", [1280, 390])
def test_no_accessibility_violations_on_the_builder_and_the_embed(page, live_server, artifacts, address, width):
    trade = TopicFactory(slug="trade", name="Trade")
    for n in range(3):
        EventFactory(slug=f"talks-{n}", title=f"Trade talks {n}", topics=[trade])
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + address)
    results = Axe().run(page)
    violations = results.response["violations"]
    name = address.strip("/").split("?")[0].replace("/", "-")
    (artifacts / f"axe-{name}-{width}.json").write_text(json.dumps(violations, indent=2))
    summary = [(v["id"], v["impact"], len(v["nodes"])) for v in violations]
    print(f"axe {address} at {width}px: {len(violations)} violations {summary}")
    assert summary == [], results.generate_report()
