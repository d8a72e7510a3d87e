"""What a backup holds and how it is written and read: Django's own dumpdata and loaddata, in one JSON file.

Primary keys are kept, so that simple-history's records (which name their object by id) still match their
objects after a restore. Foreign keys to content types and permissions are written as natural keys, because
`migrate` and `flush` recreate those rows with ids of their own. History rows are dumped with plain ids:
they may point at objects deleted since, which have no natural key left to name them by.
"""

import gzip
import io
import json
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from simple_history.models import HistoricalChanges

# Recreated by migrate/flush, or worth nothing after a restore (sessions, login-attempt logs, files awaiting an
# import's confirmation).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes", "timeline.importupload"]


def history_labels() -> list[str]:
    return [model._meta.label for model in apps.get_models() if issubclass(model, HistoricalChanges)]


def _dump(*labels: str, exclude: list[str], natural_foreign: bool) -> list:
    out = io.StringIO()
    call_command(
        "dumpdata", *labels, exclude=exclude, natural_foreign=natural_foreign, format="json", stdout=out, verbosity=0
    )
    return json.loads(out.getvalue() or "[]")


def dump() -> list[dict]:
    """Every row worth keeping, in an order loaddata can read back."""
    history = history_labels()
    return _dump(exclude=EXCLUDED + history, natural_foreign=True) + _dump(*history, exclude=[], natural_foreign=False)


def open_backup(path: Path, mode: str):
    return gzip.open(path, mode + "t", encoding="utf-8") if path.suffix == ".gz" else open(path, mode, encoding="utf-8")


def write(path: Path) -> int:
    rows = dump()
    with open_backup(path, "w") as file:
        json.dump(rows, file, ensure_ascii=False)
    return len(rows)
