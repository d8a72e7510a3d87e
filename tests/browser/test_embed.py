"""The embed in a news site's page, in Chromium: it may be framed there, nothing else may, and its links open
the canonical page in the top window rather than inside the frame."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
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

    def serve(frame_src: str) -> str:
        article["html"] = (
            f'<!DOCTYPE html><title>Article</title><h1>Article</h1><iframe src="{frame_src}" title="t"></iframe>'
        ).encode()
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
