"""Work done on a second database connection while the request goes on with its own: the timeline's counts (its
facets, overview and total), read while the page's events are read and rendered, and the statements index's facets
under a search, while the page's statements are read.

On PostgreSQL the counts are SQL the server computes while Python waits. At 100,000 events they were 20 to 40 ms of
a filtered page, and the page's events and cards another 20 to 30 ms of Python; one after the other, a filtered
timeline took about 100 ms. Side by side, what the database computes overlaps what Python renders.

Only where another connection sees what this one does: on PostgreSQL, outside a transaction. Inside one (a test's,
or an editor's save that renders a page) it could not see what the transaction wrote, so the work is done in
place, in order, as it is on SQLite. And only while the setting TIMELINE_COUNTS_ALONGSIDE is on: the work is the
same either way, only spread over two cores, and on a server whose cores are all busy already there is nothing to
overlap it with.
"""

import concurrent.futures
import contextlib
import contextvars
import os
import threading

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections
from django.utils import translation

_lock = threading.Lock()
_executor: tuple[int, concurrent.futures.ThreadPoolExecutor] | None = None


class Done:
    """A result already worked out, read as a future's is."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def possible(using: str = DEFAULT_DB_ALIAS) -> bool:
    connection = connections[using]
    return settings.TIMELINE_COUNTS_ALONGSIDE and connection.vendor == "postgresql" and not connection.in_atomic_block


def start(work, in_turn: bool = False, using: str = DEFAULT_DB_ALIAS):
    """`work()` begun on a second connection where `possible`, else (or `in_turn`) done at once; `.result()` gives
    its value (or raises its exception) either way."""
    if in_turn or not possible(using):
        return Done(work())
    # What the request's thread has set for itself: its language (names, URLs under /fr/), whatever wraps its
    # queries (the bench's query counter), and its context, which holds the data versions the request read once for
    # all its cache keys (versions.request_versions).
    context = contextvars.copy_context()
    language = translation.get_language()
    wrappers = list(connections[using].execute_wrappers)

    def run():
        # As at the start of a request: a connection past CONN_MAX_AGE or broken (a restarted server) is closed,
        # and a new one opened.
        close_old_connections()
        with translation.override(language), contextlib.ExitStack() as stack:
            for wrapper in wrappers:
                stack.enter_context(connections[using].execute_wrapper(wrapper))
            return work()

    return executor().submit(context.run, run)


def executor() -> concurrent.futures.ThreadPoolExecutor:
    """One thread per process, kept with its connection: a forked worker starts its own."""
    global _executor
    with _lock:
        if _executor is None or _executor[0] != os.getpid():
            _executor = (os.getpid(), concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="alongside"))
        return _executor[1]


def close() -> None:
    """Close the thread's connection: before a test database is dropped, which no connection may still hold."""
    if _executor is not None and _executor[0] == os.getpid():
        _executor[1].submit(connections.close_all).result()
