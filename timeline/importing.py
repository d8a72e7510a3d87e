"""Imports as a write workflow, for the admin and the import_file command alike.

- A preview writes nothing and records what it found: for each row, which existing item it matched and what that
  item held (the result's fingerprint), and which rows wait for the editor's choice.
- A confirmation writes all or nothing, and only what the preview showed: it runs the import again under a lock
  that lets one import write at a time, and if any row now finds something else (a topic deleted, an event
  changed, another import confirmed first) it is refused and rolled back. Its one-time upload makes a second
  click, or a second tab, find nothing left to confirm.
- Uploads wait in the database (ImportUpload), never in temporary files, and are deleted once confirmed or
  refused; a preview nobody confirms is deleted a day later.
- A file too large to preview and write within a web request is imported by `manage.py import_file`, in chunks
  of rows, in one transaction, with progress shown as it goes (`import_large`).
"""

import dataclasses
import datetime
import time
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export.tmp_storages import BaseStorage

from timeline.import_columns import remembered_references
from timeline.import_files import CHUNK_ROWS, ImportRefused, chunks, count_rows, row_label
from timeline.models import ImportUpload

# What the admin takes within one request (gunicorn and the proxy give a request 30 seconds); larger files go
# through the import_file command. A preview and a confirmation of ADMIN_MAX_ROWS rows each take a few seconds.
ADMIN_MAX_ROWS = 1000
ADMIN_MAX_BYTES = 5 * 1024 * 1024
UPLOAD_LIFETIME = datetime.timedelta(days=1)
IMPORT_LOCK = 160516  # any constant: the PostgreSQL advisory lock that one import at a time holds while writing


def lock_imports() -> None:
    """Let one import write at a time, until the transaction ends. On SQLite the first write of a transaction
    already takes the database's write lock, which is why confirm() starts with one."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


def describe(result) -> str:
    """ "2 new, 1 updated, 20 unchanged, 3 changes waiting for a publisher's review", from an import's result (or
    a LargeImport's): only what was written is called new or updated."""
    totals, proposed = result.totals, getattr(result, "proposed", None) or {}
    new = totals.get("new", 0) - proposed.get("new", 0)
    updated = totals.get("update", 0) - proposed.get("update", 0)
    same, waiting = totals.get("skip", 0), sum(proposed.values())
    parts = [
        ngettext("%(count)s new", "%(count)s new", new) % {"count": f"{new:,}"},
        ngettext("%(count)s updated", "%(count)s updated", updated) % {"count": f"{updated:,}"},
        ngettext("%(count)s unchanged", "%(count)s unchanged", same) % {"count": f"{same:,}"},
    ]
    if waiting:
        parts.append(
            ngettext(
                "%(count)s change waiting for a publisher’s review",
                "%(count)s changes waiting for a publisher’s review",
                waiting,
            )
            % {"count": f"{waiting:,}"}
        )
    return ", ".join(parts)


def repeats_its_original(column: str, messages, errors: dict) -> bool:
    """Whether `column` is a translated field's English or French column (summary_en) whose errors repeat those of
    the field itself (summary): a file's "summary" fills both, so one bad value would be named twice."""
    original, _, language = column.rpartition("_")
    return language in dict(settings.LANGUAGES) and errors.get(original) == messages


def problems_of(result, limit: int = 50) -> list[str]:
    """Every problem of a result as one line an editor can act on: "Row 3, start_date: 30 February 2025 does
    not exist." """
    noun = getattr(result, "row_noun", "row")
    lines = [str(error.error) for error in result.base_errors]
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            if repeats_its_original(column, messages, row.error_dict):
                continue
            for message in messages:
                where = (
                    row_label(row.number, noun) if column == "__all__" else f"{row_label(row.number, noun)}, {column}"
                )
                lines.append(f"{where}: {message}")
    for row in result.error_rows:
        for error in row.errors:
            lines.append(
                _("%(row)s could not be saved (%(error)s).")
                % {"row": row_label(row.number, noun), "error": error.error}
            )
    return lines[:limit]


# Uploads between the preview and the confirmation


class DatabaseUpload(BaseStorage):
    """django-import-export's temporary storage, in the database: nothing on disk to be left behind."""

    def save(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        purge_stale_uploads()
        self.name = str(ImportUpload.objects.create(data=data).pk)

    def read(self):
        upload = ImportUpload.objects.filter(pk=self.name).first()
        if upload is None:
            raise ImportRefused(GONE())
        return bytes(upload.data)

    def remove(self):
        ImportUpload.objects.filter(pk=self.name).delete()


def purge_stale_uploads() -> None:
    ImportUpload.objects.filter(created_at__lt=timezone.now() - UPLOAD_LIFETIME).delete()


def GONE() -> str:
    return _(
        "This preview can no longer be confirmed: it was confirmed already (a second click, or another tab), "
        "refused, or is more than a day old. Nothing more was imported; upload the file again to see where it stands."
    )


def CHANGED() -> str:
    return _(
        "Nothing was imported: the data changed since your preview (someone edited, deleted or imported some of "
        "the same items), so the import would not do what the preview showed. Upload the file again to preview "
        "it against the data as it is now."
    )


@dataclasses.dataclass
class Confirmation:
    result: object = None
    refusal: str = ""
    problems: list[str] = dataclasses.field(default_factory=list)


def confirm(upload_id, user, run: Callable[[bytes], object], after_write: Callable[[object], None]) -> Confirmation:
    """Write the previewed upload `upload_id` of `user` through `run(data) -> result`, all or nothing, or refuse.

    `after_write(result)` runs inside the transaction once the import is known to be good (the admin's log)."""
    outcome = Confirmation()
    try:
        with transaction.atomic():
            # The first statement writes: on SQLite it takes the write lock; on PostgreSQL a second confirmation
            # of this upload waits here for the first, then finds the upload gone.
            claimed = ImportUpload.objects.filter(pk=upload_id, user=user, confirmed_at=None).update(
                confirmed_at=timezone.now()
            )
            lock_imports()
            upload = ImportUpload.objects.filter(pk=upload_id).first() if claimed else None
            if upload is None:
                return Confirmation(refusal=GONE())
            outcome.result = run(bytes(upload.data))
            outcome.problems = problems_of(outcome.result)
            if outcome.problems:
                outcome.refusal = _("Nothing was imported: the file no longer imports as it did in the preview.")
            elif outcome.result.fingerprint != upload.fingerprint:
                outcome.refusal = CHANGED()
            if outcome.refusal:
                transaction.set_rollback(True)
            else:
                after_write(outcome.result)
                upload.delete()
    except DatabaseError:
        outcome = Confirmation(
            refusal=_(
                "Nothing was imported: the database refused the write (another import or edit may have held it "
                "too long). Try again in a moment."
            )
        )
    if outcome.refusal and outcome.refusal != GONE():
        ImportUpload.objects.filter(pk=upload_id).delete()
    return outcome


# Files too large for a web request


@dataclasses.dataclass
class LargeImport:
    rows: int = 0
    totals: Counter = dataclasses.field(default_factory=Counter)
    proposed: Counter = dataclasses.field(default_factory=Counter)
    problems: list[str] = dataclasses.field(default_factory=list)
    choices: dict = dataclasses.field(default_factory=dict)
    seconds: float = 0.0

    @property
    def written(self) -> bool:
        return not self.problems


def import_large(
    resource_class,
    path,
    kind: str,
    user=None,
    dry_run: bool = False,
    known_addresses: str = "",
    progress: Callable[[int, int], None] = lambda done, total: None,
    chunk_rows: int | None = None,
) -> LargeImport:
    """Import the file at `path` in chunks of rows, in one transaction: all of it, or (on any problem) nothing.

    Memory holds one chunk at a time. `known_addresses` ("update" or "keep") answers, for every row, the choice
    the admin's preview asks about a source whose address is already known."""
    started = time.monotonic()
    with open(path, "rb") as file:
        total = count_rows(file, kind)
    outcome = LargeImport()
    resource = resource_class()
    with transaction.atomic(), remembered_references():
        lock_imports()
        with open(path, "rb") as file:
            for dataset in chunks(file, kind, chunk_rows or CHUNK_ROWS):
                choices = {str(number): known_addresses for number in dataset.row_numbers} if known_addresses else {}
                result = resource.import_data(
                    dataset,
                    dry_run=False,
                    user=user,
                    url_choices=choices,
                    skip_html_diff=True,
                )
                outcome.rows += len(dataset)
                outcome.totals.update({key: result.totals[key] for key in ("new", "update", "skip")})
                outcome.proposed.update(result.proposed)
                outcome.problems += problems_of(result, limit=50 - len(outcome.problems))
                if result.base_errors:
                    break
                progress(outcome.rows, total)
        if resource.choices and not known_addresses:
            rows = ", ".join(list(resource.choices)[:5])
            outcome.problems.append(
                _(
                    "Rows %(rows)s name sources by addresses that are already known: run the command again with "
                    "--known-addresses=update (update those sources with the file) or --known-addresses=keep."
                )
                % {"rows": rows}
            )
        if dry_run or outcome.problems:
            transaction.set_rollback(True)
    outcome.seconds = time.monotonic() - started
    return outcome
