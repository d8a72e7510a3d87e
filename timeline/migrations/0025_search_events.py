"""PostgreSQL: each published event's words in one row (timeline/search_documents.py), that a search of one word
reads its matches from, filled from the documents there are. The triggers that keep it are those of the documents,
installed again after every migrate (apps.py). On SQLite this does nothing.
"""

from django.db import migrations


def create_table(apps, schema_editor):
    from timeline import search_documents

    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in search_documents.CREATE_EVENTS:
        schema_editor.execute(statement)
    schema_editor.execute(search_documents.AGGREGATE)
    search_documents.rebuild(schema_editor.connection)


def drop_table(apps, schema_editor):
    from timeline import search_documents

    if schema_editor.connection.vendor != "postgresql":
        return
    search_documents.uninstall(schema_editor.connection)
    schema_editor.execute(f"DROP TABLE {search_documents.EVENTS}")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0024_participants_in_name_order"),
    ]

    operations = [
        migrations.RunPython(create_table, drop_table),
    ]
