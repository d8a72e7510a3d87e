"""PostgreSQL: each statement's document holds its language and kind (its profile, timeline/statementkeys.py) and the
day it was said, so that a statements search reads them with its matches and ranks them there
(timeline/search_documents.py). Derived data: the documents are rebuilt, and the triggers that keep them, which now
rewrite an event's documents when a statement's kind or day changes, recreated. On SQLite this does nothing: its
search reads the profiles from the statements' keys."""

from django.db import migrations


def add_columns(apps, schema_editor):
    from timeline import search_documents

    if not search_documents.installed(schema_editor.connection):
        return
    # Present already where migration 0023 created the table as it now is.
    for column in ("profile smallint", "said_on date"):
        schema_editor.execute(f"ALTER TABLE {search_documents.TABLE} ADD COLUMN IF NOT EXISTS {column}")
    search_documents.rebuild(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0035_statements_keyed_by_day"),
    ]

    operations = [
        # Backwards, the columns stay: the code before them names the columns it writes, and leaves them empty.
        migrations.RunPython(add_columns, migrations.RunPython.noop),
    ]
