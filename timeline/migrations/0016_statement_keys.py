"""The published statements' facet keys and their counts (timeline/statementkeys.py): what the statements index's
facets and total read. Derived data, created here in SQL and not models, so that no dump, backup or fixture holds
them, and filled from the statements; the triggers that keep them are installed after every migrate (apps.py)."""

from django.db import migrations

TABLES = [
    "CREATE TABLE timeline_statementkey (facet smallint NOT NULL, value bigint NOT NULL, "
    "statement_id bigint NOT NULL, PRIMARY KEY (facet, value, statement_id)){without_rowid}",
    "CREATE INDEX timeline_statementkey_statement_idx ON timeline_statementkey (statement_id)",
    "CREATE TABLE timeline_statementcount (facet smallint NOT NULL, value bigint NOT NULL, n integer NOT NULL, "
    "PRIMARY KEY (facet, value)){without_rowid}",
]


def create_tables(apps, schema_editor):
    from timeline import statementkeys

    # SQLite: clustered on the primary key, so the statements of one facet value are read in one range.
    without_rowid = " WITHOUT ROWID" if schema_editor.connection.vendor == "sqlite" else ""
    for statement in TABLES:
        schema_editor.execute(statement.format(without_rowid=without_rowid))
    statementkeys.rebuild(schema_editor.connection)


def drop_tables(apps, schema_editor):
    from timeline import statementkeys

    statementkeys.uninstall(schema_editor.connection)
    schema_editor.execute("DROP TABLE timeline_statementcount")
    schema_editor.execute("DROP TABLE timeline_statementkey")
    statementkeys.install(connection=schema_editor.connection)  # the sort date's triggers, which stay


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0015_statement_sort_date"),
    ]

    operations = [
        migrations.RunPython(create_tables, drop_tables),
    ]
