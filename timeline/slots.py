"""At most N requests at once doing one expensive kind of work on this machine, whatever the worker processes.

`slot("downloads", 1)` holds one of the kind's slots for the duration of a `with` block, or raises Busy at once
when every slot is taken: a request never waits for one, so waiting requests can never fill the workers that
serve the pages. The slots are file locks (flock) in a folder of the system's temporary directory, so every
worker and thread of the site on this machine shares them (and no other site, such as a test run on another
database), and a crashed worker's lock is released with its file. Where the platform has no flock (Windows),
there is no limit.
"""

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


class Busy(Exception):
    """Every slot of the kind is taken."""


def lock_directory() -> Path:
    """A folder per site on this machine (settings.TIMELINE_SITE_KEY: this code on its database), so that two
    sites' slots never mix."""
    directory = Path(tempfile.gettempdir()) / f"timeline-{settings.TIMELINE_SITE_KEY}-slots"
    directory.mkdir(mode=0o700, exist_ok=True)
    return directory


@contextlib.contextmanager
def slot(kind: str, slots: int) -> Iterator[int]:
    """Hold one of `slots` slots of `kind` (yielding its number), or raise Busy."""
    if fcntl is None:
        yield 0
        return
    directory = lock_directory()
    for number in range(slots):
        handle = open(directory / f"{kind}-{number}.lock", "a")  # noqa: SIM115 - held open for the block's duration
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield number
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
        return
    raise Busy(kind)
