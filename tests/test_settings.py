"""The production profile, checked in fresh processes started the way a server starts: settings from the environment."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "timeline.example.org",
}


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    # Only what a server would have: not the test run's own settings (conftest sets DJANGO_ALLOW_ASYNC_UNSAFE).
    inherited = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "ADMIN_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    clean.update(
        DJANGO_SETTINGS_MODULE="timeline.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    clean.update(env)
    return subprocess.run([sys.executable, *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "0", "ALLOWED_HOSTS": "timeline.example.org"}, "SECRET_KEY must be set"),
        ({"DEBUG": "0", "SECRET_KEY": "short", "ALLOWED_HOSTS": "timeline.example.org"}, "SECRET_KEY must be set"),
        ({"DEBUG": "0", "SECRET_KEY": PRODUCTION["SECRET_KEY"]}, "ALLOWED_HOSTS must be set"),
    ],
)
def test_production_refuses_to_start_without_secret_key_and_hosts(tmp_path, env, message):
    result = run(["manage.py", "check"], env, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_is_clean(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


# A production process: collect static files, create the database, then ask for the timeline over HTTPS.
PRODUCTION_REQUESTS = """
import json
import django
from django.core.management import call_command
django.setup()
call_command("collectstatic", interactive=False, verbosity=0)
call_command("migrate", verbosity=0)
from django.test import Client
client = Client()
plain = client.get("/")
page = client.get("/", secure=True)
stylesheet = page.text.split('rel="stylesheet" href="')[1].split('"')[0]
css = client.get(stylesheet, secure=True)
login = client.get("/admin/login/", secure=True)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "headers": dict(page.headers),
    "stylesheet": stylesheet,
    "css": [css.status_code, css.get("Cache-Control")],
    "cookies": {name: dict(morsel) for name, morsel in login.cookies.items()},
}))
"""


def test_production_serves_https_only_with_hsts_hashed_static_files_and_secure_cookies(tmp_path):
    result = run(["-c", PRODUCTION_REQUESTS], PRODUCTION | {"ALLOWED_HOSTS": "testserver"}, tmp_path)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["plain"] == [301, "https://testserver/"]
    headers = seen["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in headers["Content-Security-Policy"]

    # Whitenoise serves the collected, content-hashed file, cached for ever.
    assert seen["stylesheet"].startswith("/static/timeline/timeline.")
    assert seen["stylesheet"] != "/static/timeline/timeline.css"
    assert seen["css"] == [200, "max-age=315360000, public, immutable"]

    csrf = seen["cookies"]["csrftoken"]
    assert csrf["secure"] is True and csrf["httponly"] is True


def test_production_settings_follow_the_environment(tmp_path):
    env = PRODUCTION | {
        "SECURE_HSTS_SECONDS": "3600",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "ADMIN_URL": "/newsroom/",
        "EMBED_FRAME_ANCESTORS": "https://news.example.com https://*.example.org",
        "TRUSTED_PROXY_COUNT": "1",
    }
    script = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.ADMIN_URL,"
        " s.EMBED_FRAME_ANCESTORS, s.TRUSTED_PROXY_COUNT, s.AXES_CLIENT_IP_CALLABLE, s.LOGIN_REDIRECT_URL]))"
    )
    result = run(["-c", script], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        3600,
        False,
        ["HTTP_X_FORWARDED_PROTO", "https"],
        "newsroom/",
        ["https://news.example.com", "https://*.example.org"],
        1,
        "timeline.http.client_ip",
        "admin:index",
    ]


ADMIN_REQUESTS = """
import django, json
from django.core.management import call_command
django.setup()
call_command("migrate", verbosity=0)
from django.test import Client
client = Client()
print(json.dumps([client.get("/newsroom/login/").status_code, client.get("/admin/login/").status_code]))
"""


def test_admin_lives_at_the_configured_path(tmp_path):
    result = run(["-c", ADMIN_REQUESTS], {"ADMIN_URL": "newsroom/"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [200, 404]


UNREACHABLE_DATABASE = """
import django, json
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
pages = ["/", "/events/some-event/", "/admin/login/?next=/admin/"]
print(json.dumps([[client.get(url).status_code, client.get(url).get("Retry-After")] for url in pages]
                 + [client.post("/admin/login/", {"username": "a", "password": "b"}).status_code]))
"""


def test_503_when_the_database_server_refuses_connections(tmp_path):
    """A real PostgreSQL connection attempt to a port where nothing listens."""
    env = {
        "DATABASE_URL": "postgresql://timeline:timeline@127.0.0.1:9/timeline",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    result = run(["-c", UNREACHABLE_DATABASE], env, tmp_path)
    assert result.returncode == 0, result.stderr
    # The admin login form renders without the database; signing in needs it.
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [[503, "10"], [503, "10"], [200, None], 503]


# Requests whose pages hold many objects until they are sent; whether each full collection ran from
# collect_after_response, that is after a response was written.
FULL_COLLECTIONS = """
import gc, json, sys
import timeline.wsgi
from django.core.signals import request_finished, request_started

full = []

def watch(phase, info):
    if phase == "start" and info["generation"] == 2:
        frame, names = sys._getframe(), set()
        while frame:
            names.add(frame.f_code.co_name)
            frame = frame.f_back
        full.append("collect_after_response" in names)

gc.callbacks.append(watch)
for request in range(200):
    request_started.send(sender=None)
    page = [[row] for row in range(20_000)]
    del page
    request_finished.send(sender=None)
print(json.dumps(full))
"""


def test_the_server_collects_its_old_objects_between_requests_not_during_them(tmp_path):
    """A full collection in the middle of a page walks all the page holds (25–55 ms at 100,000 events)."""
    result = run(["-c", FULL_COLLECTIONS], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    full = json.loads(result.stdout)
    assert full, "no full collection in 200 requests"
    assert all(full), f"{full.count(False)} of {len(full)} full collections ran during a request"


# What a server process has ready once it has loaded the app, before any request.
PREPARED = """
import json, sys
import timeline.wsgi
from django.template import engines
from django.utils.translation import trans_real
from timeline import caching

# django-template-partials' loader wraps Django's cached one.
loader = engines["django"].engine.template_loaders[0].loaders[0]
print(json.dumps({
    "urls": "timeline.urls" in sys.modules,
    "languages": sorted(trans_real._translations),
    "code digests": caching.code_version.cache_info().currsize,
    "templates": sorted(loader.get_template_cache),
}))
"""


def test_a_server_process_prepares_what_every_request_needs_before_the_first_one(tmp_path):
    """The first request each process served imported the URLs, loaded the messages of its language, compiled the
    templates and digested the code: its reader waited 280 to 330 ms for a page already in the shared cache (a
    stall after each worker started, and in the bench wherever a worker got its first request)."""
    result = run(["-c", PREPARED], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    prepared = json.loads(result.stdout)
    assert prepared["urls"] is True
    assert {"en", "fr"} <= set(prepared["languages"])
    assert prepared["code digests"] == 1
    assert {"base.html", "timeline/event_list.html", "_event_card.html"} <= set(prepared["templates"])


def test_the_server_sets_aside_what_loading_the_app_created_from_the_collector(tmp_path):
    """A full collection walks every object the process holds; the app's own are set aside once it has loaded."""
    code = "import gc, timeline.wsgi; print(gc.get_freeze_count())"
    result = run(["-c", code], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 10_000
