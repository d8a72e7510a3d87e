"""Pages load in Chromium under the strict Content-Security-Policy without a single violation."""

import pytest
from playwright.sync_api import expect

from tests.factories import EventFactory, InvolvementFactory, SourceFactory, StatementFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Installed before any page script runs; CDP-injected scripts are not themselves subject to the page's CSP.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where} ${e.sample}`);
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
    page.wait_for_load_state("load")
    # Violation events are queued as tasks: let the page run two more frames before reading them.
    recorded = page.evaluate(
        "() => new Promise((done) => requestAnimationFrame("
        "  () => requestAnimationFrame(() => done(window.cspViolations))))"
    )
    csp_console = [text for text in page.console_errors if "Content Security Policy" in text]
    page.console_errors.clear()
    return recorded + csp_console


def assert_no_violations(page, where: str) -> None:
    found = violations(page)
    assert not found, f"{where}:\n" + "\n".join(found)


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

    reader_pages = [
        "/",
        event.get_absolute_url(),
        statement.speaker.get_absolute_url(),
        topic.get_absolute_url(),
        "/participants/",
        "/topics/",
        "/sources/",
        "/embed/",
        "/api/docs",
    ]
    for path in reader_pages:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert_no_violations(page, path)

    # The API's documentation (Swagger UI, served from our static files) really renders under the policy.
    page.goto(live_server.url + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Timeline API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert_no_violations(page, "API docs rendered")

    # htmx at work: a search swaps the results in place (and shows its loading indicator) under the policy.
    page.goto(live_server.url + "/")
    page.fill("#id_q", "zzz-no-match")
    expect(page.locator("#results-heading")).to_contain_text("0 events")
    assert "q=zzz-no-match" in page.url  # swapped by htmx, which pushed the URL
    assert_no_violations(page, "htmx search")

    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    assert_no_violations(page, "admin login")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "a long admin password")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert_no_violations(page, "admin index")

    for path in [
        "/admin/timeline/event/",
        f"/admin/timeline/event/{event.pk}/change/",
        "/admin/timeline/event/add/",
        "/admin/timeline/statement/",
        f"/admin/timeline/statement/{statement.pk}/change/",
        "/admin/timeline/participant/",
        "/admin/timeline/source/",
        f"/admin/timeline/event/{event.pk}/history/",
        "/admin/timeline/event/import/",
        "/admin/timeline/event/export/",
        "/admin/timeline/correction/",
        "/admin/auth/user/",
    ]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert_no_violations(page, path)

    # The export form's "select all" toggle works with no inline handler (timeline/admin_export.js binds it).
    page.goto(f"{live_server.url}/admin/timeline/event/export/")
    page.uncheck("input.select-toggle")
    assert page.locator(".selectable-field-export-row input[type=checkbox]:checked").count() == 0
    assert_no_violations(page, "export select-all")

    # Autocomplete widgets (select2) build their dropdowns in the browser: open one under the policy.
    page.goto(f"{live_server.url}/admin/timeline/statement/{statement.pk}/change/")
    page.click("#id_speaker + .select2 .select2-selection")
    page.wait_for_selector(".select2-results__option")
    assert_no_violations(page, "select2 autocomplete")
