"""Backups restore: dump, empty the database, restore, and every row (history included) is back, identical."""

import gzip
import json
import os
import shutil
import subprocess

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection

from tests.dbstate import snapshot
from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    RoleFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from timeline import backups
from timeline.models import Correction, Event, Participant, Role, Source, Statement

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def newsroom(django_user_model):
    """A little of everything, with a history: edits by a named editor, and objects deleted since."""
    editor = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    group = Group.objects.create(name="Reporters")
    group.permissions.add(Permission.objects.get(codename="change_event"))
    editor.groups.add(group)

    topic = TopicFactory(name="Trade", slug="trade")
    sources = SourceFactory.create_batch(3)
    event = EventFactory(title="Leaders meet", topics=[topic], sources=sources[:2])
    draft = DraftEventFactory(title="Not yet public", sources=[sources[2]])
    speaker = ParticipantFactory(name="Mark Carney", slug="mark-carney")
    RoleFactory(participant=speaker, title="Prime Minister of Canada")
    RoleFactory(participant=speaker, title="Governor of the Bank of Canada", start=None, attested_on="2013-06-01")
    InvolvementFactory(event=event, participant=speaker, part="host")
    StatementFactory(event=event, speaker=speaker, text="Quote, “with” curly quotes, é and 中文.", sources=sources[:1])
    StatementFactory(event=draft, speaker=speaker)
    Correction.objects.create(event=event, note="The date was wrong.")

    event._history_user = editor
    event.summary = "Edited by the editor."
    event.save()
    LogEntry.objects.log_actions(editor.pk, [event], CHANGE)

    # History that outlives its objects: a statement and its speaker, both deleted.
    gone = ParticipantFactory(slug="gone")
    doomed = StatementFactory(event=event, speaker=gone)
    doomed.delete()
    gone.delete()
    return event


def test_backup_and_restore_give_back_every_row(newsroom, tmp_path):
    before = snapshot()
    assert len(before["timeline.HistoricalEvent"]) == 3  # two created, one edited
    assert any(row["history_user_id"] for row in before["timeline.HistoricalEvent"])
    assert any(row["history_type"] == "-" for row in before["timeline.HistoricalStatement"])
    path = tmp_path / "backup.json.gz"

    call_command("backup", str(path))
    call_command("flush", interactive=False)
    assert Event.objects.count() == Statement.objects.count() == Participant.objects.count() == 0
    call_command("restore", str(path), interactive=False)

    after = snapshot()
    for label in before:
        assert after[label] == before[label], label
    for model in [Event, Statement, Source, Role, Participant]:
        assert before[model._meta.label], model  # each was really covered, not equal because empty
        assert before[model.history.model._meta.label]
    # History still belongs to its object, and new rows get new ids (sequences were reset past the restored ones).
    event = Event.objects.get(slug=newsroom.slug)
    assert event.history.count() == 2
    assert EventFactory().pk > event.pk


def test_backup_is_readable_json_with_natural_keys_for_permissions(newsroom, tmp_path):
    path = tmp_path / "backup.json.gz"
    call_command("backup", str(path))
    rows = json.loads(gzip.decompress(path.read_bytes()))
    models = {row["model"] for row in rows}
    assert {"timeline.event", "timeline.historicalevent", "auth.user", "auth.group", "admin.logentry"} <= models
    assert not models & {"contenttypes.contenttype", "auth.permission", "sessions.session"}
    group = next(row for row in rows if row["model"] == "auth.group" and row["fields"]["name"] == "Reporters")
    assert group["fields"]["permissions"] == [["change_event", "timeline", "event"]]


def test_a_failing_restore_changes_nothing(newsroom, tmp_path):
    before = snapshot()
    path = tmp_path / "backup.json"
    backups.write(path)
    rows = json.loads(path.read_text())
    # A bad row at the very end: an event whose end is before its start (a database constraint).
    rows.append(
        {
            "model": "timeline.event",
            "pk": 999,
            "fields": {
                "title": "Broken",
                "slug": "broken",
                "summary": "x",
                "start_date": "2025-05-06",
                "end_date": "2025-01-01",
                "date_precision": "day",
                "end_precision": "day",
                "event_type": "other",
                "importance": 2,
                "status": "draft",
                "created_at": "2025-05-06T00:00:00Z",
                "updated_at": "2025-05-06T00:00:00Z",
            },
        }
    )
    path.write_text(json.dumps(rows))
    with pytest.raises(IntegrityError):
        call_command("restore", str(path), interactive=False)
    assert snapshot() == before


def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "nope.json"), interactive=False)


def test_restore_asks_before_emptying_the_database(newsroom, tmp_path, monkeypatch):
    path = tmp_path / "backup.json"
    backups.write(path)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("restore", str(path))
    assert Event.objects.filter(pk=newsroom.pk).exists()


@pytest.mark.postgresql
def test_pg_dump_and_pg_restore_give_back_every_row(newsroom, tmp_path):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore are not installed (Debian: postgresql-client)")
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    target = ["-h", db["HOST"] or "localhost", "-p", str(db["PORT"] or 5432), "-U", db["USER"], "-d", db["NAME"]]
    before = snapshot()
    path = tmp_path / "timeline.dump"

    subprocess.run(["pg_dump", "-Fc", "-f", str(path), *target], env=env, check=True, timeout=120)
    call_command("flush", interactive=False)
    assert not Event.objects.exists()
    connection.close()  # pg_restore --clean drops and recreates the tables
    subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error", *target, str(path)],
        env=env,
        check=True,
        timeout=120,
    )

    assert snapshot() == before
    assert EventFactory().pk > newsroom.pk
