"""The statements of some events in the order said, read from this index alone: the API's statements and the
statements download under the timeline's dates read them event by event and sort them (querysets.py,
chronological_by_event)."""

from django.db import migrations, models


def analyze(apps, schema_editor):
    # SQLite weighs indexes by the statistics ANALYZE last kept: in a database analyzed before this index, it kept
    # to the statements' event index and read every statement's row for its date (124 ms for the United States'
    # events at 100,000 events; 71 from this one).
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("SELECT 1 FROM sqlite_stat1 WHERE tbl = 'timeline_statement'")
            if cursor.fetchone():
                cursor.execute("ANALYZE statement_event_said_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0033_events_without_statements_keyed"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="statement",
            index=models.Index(fields=["event", "sort_date", "id"], name="statement_event_said_idx"),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
