"""The published events' facet keys and their counts (timeline/eventkeys.py), and partial indexes on the published
events that let a date or type filter read an index instead of the whole events table.

The two tables are derived data, created here in SQL and not models, so that no dump, backup or fixture holds them,
and filled from the events; the triggers that keep them are installed after every migrate (apps.py).
"""

import django.db.models.functions.comparison
from django.db import migrations, models

TABLES = [
    "CREATE TABLE timeline_eventkey (facet smallint NOT NULL, value bigint NOT NULL, event_id bigint NOT NULL, "
    "PRIMARY KEY (facet, value, event_id)){without_rowid}",
    "CREATE INDEX timeline_eventkey_event_idx ON timeline_eventkey (event_id)",
    "CREATE TABLE timeline_facetcount (facet smallint NOT NULL, value bigint NOT NULL, n integer NOT NULL, "
    "PRIMARY KEY (facet, value)){without_rowid}",
]


def create_tables(apps, schema_editor):
    # SQLite: clustered on the primary key, so the events of one facet value are read in one range.
    without_rowid = " WITHOUT ROWID" if schema_editor.connection.vendor == "sqlite" else ""
    for statement in TABLES:
        schema_editor.execute(statement.format(without_rowid=without_rowid))


def fill(apps, schema_editor):
    from timeline import eventkeys

    eventkeys.rebuild(schema_editor.connection)


def drop_tables(apps, schema_editor):
    from timeline import eventkeys

    eventkeys.uninstall(schema_editor.connection)
    schema_editor.execute("DROP TABLE timeline_facetcount")
    schema_editor.execute("DROP TABLE timeline_eventkey")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0008_import_safety"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["start_date", "end_date", "event_type", "id"],
                name="event_published_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce("end_date", "start_date"),
                models.F("start_date"),
                models.F("event_type"),
                models.F("id"),
                condition=models.Q(("status", "published")),
                name="event_published_last_idx",
            ),
        ),
        migrations.RunPython(create_tables, drop_tables),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
