"""How many published events share each two keys of different facets (timeline_keypair, kept with the events'
facet keys by timeline/eventkeys.py): the timeline's counts under one value of one filter, or a date range, are read
from it rather than grouped from every matching event's keys. Derived data: created here in SQL, filled by a rebuild.
"""

from django.db import migrations, models

TABLE = (
    "CREATE TABLE timeline_keypair (facet_a smallint NOT NULL, value_a bigint NOT NULL, facet_b smallint NOT NULL, "
    "value_b bigint NOT NULL, n integer NOT NULL, PRIMARY KEY (facet_a, value_a, facet_b, value_b)){without_rowid}"
)


def create_table(apps, schema_editor):
    sqlite = schema_editor.connection.vendor == "sqlite"
    schema_editor.execute(TABLE.format(without_rowid=" WITHOUT ROWID" if sqlite else ""))
    if not sqlite:
        # The rows a removal leaves at 0, found without reading the table (timeline/eventkeys.py).
        schema_editor.execute("CREATE INDEX timeline_keypair_spent_idx ON timeline_keypair (facet_a) WHERE n <= 0")


def fill(apps, schema_editor):
    from timeline import eventkeys

    eventkeys.rebuild(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE timeline_keypair")


def drop_table(apps, schema_editor):
    from timeline import eventkeys

    eventkeys.uninstall(schema_editor.connection)
    schema_editor.execute("DROP TABLE timeline_keypair")
    eventkeys.install(connection=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0020_statement_keys_by_profile"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("end_date__isnull", False), ("status", "published")),
                fields=["end_date", "start_date", "id"],
                name="event_ranged_idx",
            ),
        ),
        migrations.RunPython(create_table, drop_table),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
