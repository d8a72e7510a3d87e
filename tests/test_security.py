"""Security headers, the Content-Security-Policy, framing, error pages, the 503 page and login lockout."""

import html
import json
import re
import sys
from unittest import mock
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from tests.factories import EventFactory, InvolvementFactory, StatementFactory, TopicFactory
from tests.htmlparse import inline_code
from timeline import urls as timeline_urls
from timeline.errors import server_error
from timeline.http import client_ip
from timeline.security import embeddable

pytestmark = pytest.mark.django_db


# A URLconf for the tests that need views the site does not have: the real one plus a few probes.


@embeddable
def framed_view(request):
    return HttpResponse("<p>embedded</p>")


def failing_view(request):
    raise RuntimeError("boom")


def database_down_view(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def forbidden_view(request):
    raise PermissionDenied


urlpatterns = [
    path("probe/framed/", framed_view),
    path("probe/fail/", failing_view),
    path("probe/db-down/", database_down_view),
    path("probe/forbidden/", forbidden_view),
    # The site's own routes after the probes (as they are, since i18n_patterns cannot be include()d).
    *timeline_urls.urlpatterns,
]
handler500 = "timeline.errors.server_error"
probe_urls = pytest.mark.urls(__name__)


def parse_csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


# Headers


def test_timeline_page_sends_the_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_csp_is_strict_on_every_reader_page(client):
    event = EventFactory()
    statement = StatementFactory(event=event)
    InvolvementFactory(event=event, participant=statement.speaker)
    topic = TopicFactory()
    event.topics.add(topic)
    for url in ["/", event.get_absolute_url(), statement.speaker.get_absolute_url(), topic.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = parse_csp(response["Content-Security-Policy"])
        assert csp["default-src"] == ["'none'"]
        assert csp["script-src"] == ["'self'"]
        assert csp["style-src"] == ["'self'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert csp["base-uri"] == ["'none'"]
        assert csp["object-src"] == ["'none'"]
        assert csp["form-action"] == ["'self'"]
        for sources in csp.values():
            assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:"} & set(sources), url


def test_reader_pages_have_no_inline_scripts_or_styles(client):
    statement = StatementFactory()
    topic = TopicFactory()
    statement.event.topics.add(topic)
    urls = ["/", statement.event.get_absolute_url(), statement.speaker.get_absolute_url(), topic.get_absolute_url()]
    for url in urls:
        assert inline_code(client.get(url).text) == [], url


def test_inline_code_finder_finds_what_the_csp_blocks():
    page = (
        '<p style="color:red" onclick="x()">a</p><style>p{}</style><script>alert(1)</script>'
        '<script src="/a.js"></script>'
    )
    assert inline_code(page) == ["<p style=...>", "<p onclick=...>", "<style>", "<script>alert(1)"]


def test_htmx_is_told_not_to_inject_styles_or_eval(client):
    html = client.get("/").text
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html).group(1))
    assert config["includeIndicatorStyles"] is False and config["allowEval"] is False


# Framing


@probe_urls
def test_pages_refuse_frames(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_embed_page_alone_may_be_framed(client):
    EventFactory()
    embed = client.get("/embed/")
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    csp = parse_csp(embed["Content-Security-Policy"])
    assert csp["frame-ancestors"] == ["*"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"] and csp["default-src"] == ["'none'"]
    for url in ["/", "/participants/", "/api/events", "/export/events.csv", "/feeds/events/"]:
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert parse_csp(response["Content-Security-Policy"])["frame-ancestors"] == ["'none'"], url


@probe_urls
def test_an_embeddable_view_may_be_framed_by_any_site_by_default(client):
    response = client.get("/probe/framed/")
    assert "X-Frame-Options" not in response
    csp = parse_csp(response["Content-Security-Policy"])
    assert csp["frame-ancestors"] == ["*"]
    # Everything else stays as strict as on any page.
    assert csp["script-src"] == ["'self'"] and csp["default-src"] == ["'none'"]


@probe_urls
def test_an_embeddable_view_honours_an_allow_list(client, settings):
    settings.EMBED_FRAME_ANCESTORS = ["https://news.example.com", "https://*.example.org"]
    response = client.get("/probe/framed/")
    assert parse_csp(response["Content-Security-Policy"])["frame-ancestors"] == [
        "'self'",  # the embed builder's preview
        "https://news.example.com",
        "https://*.example.org",
    ]


# Error pages


def test_404_page_is_ours(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text
    assert "Content-Security-Policy" in response


def test_404_for_an_unknown_event(client):
    response = client.get("/events/no-such-event/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text


def test_400_page_for_a_foreign_host(client):
    response = client.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.text


@probe_urls
def test_403_page_is_ours(client):
    response = client.get("/probe/forbidden/")
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in response.text


def test_403_page_for_a_form_without_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "someone", "password": "x"})
    assert response.status_code == 403
    assert "<h1>This form has expired</h1>" in response.text


@probe_urls
def test_500_page_is_ours():
    client = Client(raise_request_exception=False)
    response = client.get("/probe/fail/")
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.text
    assert "Retry-After" not in response


# The database unreachable


@probe_urls
def test_503_with_retry_after_when_a_view_cannot_reach_the_database(client, settings):
    settings.DATABASE_UNAVAILABLE_RETRY_AFTER = 7
    response = client.get("/probe/db-down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert "no-store" in response["Cache-Control"]
    assert "<h1>Briefly unavailable</h1>" in response.text
    assert "Content-Security-Policy" in response


def test_503_when_every_query_fails(client):
    """The real views, with the database connection refusing every query."""
    EventFactory()
    refused = OperationalError("server closed the connection unexpectedly")
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=refused):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"


def test_503_from_the_500_handler_for_a_database_error_outside_a_view(rf):
    """Middleware (sessions, say) runs outside the view: Django sends its errors to handler500."""
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500


# Login lockout (django-axes)


@pytest.fixture
def editor(django_user_model, settings):
    settings.AXES_ENABLED = True  # off in tests/settings.py for client.login(); these tests go through the form
    return django_user_model.objects.create_user("editor", password="correct horse battery", is_staff=True)


def log_in(client, username, password, address="203.0.113.10", **headers):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def test_correct_login_works_with_axes_on(client, editor):
    response = log_in(client, "editor", "correct horse battery")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_repeated_failures_lock_out_that_user_from_that_address(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, "editor", "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.text
    response = log_in(client, "editor", "wrong")
    assert response.status_code == 429
    assert "<h1>Sign-in temporarily locked</h1>" in response.text
    # Now even the right password is refused from that address...
    response = log_in(client, "editor", "correct horse battery")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # ...while the editor can still sign in from their own address, and other accounts from the attacker's.
    assert log_in(Client(), "editor", "correct horse battery", address="198.51.100.7").status_code == 302
    django_user_model = editor.__class__
    django_user_model.objects.create_user("publisher", password="another long secret", is_staff=True)
    assert log_in(Client(), "publisher", "another long secret").status_code == 302


# Client addresses behind proxies, and what a forged X-Forwarded-For can do to the lockout

CDN = "192.0.2.1"  # the outer of two proxies, as the inner one (nginx) writes it


@pytest.mark.parametrize(
    ("proxies", "peer", "forwarded", "client"),
    [
        # No trusted proxy: the header is the client's own words, and is ignored.
        (0, "203.0.113.10", None, "203.0.113.10"),
        (0, "203.0.113.10", "198.51.100.7", "203.0.113.10"),
        (0, "203.0.113.10", "198.51.100.7, 127.0.0.1", "203.0.113.10"),
        # One proxy (nginx, appending the address it saw): the last entry.
        (1, "127.0.0.1", "203.0.113.10", "203.0.113.10"),
        (1, "127.0.0.1", "198.51.100.7, 203.0.113.10", "203.0.113.10"),
        (1, "127.0.0.1", "anything, 127.0.0.1,203.0.113.10", "203.0.113.10"),
        (1, "127.0.0.1", "not an address, , 203.0.113.10", "203.0.113.10"),
        (1, "127.0.0.1", "2001:db8::1", "2001:db8::1"),
        (1, "127.0.0.1", "[2001:DB8::1]:443", "2001:db8::1"),
        (1, "127.0.0.1", "203.0.113.10:51234", "203.0.113.10"),
        (1, "127.0.0.1", None, "127.0.0.1"),  # straight to the app, as a health check is
        (1, "127.0.0.1", "198.51.100.7, nonsense", "127.0.0.1"),  # a broken proxy: the peer, not the forgery
        # Two proxies (a CDN, then nginx): the second entry from the right, the address the CDN saw.
        (2, "127.0.0.1", f"203.0.113.10, {CDN}", "203.0.113.10"),
        (2, "127.0.0.1", f"198.51.100.7, 203.0.113.10, {CDN}", "203.0.113.10"),
        (2, "127.0.0.1", f"1.1.1.1, 2.2.2.2, 203.0.113.10, {CDN}", "203.0.113.10"),
        (2, "127.0.0.1", "203.0.113.10", "203.0.113.10"),  # came to nginx directly: what nginx saw
    ],
)
def test_the_client_is_the_address_the_outermost_trusted_proxy_saw(rf, settings, proxies, peer, forwarded, client):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    assert client_ip(rf.get("/", REMOTE_ADDR=peer, **headers)) == client


def through(proxies: int, address: str, forged: str = "") -> dict:
    """The request as the app receives it from `address`, behind `proxies` proxies, the client having written
    `forged` into X-Forwarded-For itself."""
    if proxies == 0:
        return {"address": address, **({"HTTP_X_FORWARDED_FOR": forged} if forged else {})}
    chain = [part for part in (forged, address, CDN if proxies == 2 else "") if part]
    return {"address": "127.0.0.1", "HTTP_X_FORWARDED_FOR": ", ".join(chain)}


@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_a_stranger_cannot_lock_an_editor_out_on_another_address(editor, settings, proxies):
    """With one proxy, a client forging a first hop was seen as the proxy itself, so the attacker's failures
    locked out everyone the proxy also stood for: an editor behind an office proxy that adds its own hop."""
    settings.TRUSTED_PROXY_COUNT = proxies
    attacker = through(proxies, "203.0.113.66", forged="198.51.100.7")  # the editor's address, forged
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), "editor", "wrong", **attacker)
    assert log_in(Client(), "editor", "wrong", **attacker).status_code == 429
    office = "10.1.2.3" if proxies else ""  # the office proxy's own entry, written before ours
    response = log_in(Client(), "editor", "correct horse battery", **through(proxies, "198.51.100.7", office))
    assert response.status_code == 302


@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_a_forged_first_hop_buys_a_locked_out_attacker_no_more_guesses(editor, settings, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), "editor", "wrong", **through(proxies, "203.0.113.66"))
    for forged in ["1.2.3.4", "garbage", "127.0.0.1", "203.0.113.66", f"198.51.100.7, {CDN}"]:
        response = log_in(Client(), "editor", "correct horse battery", **through(proxies, "203.0.113.66", forged))
        assert response.status_code == 429, forged
        assert "_auth_user_id" not in Client().session


def test_a_login_with_a_foreign_next_lands_on_the_admin_index(editor):
    """Django refuses to follow a `next` on another site, and then went to /accounts/profile/: a 404 here."""
    for target in ["https://evil.example/", "//evil.example/admin/", "https:evil.example", "/admin/timeline/event/"]:
        client = Client()
        response = client.post(
            f"/admin/login/?next={quote(target)}",
            {"username": "editor", "password": "correct horse battery", "next": target},
            REMOTE_ADDR="198.51.100.7",
        )
        assert response.status_code == 302, target
        assert response["Location"] == (target if target.startswith("/admin/") else "/admin/"), target
    assert client.get("/admin/").status_code == 200


# Other sites' scripts: the open data is theirs to read, nothing else is

ORIGIN = {"Origin": "https://news.example"}
OPEN_DATA = [
    "/api/events",
    "/api/events/meeting",
    "/api/statements",
    "/export/events.csv",
    "/export/statements.csv",
    "/export/events.ics",
    "/export/timeline.json",
    "/feeds/events/",
    "/fr/export/events.csv",
    "/fr/feeds/events/",
]


@pytest.mark.parametrize("url", OPEN_DATA)
def test_other_sites_scripts_may_read_the_open_data_and_revalidate_it(client, url):
    """`OPTIONS` was a 405 and no response said who may read it, so a script elsewhere could not send If-None-Match
    (which needs a preflight) nor read the ETag."""
    EventFactory(slug="meeting")
    preflight = client.options(
        url,
        headers={**ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match"},
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert set(preflight["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"].split(", ")
    response = client.get(url, headers=ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"].split(", ")
    assert "Access-Control-Allow-Credentials" not in response
    revalidated = client.get(url, headers={**ORIGIN, "If-None-Match": response["ETag"]})
    assert revalidated.status_code == 304
    assert revalidated["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/login/", "/admin/timeline/event/", "/", "/events/meeting/", "/embed/", "/fr/"]
)
def test_nothing_but_the_open_data_is_shared_with_other_sites(admin_client, url):
    EventFactory(slug="meeting")
    preflight = admin_client.options(url, headers={**ORIGIN, "Access-Control-Request-Method": "GET"})
    response = admin_client.get(url, headers=ORIGIN)
    assert response.status_code in (200, 302), url
    for answer in (preflight, response):
        assert not [header for header in answer.headers if header.lower().startswith("access-control-")], url


# No stack trace or server path in any response (pytest-django runs with DEBUG off, as production does)


def leaks(response) -> list[str]:
    text = html.unescape(response.content.decode())
    found = [marker for marker in ("Traceback", 'File "', "site-packages") if marker in text]
    return found + re.findall(r"/[\w.-]+/[\w./-]+\.py\b", text)


def test_an_import_error_shows_its_message_and_no_traceback_or_server_path(admin_client, caplog):
    """A file without the column that names its rows made the importer print a traceback with server paths."""
    response = admin_client.post(
        "/admin/timeline/event/import/",
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("events.csv", b"title\nMeeting\n")},
    )
    assert response.status_code == 200
    assert "slug" in html.unescape(response.content.decode())  # what is missing is said
    assert leaks(response) == []
    assert "Traceback" in caplog.text  # kept in the log instead


@probe_urls
def test_a_server_error_shows_no_traceback_or_server_path():
    response = Client(raise_request_exception=False).get("/probe/fail/")
    assert response.status_code == 500 and leaks(response) == []


def test_the_leak_finder_finds_what_django_shows_while_debugging(rf, settings):
    from django.views.debug import technical_500_response

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        response = technical_500_response(rf.get("/"), *sys.exc_info())
    assert "Traceback" in leaks(response) and any(path.endswith(".py") for path in leaks(response))


def test_only_the_history_page_gets_an_exception_and_only_by_hash(admin_client):
    """simple-history's history list carries an inline style attribute; its exception allows exactly that text, by
    hash, on that page alone. The export form's inline attributes are gone (our template overrides it)."""
    event = EventFactory()
    history = parse_csp(admin_client.get(f"/admin/timeline/event/{event.pk}/history/")["Content-Security-Policy"])
    assert history["style-src-attr"] == ["'unsafe-hashes'", "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"]
    assert history["style-src"] == ["'self'"] and history["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in str(history) and "script-src-attr" not in history
    export = admin_client.get("/admin/timeline/event/export/")
    assert 'onchange="' not in export.text and ' style="' not in export.text
    for url in [
        "/",
        f"/admin/timeline/event/{event.pk}/change/",
        "/admin/timeline/event/",
        "/admin/timeline/event/import/",
        "/admin/timeline/event/export/",
    ]:
        csp = parse_csp(admin_client.get(url)["Content-Security-Policy"])
        assert "style-src-attr" not in csp and "script-src-attr" not in csp, url
