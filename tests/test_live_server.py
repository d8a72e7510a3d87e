"""The live server that the browser tests drive: its request threads each have a database connection of their own.

On SQLite's in-memory test database they would share the test's one connection (or, for a server started before the
database was made, one in-memory cache), and two requests at once on it (an admin page and its autocomplete, say)
can deadlock the whole run for good: one thread holds SQLite's lock and waits for the GIL to call a Python-defined
SQL function, the other holds the GIL and waits for SQLite's lock. The test database is therefore a file
(tests/settings.py), as PostgreSQL's is a database of its own.
"""

import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.signals import request_started
from django.db import connections
from pytest_django.live_server_helper import LiveServer


@pytest.fixture
def live_server_started_now(transactional_db):
    """pytest-django's live server, started once the test database exists, as a browser test's usually is: that is
    when it would share the test's in-memory connection. (The session's `live_server` may have started earlier.)"""
    server = LiveServer("localhost")
    yield server
    server.stop()


def test_two_requests_at_once_on_the_live_server_each_have_their_own_database_connection(live_server_started_now):
    tests = connections["default"]
    tests.ensure_connection()
    both_in = threading.Barrier(2, timeout=10)
    seen = []

    def record(**kwargs):
        both_in.wait()  # both requests in flight at once
        own = connections["default"]
        own.ensure_connection()
        seen.append((own, own.connection))

    # A static file: its requests open no database connection of their own accord, so nothing else here can touch a
    # shared one at the same time (which could hang this test rather than fail it).
    url = f"{live_server_started_now.url}/{settings.STATIC_URL.strip('/')}/admin/css/base.css"

    def get(_):
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status

    request_started.connect(record, weak=False, dispatch_uid="record-live-server-connections")
    try:
        with ThreadPoolExecutor(2) as pool:
            statuses = list(pool.map(get, range(2)))
    finally:
        request_started.disconnect(dispatch_uid="record-live-server-connections")

    assert statuses == [200, 200]
    # The test's, then each request's: three wrappers, and three connections to the database under them.
    wrappers = [tests] + [own for own, _ in seen]
    assert len({id(own) for own in wrappers}) == 3, f"request threads share a connection: {wrappers}"
    opened = [tests.connection] + [raw for _, raw in seen]
    assert len({id(raw) for raw in opened}) == 3, f"request threads share a connection: {opened}"
    assert not any(own.is_in_memory_db() for own in wrappers if own.vendor == "sqlite"), "one in-memory database"
