"""Faults survived: a load that fails half way leaves the database exactly as it was; simultaneous saves of one
event never silently overwrite each other.

PostgreSQL restarted under load is tests/faults/pg_restart.py (it stops a real server; CI runs it separately).
"""

import json
import threading

import pytest
from django.core.management import call_command
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError, connection
from django.test import Client
from django.urls import reverse

from tests.dbstate import snapshot
from tests.factories import DraftEventFactory, EventFactory, ParticipantFactory, StatementFactory
from tests.htmlparse import form_data

pytestmark = pytest.mark.django_db

GOOD_ROWS = [
    {"model": "timeline.participant", "fields": {"name": "New Person", "slug": "new-person", "kind": "person"}},
    {
        "model": "timeline.event",
        "fields": {
            "title": "A new event",
            "slug": "a-new-event",
            "summary": "Written first.",
            "start_date": "2025-05-06",
            "status": "published",
            "created_at": "2025-05-06T12:00:00Z",
            "updated_at": "2025-05-06T12:00:00Z",
        },
    },
]

BAD_LAST_ROWS = {
    "a database constraint (end before start)": {
        "model": "timeline.event",
        "fields": {
            "title": "Broken",
            "slug": "broken",
            "summary": "x",
            "start_date": "2025-05-06",
            "end_date": "2025-01-01",
            "created_at": "2025-05-06T12:00:00Z",
            "updated_at": "2025-05-06T12:00:00Z",
        },
    },
    "an unknown speaker": {
        "model": "timeline.statement",
        "fields": {"slug": "who", "speaker": ["nobody-by-that-name"], "event": ["a-new-event"], "text": "Hello."},
    },
    "a malformed date": {
        "model": "timeline.event",
        "fields": {
            "title": "Bad date",
            "slug": "bad-date",
            "summary": "x",
            "start_date": "2025-13-45",
            "created_at": "2025-05-06T12:00:00Z",
            "updated_at": "2025-05-06T12:00:00Z",
        },
    },
    "an empty quote (a check constraint)": {
        "model": "timeline.statement",
        "fields": {"slug": "empty", "speaker": ["new-person"], "event": ["a-new-event"], "text": ""},
    },
    "an unknown model": {"model": "timeline.nosuchthing", "fields": {"name": "x"}},
}


# What loaddata raises for each: the database refuses a constraint or a reference to nothing, the deserializer
# refuses what is not a value of its field or not a model at all.
ERRORS = {
    "a database constraint (end before start)": IntegrityError,
    "an unknown speaker": IntegrityError,
    "a malformed date": DeserializationError,
    "an empty quote (a check constraint)": IntegrityError,
    "an unknown model": DeserializationError,
}

# One case with real commits (loaddata's own transaction, not a savepoint in the test's), the rest fast.
CASES = [
    pytest.param(row, ERRORS[name], id=name, marks=[pytest.mark.django_db(transaction=True)] if i == 0 else [])
    for i, (name, row) in enumerate(BAD_LAST_ROWS.items())
]


@pytest.mark.parametrize(("bad_row", "error"), CASES)
def test_a_fixture_that_fails_half_way_changes_nothing(tmp_path, bad_row, error):
    existing = EventFactory(slug="existing", title="Before")
    StatementFactory(event=existing, speaker=ParticipantFactory(slug="speaker"))
    before = snapshot()
    # Good rows first, one of them rewriting an existing event, then the bad row last.
    rewrite = {
        "model": "timeline.event",
        "pk": existing.pk,
        "fields": {
            "title": "Overwritten",
            "slug": "existing",
            "summary": "Changed by the fixture",
            "start_date": "2020-01-01",
            "created_at": "2025-05-06T12:00:00Z",
            "updated_at": "2025-05-06T12:00:00Z",
        },
    }
    fixture = tmp_path / "broken.json"
    fixture.write_text(json.dumps([*GOOD_ROWS, rewrite, bad_row]))

    with pytest.raises(error):
        call_command("loaddata", str(fixture), verbosity=0)

    assert snapshot() == before


def test_the_same_fixture_without_its_bad_row_loads(tmp_path):
    """The control for the test above: the good rows alone do load, so it is the bad row that stopped them."""
    fixture = tmp_path / "good.json"
    fixture.write_text(json.dumps(GOOD_ROWS))
    before = snapshot()
    call_command("loaddata", str(fixture), verbosity=0)
    assert snapshot() != before


# Two editors saving the same event at the same moment: one save wins, the other is refused, nothing is lost.


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_one_event_never_silently_overwrite(editor, publisher):
    event = DraftEventFactory(title="Original")
    url = reverse("admin:timeline_event_change", args=[event.pk])
    clients = {}
    for user in (editor, publisher):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    forms = {name: form_data(client.get(url), "event_form") for name, client in clients.items()}
    for name, data in forms.items():
        data["title_en"] = [f"Title by the {name}"]

    start = threading.Barrier(2)
    responses = {}

    def save(name):
        start.wait()
        try:
            responses[name] = clients[name].post(url, forms[name])
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=save, args=(name,)) for name in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    saved = [name for name, response in responses.items() if response.status_code == 302]
    statuses = {name: r.status_code for name, r in responses.items()}
    if not saved and connection.vendor == "sqlite":
        # SQLite's shared-cache test database cannot wait for a lock: when each writer trips over the other's
        # read, both are refused. That is still no silent overwrite: both get the 503 and nothing is written.
        assert statuses == {"editor": 503, "publisher": 503}
        event.refresh_from_db()
        assert (event.title, event.version, event.history.count()) == ("Original", 1, 1)
        return
    assert len(saved) == 1, statuses
    [refused] = set(responses) - set(saved)
    response = responses[refused]
    if response.status_code == 200:
        assert "Your changes were not saved, so nothing was overwritten" in response.text
    else:
        # SQLite cannot wait for the row lock: its second writer fails at once, as a 503 that writes nothing.
        assert (connection.vendor, response.status_code) == ("sqlite", 503)
    event.refresh_from_db()
    assert event.title == f"Title by the {saved[0]}"
    assert event.version == 2
    assert event.history.count() == 2  # created, then the one save
