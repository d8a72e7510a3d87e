"""SQLite: an index of the statements in the order best match first lists them there
(StatementQuerySet.best_match_first): the day said, a day not known last, then id. SQLite sorts NULLs first, so that
order is written `said_on IS NULL, said_on`, which only an index on the same expression can serve. PostgreSQL ranks
each match, reads that page from the search documents (timeline/search_documents.py), and needs none: there this
does nothing."""

from django.db import migrations

INDEX = "statement_said_known_first_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f'CREATE INDEX "{INDEX}" ON "timeline_statement" (("said_on" IS NULL), "said_on", "id")')


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0039_sqlite_event_words"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
