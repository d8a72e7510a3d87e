"""Two app servers on one database and one Redis: a page one has computed the other serves from the shared cache,
and an edit made through one is seen at once on the other.

Real parts throughout: two gunicorn processes in the production profile (DEBUG off), the PostgreSQL test database
(a second process cannot reach SQLite's in-memory test database, so this runs on PostgreSQL), and a Redis server
(CACHE_URL's when it names one, as in CI; otherwise one started here, which needs Debian's redis-server).
"""

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from tests.factories import DraftEventFactory, EventFactory, SourceFactory
from timeline.benchmarking import QUERY_COUNT_HEADER
from timeline.management.commands.bench import HOST, Server

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_url():
    if os.environ.get("CACHE_URL", "").startswith("redis://"):
        yield os.environ["CACHE_URL"]
        return
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((HOST, port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://{HOST}:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def database_url() -> str:
    db = settings.DATABASES["default"]
    password = urllib.parse.quote(db["PASSWORD"] or "")
    return f"postgresql://{db['USER']}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def two_servers(redis_url):
    workdir = Path(tempfile.mkdtemp(prefix="timeline-two-servers-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "timeline.settings",  # the production profile, not the tests' settings
        "DATABASE_URL": database_url(),
        "CACHE_URL": redis_url,
        "CACHE_KEY_PREFIX": f"two-servers-{os.getpid()}",
        "SECURE_COOKIES": "0",  # plain HTTP on loopback: a Secure cookie would never come back
    }
    servers = [Server(1, workdir / "static", workdir / f"gunicorn-{name}.log", env=env) for name in "ab"]
    try:
        servers[0].collectstatic()
        for server in servers:
            server.start()
        for server in servers:
            from timeline.benchmarking import Target

            server.wait_until(Target("timeline", "/"))
        yield servers
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


# Both servers are asked for the same site, as behind one load balancer: the same Host, whatever the port.
SITE = {"Host": HOST}


def get(server, path, opener=None):
    opener = opener or urllib.request.build_opener()
    request = urllib.request.Request(f"http://{HOST}:{server.port}{path}", headers=SITE)
    with opener.open(request, timeout=30) as response:
        return response.status, dict(response.headers), response.read().decode()


def post(server, path, data, opener):
    body = urllib.parse.urlencode(data, doseq=True).encode()
    request = urllib.request.Request(
        f"http://{HOST}:{server.port}{path}", data=body, headers={**SITE, "Referer": f"http://{HOST}{path}"}
    )
    with opener.open(request, timeout=30) as response:
        return response.status, response.read().decode()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_an_edit_through_one_server_is_seen_at_once_on_the_other(two_servers, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # the servers' own
    a, b = two_servers
    EventFactory(slug="meeting", title="White House meeting", sources=[SourceFactory()])
    draft = DraftEventFactory(slug="summit", title="Kananaskis summit", sources=[SourceFactory()])
    get_user_model().objects.create_superuser("publisher", "publisher@example.org", "a-long-pass-phrase-1")

    status, first, page = get(a, "/")
    assert status == 200 and "White House meeting" in page and "Kananaskis summit" not in page
    status, shared, page_b = get(b, "/")
    # Server B's first request for the page is served from what server A computed: one query, the data version.
    assert shared[QUERY_COUNT_HEADER] == "1"
    assert page_b == page and shared["ETag"] == first["ETag"]

    # A publisher publishes the draft through server A's admin.
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    _, _, login = get(a, "/admin/login/", opener)
    status, logged_in = post(
        a,
        "/admin/login/?next=/admin/",
        {"csrfmiddlewaretoken": csrf_token(login), "username": "publisher", "password": "a-long-pass-phrase-1"},
        opener,
    )
    assert "Log out" in logged_in, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", logged_in))[:600]
    _, _, changelist = get(a, "/admin/timeline/event/", opener)
    status, result = post(
        a,
        "/admin/timeline/event/",
        {
            "csrfmiddlewaretoken": csrf_token(changelist),
            "action": "publish_selected",
            "_selected_action": [draft.pk],
            "index": "0",
        },
        opener,
    )
    assert status == 200 and "Published 1 event" in result

    status, after, page = get(b, "/")
    assert status == 200 and "Kananaskis summit" in page
    assert after["ETag"] != first["ETag"]
