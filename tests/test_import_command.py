"""Files too large for a web request: `manage.py import_file` imports them all or nothing, chunk by chunk, with a
progress bar, and lists every problem by its row."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.dbstate import snapshot
from tests.factories import SourceFactory, TopicFactory
from timeline import importing
from timeline.models import Event, Source

pytestmark = pytest.mark.django_db


def events_file(tmp_path, rows: int, bad_row: int | None = None):
    lines = ["slug,title,summary,start_date,topics"]
    for i in range(rows):
        date = "2025-02-30" if i == bad_row else f"2025-{1 + i % 12:02d}"
        lines.append(f"event-{i},Event {i},Summary {i}.,{date},trade")
    path = tmp_path / "events.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_file", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_file_larger_than_a_chunk_is_imported_whole_with_progress(tmp_path, editor, monkeypatch):
    TopicFactory(slug="trade")
    monkeypatch.setattr(importing, "CHUNK_ROWS", 7)
    out, err = run("event", str(events_file(tmp_path, 30)), "--user", "editor")
    assert "Imported 30 rows of events.csv: 30 new, 0 updated, 0 unchanged" in out
    assert "peak memory" in out
    assert "rows [" in err and "30/30" in err  # the progress bar, to the last row
    assert Event.objects.count() == 30
    assert {e.date_precision for e in Event.objects.all()} == {"month"}
    assert all(e.history.get().history_user == editor for e in Event.objects.all())

    out, _err = run("event", str(events_file(tmp_path, 30)), "--user", "editor")
    assert "0 new, 0 updated, 30 unchanged" in out  # idempotent here too


def test_one_bad_row_in_a_late_chunk_writes_nothing_and_is_named(tmp_path, editor, monkeypatch):
    TopicFactory(slug="trade")
    monkeypatch.setattr(importing, "CHUNK_ROWS", 7)
    before = snapshot()
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        run("event", str(events_file(tmp_path, 30, bad_row=25)), "--user", "editor")
    assert snapshot() == before


def test_the_problem_is_listed_by_its_spreadsheet_row(tmp_path, editor, capsys):
    TopicFactory(slug="trade")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_file", "event", str(events_file(tmp_path, 3, bad_row=1)), "--user", "editor", stderr=err)
    assert "Row 3, start_date: 30 February 2025 does not exist." in err.getvalue()


def test_a_dry_run_checks_and_writes_nothing(tmp_path, editor):
    TopicFactory(slug="trade")
    before = snapshot()
    out, _err = run("event", str(events_file(tmp_path, 5)), "--user", "editor", "--dry-run")
    assert "Checked (dry run, nothing written) 5 rows of events.csv: 5 new" in out
    assert snapshot() == before


def test_an_unreadable_file_is_refused_in_one_sentence(tmp_path, editor):
    path = tmp_path / "events.csv"
    path.write_text("slug|title\nx|X\n")
    with pytest.raises(CommandError, match=r"separates its columns with \u201c\|\u201d.*Nothing was imported"):
        run("event", str(path), "--user", "editor")


def test_known_addresses_must_be_answered(tmp_path, editor):
    SourceFactory(slug="cbc", url="https://www.cbc.ca/news/story", title="Old title")
    path = tmp_path / "sources.csv"
    path.write_text("title,url\nNew title,http://cbc.ca/news/story\n")
    with pytest.raises(CommandError):
        run("source", str(path), "--user", "editor")
    assert Source.objects.get().title == "Old title"
    run("source", str(path), "--user", "editor", "--known-addresses", "update")
    assert Source.objects.get().title == "New title"


def test_the_user_must_exist_and_may_import(tmp_path, django_user_model):
    django_user_model.objects.create_user("reader", password="x")
    path = events_file(tmp_path, 1)
    with pytest.raises(CommandError, match="No active user is named nobody"):
        run("event", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="reader may not add and change events"):
        run("event", str(path), "--user", "reader")


def test_references_are_looked_up_once_for_the_whole_file_and_memory_of_them_is_bounded(tmp_path, editor, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from timeline.import_columns import References

    TopicFactory(slug="trade")
    monkeypatch.setattr(importing, "CHUNK_ROWS", 7)
    with CaptureQueriesContext(connection) as queries:
        run("event", str(events_file(tmp_path, 30)), "--user", "editor")
    topic_lookups = [q["sql"] for q in queries if 'FROM "timeline_topic"' in q["sql"] and "slug" in q["sql"]]
    assert len(topic_lookups) == 1  # not once a chunk (5) nor once a row (30)

    known = References(limit=2)
    known["a"], known["b"] = 1, 2
    assert known["a"] == 1  # "a" used last, so "b" is the one forgotten
    known["c"] = 3
    assert list(known) == ["a", "c"]


def test_a_json_file_is_imported_in_chunks_too(tmp_path, editor, monkeypatch):
    import json

    TopicFactory(slug="trade")
    monkeypatch.setattr(importing, "CHUNK_ROWS", 7)
    records = [
        {"slug": f"event-{i}", "title": f"Event {i}", "summary": "S.", "start_date": "2025", "topics": ["trade"]}
        for i in range(30)
    ]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(records, indent=1), encoding="utf-8")
    out, err = run("event", str(path), "--user", "editor")
    assert "Imported 30 rows of events.json: 30 new" in out and "30/30" in err
    assert sorted(Event.objects.values_list("slug", flat=True)) == sorted(record["slug"] for record in records)


def test_a_row_repeating_one_of_an_earlier_chunk_is_named_with_it(tmp_path, editor, monkeypatch):
    TopicFactory(slug="trade")
    monkeypatch.setattr(importing, "CHUNK_ROWS", 7)
    path = events_file(tmp_path, 30)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[25] = lines[2].replace("Summary 1.", "Another summary.")  # row 26 (chunk 4) repeats row 3 (chunk 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command("import_file", "event", str(path), "--user", "editor", stderr=err)
    assert "Row 26: This row is the same event as row 3: keep one of them." in err.getvalue()
    assert not Event.objects.exists()


def test_what_an_import_remembers_of_earlier_rows_does_not_grow_its_memory_row_by_row():
    import tracemalloc

    from timeline.resources import EventResource

    resource = EventResource()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(20_000):
            assert resource.seen.first(("title", f"synthetic event number {n}", "2025-01-01"), n + 2) == n + 2
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 500_000  # held in a dict, these 20,000 identities took some 4 MB
    assert resource.seen.first(("title", "synthetic event number 5", "2025-01-01"), 30_000) == 7
