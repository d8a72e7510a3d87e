"""What the statements index reads, kept by the database (timeline/statementkeys.py): whatever is changed, however,
the triggers leave it exactly as a rebuild from the statements and their events would."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from tests.factories import DraftEventFactory, EventFactory, ParticipantFactory, StatementFactory
from timeline import statementkeys
from timeline.models import Event, Statement

D = datetime.date
pytestmark = pytest.mark.django_db


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(tuple(row) for row in cursor.fetchall())


def state():
    return rows("SELECT id, sort_date FROM timeline_statement")


def expected():
    """The date each statement is read under, computed here from the models."""
    return sorted((s.pk, s.said_on or (s.event.start_date if s.event else None)) for s in Statement.objects.all())


def assert_as_rebuilt():
    kept = state()
    assert kept == expected()
    statementkeys.rebuild()
    assert kept == state()


@pytest.fixture
def world():
    carney = ParticipantFactory(slug="carney")
    meeting = EventFactory(slug="meeting", start_date=D(2025, 5, 6))
    summit = EventFactory(slug="summit", start_date=D(2025, 6, 16))
    draft = DraftEventFactory(slug="draft", start_date=D(2025, 7, 1))
    StatementFactory(slug="dated", event=meeting, speaker=carney, said_on=D(2025, 5, 7))
    StatementFactory(slug="undated", event=meeting, speaker=carney, said_on=None)
    StatementFactory(slug="at-summit", event=summit, speaker=carney, said_on=None)
    StatementFactory(slug="in-draft", event=draft, speaker=carney, said_on=None)
    return {"carney": carney, "meeting": meeting, "summit": summit, "draft": draft}


def sort_date(slug: str):
    return rows("SELECT sort_date FROM timeline_statement WHERE slug = %s", [slug])[0][0]


def as_date(value):
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def test_a_statement_is_read_under_its_own_date_or_else_its_events(world):
    assert as_date(sort_date("dated")) == D(2025, 5, 7)
    assert as_date(sort_date("undated")) == D(2025, 5, 6)
    assert as_date(sort_date("in-draft")) == D(2025, 7, 1)
    assert_as_rebuilt()


def stale_save(world):
    """A statement loaded, its event's date changed meanwhile, then saved as loaded: the write carries the old
    sort date, which the database must not keep."""
    statement = Statement.objects.get(slug="undated")
    Event.objects.filter(pk=world["meeting"].pk).update(start_date=D(2024, 1, 1))
    statement.text = "Changed words."
    statement.save()


def write_a_wrong_date(world):
    Statement.objects.filter(slug="dated").update(sort_date=D(1900, 1, 1))


CHANGES = {
    "new date said": lambda w: Statement.objects.filter(slug="dated").update(said_on=D(2025, 1, 2)),
    "date said removed": lambda w: Statement.objects.filter(slug="dated").update(said_on=None),
    "date said added": lambda w: Statement.objects.filter(slug="undated").update(said_on=D(2025, 2, 3)),
    "moved to another event": lambda w: Statement.objects.filter(slug="undated").update(event=w["summit"]),
    "every statement moved": lambda w: Statement.objects.update(event=w["draft"]),
    "event's date changed": lambda w: Event.objects.filter(pk=w["meeting"].pk).update(start_date=D(2024, 12, 1)),
    "every event's date, in bulk": lambda w: Event.objects.update(start_date=D(2020, 2, 2)),
    "event saved with a new date": lambda w: (
        setattr(w["summit"], "start_date", D(2025, 6, 15)),
        w["summit"].save(),
    ),
    "statement added": lambda w: StatementFactory(event=w["summit"], speaker=w["carney"], said_on=None),
    "statements added in bulk": lambda w: Statement.objects.bulk_create(
        [Statement(slug=f"bulk-{n}", event=w["meeting"], speaker=w["carney"], text="Bulk.") for n in range(3)]
    ),
    "statement saved as it was loaded, stale": stale_save,
    "a wrong date written": write_a_wrong_date,
    "statement deleted": lambda w: Statement.objects.filter(slug="undated").delete(),
    "published": lambda w: Event.objects.filter(pk=w["draft"].pk).update(status="published"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_every_change_leaves_the_sort_dates_as_a_rebuild_would(world, change):
    change(world)
    assert_as_rebuilt()


def test_the_triggers_are_back_after_a_migrate(world):
    call_command("migrate", verbosity=0)
    Event.objects.filter(pk=world["summit"].pk).update(start_date=D(2030, 1, 1))
    assert as_date(sort_date("at-summit")) == D(2030, 1, 1)
    assert_as_rebuilt()


def test_a_fixture_loaded_gets_its_sort_dates(world, tmp_path):
    """A dump carries the column as it was; loaded, the database writes its own."""
    out = io.StringIO()
    call_command("dumpdata", "timeline.statement", stdout=out)
    dump = json.loads(out.getvalue())
    for row in dump:
        row["fields"]["sort_date"] = "1900-01-01"
    Statement.objects.all().delete()
    path = tmp_path / "statements.json"
    path.write_text(json.dumps(dump))
    call_command("loaddata", str(path), verbosity=0)
    assert as_date(sort_date("undated")) == D(2025, 5, 6)
    assert_as_rebuilt()
