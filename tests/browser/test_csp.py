"""Pages load in Chromium under the strict Content-Security-Policy without a single violation."""

import pytest

from tests.factories import EventFactory, InvolvementFactory, SourceFactory, StatementFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Installed before any page script runs; CDP-injected scripts are not themselves subject to the page's CSP.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
});
"""


@pytest.fixture
def watched_page(page):
    page.add_init_script(RECORD_VIOLATIONS)
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.console_errors = console_errors
    return page


def violations(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    recorded = page.evaluate("window.cspViolations")
    csp_console = [text for text in page.console_errors if "Content Security Policy" in text]
    page.console_errors.clear()
    return recorded + csp_console


def test_the_violation_recorder_catches_an_inline_script(watched_page, live_server):
    """The detector itself: a page under our policy with an inline script and style is reported."""
    url = f"{live_server.url}/probe-violation/"
    csp = "default-src 'none'; script-src 'self'; style-src 'self'"
    watched_page.route(
        url,
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": csp},
            body='<!DOCTYPE html><p style="color:red">x</p><script>document.title = "ran"</script>',
        ),
    )
    watched_page.goto(url)
    found = violations(watched_page)
    assert any("script-src" in v for v in found), found
    assert any("style-src" in v for v in found), found


def test_reader_and_admin_pages_have_no_csp_violations(watched_page, live_server, django_user_model):
    source = SourceFactory()
    event = EventFactory(sources=[source])
    topic = TopicFactory()
    event.topics.add(topic)
    statement = StatementFactory(event=event, sources=[source])
    InvolvementFactory(event=event, participant=statement.speaker)
    django_user_model.objects.create_superuser("chief", "chief@example.org", "a long admin password")
    page = watched_page

    for path in ["/", event.get_absolute_url(), statement.speaker.get_absolute_url(), topic.get_absolute_url()]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert violations(page) == [], path

    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    assert violations(page) == [], "admin login"
    page.fill("#id_username", "chief")
    page.fill("#id_password", "a long admin password")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert violations(page) == [], "admin index"

    for path in [
        "/admin/timeline/event/",
        f"/admin/timeline/event/{event.pk}/change/",
        "/admin/timeline/event/add/",
        "/admin/timeline/statement/",
        f"/admin/timeline/statement/{statement.pk}/change/",
        "/admin/timeline/participant/",
        "/admin/timeline/source/",
        f"/admin/timeline/event/{event.pk}/history/",
    ]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert violations(page) == [], path

    # Autocomplete widgets (select2) build their dropdowns in the browser: open one under the policy.
    page.goto(f"{live_server.url}/admin/timeline/statement/{statement.pk}/change/")
    page.click("#id_speaker + .select2 .select2-selection")
    page.wait_for_selector(".select2-results__option")
    assert violations(page) == [], "select2 autocomplete"
