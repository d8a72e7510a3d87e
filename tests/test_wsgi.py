"""The WSGI application as a server calls it: each request's frames in one chunk of Python's frame stack,
wherever the server calls from (timeline/frames.py)."""

import io
import resource
import sys

import pytest

from tests.factories import EventFactory, InvolvementFactory, StatementFactory, TopicFactory
from timeline.wsgi import application


@pytest.fixture
def a_full_page(db, settings, in_test_transaction):
    settings.TIMELINE_CACHE = False  # each request renders the page again
    topics = [TopicFactory() for _ in range(3)]
    for n in range(30):
        event = EventFactory(topics=topics[: n % 3 + 1])
        InvolvementFactory(event=event)
        StatementFactory(event=event)
    return "/"


def get(path: str) -> int:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
    }
    status = []
    response = application(environ, lambda code, headers, exc_info=None: status.append(code))
    try:
        b"".join(response)
    finally:
        response.close()
    return int(status[0].split()[0])


def at_depth(frames: int, call):
    """`call()` from `frames` Python frames deeper than here, as a server's own calls would put it."""
    return at_depth(frames - 1, call) if frames else call()


def page_faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def test_a_page_maps_no_memory_for_its_frames_wherever_the_server_calls_from(a_full_page):
    """On CPython 3.11 and 3.12, called from some depths, the timeline page mapped and unmapped a chunk of frames
    thousands of times a request, each a fresh page of memory: a quarter of its time under gunicorn."""
    faults = {}
    for depth in range(0, 120, 2):
        assert at_depth(depth, lambda: get(a_full_page)) == 200  # what it allocates once is allocated now
        before = page_faults()
        at_depth(depth, lambda: get(a_full_page))
        faults[depth] = page_faults() - before
    worst = max(faults, key=faults.get)
    assert faults[worst] < 100, f"{faults[worst]} pages of memory mapped serving one page, from depth {worst}"
