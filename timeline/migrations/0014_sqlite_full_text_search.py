"""SQLite: the full-text indexes of events and statements (timeline/fulltext.py), filled from the rows there are.

FTS5 virtual tables created in SQL, not models, so that no dump, backup or fixture holds them; the triggers that
keep them are installed here and again after every migrate (apps.py). On PostgreSQL this does nothing: its search
reads the stored vectors and GIN indexes of migrations 0004 and 0013.
"""

from django.db import migrations


def create_indexes(apps, schema_editor):
    from timeline import fulltext

    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in fulltext.create_statements():
        schema_editor.execute(statement)
    fulltext.rebuild(schema_editor.connection)


def drop_indexes(apps, schema_editor):
    from timeline import fulltext

    if schema_editor.connection.vendor != "sqlite":
        return
    fulltext.uninstall(schema_editor.connection)
    for index in fulltext.INDEXES:
        schema_editor.execute(f"DROP TABLE IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0013_search_in_both_languages"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
