"""The whole published dataset as files, for whoever wants all of it at once.

A download of the filtered timeline holds at most settings.TIMELINE_DOWNLOAD_LIMIT rows a request (the next ones
at ?page=2, ...), so that no request costs much more than a page does. The whole dataset is written here instead,
by `manage.py export_open_data` (from cron, say, or after an import), into settings.TIMELINE_OPEN_DATA_DIR, and
served from disk at /export/full/<file> (export_views.full_download) with no query at all.

Each file is written a row at a time (memory stays flat at any size) and gzipped beside itself, into a folder of
its own; the manifest, replaced last and in one step, names that folder, so a reader always gets files of one
export. The manifest also records the data version they hold (timeline.versions): a run when nothing readers can
see has changed writes nothing. On PostgreSQL the files are read from one snapshot of the database.
"""

import contextlib
import dataclasses
import datetime
import gzip
import hashlib
import itertools
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from timeline import exports, versions
from timeline.exports import Absolute
from timeline.models import Event, Statement

MANIFEST = "manifest.json"
CHUNK_SIZE = 2000  # rows fetched at a time


def published_events():
    return Event.objects.published().for_export().chronological()


def published_statements():
    return Statement.objects.published().for_list().chronological()


@dataclasses.dataclass(frozen=True)
class OpenDataFile:
    name: str
    content_type: str
    # The file's chunks from the rows it is written from: a header, one chunk per row, a close.
    chunks: Callable[[Iterator, Absolute], Iterator[str | bytes]]
    framing: int  # the chunks that are not rows: a CSV's header line; a calendar's or a JSON's opening and close
    rows: Callable  # the queryset the file is written from; files of the same rows are written in one reading


CALENDAR_NAME = gettext_lazy("Timeline: Canada–U.S. relations")
TIMELINEJS_TITLE = (gettext_lazy("Canada–U.S. relations"), gettext_lazy("Events from Timeline, each with its sources."))

FILES = [
    OpenDataFile(
        "timeline-events.csv",
        "text/csv; charset=utf-8; header=present",
        lambda events, absolute: exports.csv_lines(exports.EVENT_COLUMNS, exports.event_rows(events, absolute)),
        framing=1,
        rows=published_events,
    ),
    OpenDataFile(
        "timeline-events.ics",
        "text/calendar; charset=utf-8",
        lambda events, absolute: exports.ical_chunks(events, absolute, CALENDAR_NAME),
        framing=2,
        rows=published_events,
    ),
    OpenDataFile(
        "timeline.json",
        "application/json",
        lambda events, absolute: exports.timelinejs_chunks(events, absolute, *TIMELINEJS_TITLE),
        framing=2,
        rows=published_events,
    ),
    OpenDataFile(
        "timeline-statements.csv",
        "text/csv; charset=utf-8; header=present",
        lambda statements, absolute: exports.csv_lines(
            exports.STATEMENT_COLUMNS, exports.statement_rows(statements, absolute)
        ),
        framing=1,
        rows=published_statements,
    ),
]
BY_NAME = {file.name: file for file in FILES}


def directory() -> Path:
    return Path(settings.TIMELINE_OPEN_DATA_DIR)


def manifest() -> dict | None:
    """What the last export wrote, or None if there has been none."""
    try:
        return json.loads((directory() / MANIFEST).read_text())
    except (FileNotFoundError, ValueError):
        return None


def language() -> str:
    """The language of the files a request gets: its page's (English unprefixed, French under /fr/)."""
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def files_of(current: dict, language: str) -> dict:
    return current["files"].get(language, {})


def path_of(name: str, current: dict, language: str, compressed: bool = False) -> Path:
    return directory() / current["folder"] / language / (name + (".gz" if compressed else ""))


@contextlib.contextmanager
def snapshot():
    """Every query in the block sees the database as it was when the block began: on PostgreSQL, one REPEATABLE READ
    transaction. SQLite's would lock editors out for the whole export, so there the version is read first: an
    edit made meanwhile leaves the files marked older than it, and the next run writes them again."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:  # inside a transaction already (a test)
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def export(base_url: str, force: bool = False) -> dict | None:
    """Write every file of the published dataset, in each of the site's languages; None, writing nothing, when the
    last export holds the current data version (unless `force`). `base_url` ("https://timeline.example.org") makes
    the files' links absolute."""
    last = manifest()
    version = versions.current_version()
    if not force and last and version and last["version"] == version.token:
        return None
    root = directory()
    root.mkdir(parents=True, exist_ok=True)
    folder = f"export-{uuid.uuid4().hex}"
    (root / folder).mkdir()
    try:
        files = {}
        with snapshot():
            version = versions.current_version()
            for code, _name in settings.LANGUAGES:  # each language's text and links, as its pages have them
                (root / folder / code).mkdir()
                with translation.override(code):
                    files[code] = write_all(root / folder / code, base_url)
        written = {
            "version": version.token if version else "",
            "data_changed_at": version.changed_at.isoformat() if version else None,
            "generated_at": datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds"),
            "folder": folder,
            "files": files,
        }
        staged = root / f".{MANIFEST}.{folder}"
        staged.write_text(json.dumps(written, indent=2))
        os.replace(staged, root / MANIFEST)  # the switch: readers now get the new folder
    except BaseException:
        shutil.rmtree(root / folder, ignore_errors=True)
        raise
    # Older exports go; a download still reading one keeps its open file until it is done.
    for old in root.glob("export-*"):
        if old.name != folder:
            shutil.rmtree(old, ignore_errors=True)
    return written


class Output:
    """A file being written, with its gzipped copy beside it, its digest and its size as they grow."""

    def __init__(self, file: OpenDataFile, folder: Path):
        self.file = file
        self.plain = open(folder / file.name, "wb")  # noqa: SIM115 - closed by close()
        self.packed = gzip.GzipFile(folder / f"{file.name}.gz", "wb", mtime=0)
        self.digest, self.size, self.chunks = hashlib.sha256(), 0, 0

    def write(self, chunk: str | bytes) -> None:
        data = chunk.encode() if isinstance(chunk, str) else chunk
        self.plain.write(data)
        self.packed.write(data)
        self.digest.update(data)
        self.size += len(data)
        self.chunks += 1

    def close(self) -> dict:
        self.packed.close()
        self.plain.close()
        rows = self.chunks - self.file.framing
        return {
            "bytes": self.size,
            "rows": rows,
            "sha256": self.digest.hexdigest(),
            "content_type": self.file.content_type,
        }


def write_all(folder: Path, base_url: str) -> dict:
    """Write every file into `folder`: the files of the same rows from one reading of them, in step, each row
    written to each file before the next is read, so memory does not grow with the data."""
    base = base_url.rstrip("/")

    def absolute(path: str) -> str:
        return base + path

    written = {}
    for rows in dict.fromkeys(file.rows for file in FILES):
        files = [file for file in FILES if file.rows is rows]
        outputs = [Output(file, folder) for file in files]
        try:
            copies = itertools.tee(rows().iterator(CHUNK_SIZE), len(files))
            streams = [file.chunks(copy, absolute) for file, copy in zip(files, copies, strict=True)]
            for chunks in itertools.zip_longest(*streams):
                for output, chunk in zip(outputs, chunks, strict=True):
                    if chunk is not None:
                        output.write(chunk)
        finally:
            results = [output.close() for output in outputs]
        written.update((file.name, result) for file, result in zip(files, results, strict=True))
    return {file.name: written[file.name] for file in FILES}
