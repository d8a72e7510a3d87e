"""The data version: one row that database triggers replace whenever any timeline table changes.

A table of its own rather than a model, because it is not data: dumps, backups, fixtures and the admin never
see it. timeline.versions reads it and installs the triggers after every migrate.
"""

import uuid

from django.db import migrations


def first_version(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO timeline_dataversion (id, token, changed_at) VALUES (1, %s, CURRENT_TIMESTAMP)",
            [uuid.uuid4().hex],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0004_postgresql_search"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE TABLE timeline_dataversion "
            "(id integer PRIMARY KEY, token varchar(64) NOT NULL, changed_at timestamp with time zone NOT NULL)",
            "DROP TABLE timeline_dataversion",
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
    ]
