"""SQLite: the event words (timeline/fulltext.py), each event's own words and its statements' in one full-text row,
filled from the rows there are, and the triggers that keep them. On PostgreSQL this does nothing: its search reads
each event's words from its search row (timeline/search_documents.py)."""

from django.db import migrations


def create_event_words(apps, schema_editor):
    from timeline import fulltext

    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(fulltext.create_event_words())
    fulltext.rebuild(schema_editor.connection)


def drop_event_words(apps, schema_editor):
    from timeline import fulltext

    if schema_editor.connection.vendor != "sqlite":
        return
    fulltext.uninstall(schema_editor.connection)
    schema_editor.execute(f"DROP TABLE IF EXISTS {fulltext.EVENT_WORDS}")
    fulltext.install(connection=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0038_statements_by_language_in_date_order"),
    ]

    operations = [
        migrations.RunPython(create_event_words, drop_event_words),
    ]
