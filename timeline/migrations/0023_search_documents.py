"""PostgreSQL: the published events' searchable documents (timeline/search_documents.py), filled from the rows there
are, that a search reads its matches from.

A table created in SQL, not a model, so that no dump, backup or fixture holds it; the triggers that keep it are
installed here and again after every migrate (apps.py). On SQLite this does nothing: its search reads the full-text
indexes of migration 0014.
"""

from django.db import migrations


def create_table(apps, schema_editor):
    from timeline import search_documents

    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in search_documents.CREATE:
        schema_editor.execute(statement)
    search_documents.rebuild(schema_editor.connection)


def drop_table(apps, schema_editor):
    from timeline import search_documents

    if schema_editor.connection.vendor != "postgresql":
        return
    search_documents.uninstall(schema_editor.connection)
    schema_editor.execute(f"DROP TABLE {search_documents.TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0022_indexes_for_the_overview"),
    ]

    operations = [
        migrations.RunPython(create_table, drop_table),
    ]
