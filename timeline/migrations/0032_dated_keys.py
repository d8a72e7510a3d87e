"""The facet keys readers filter by, with their events' dates (timeline_datedkey, kept with the keys by
timeline/datedkeys.py): the events of a participant, a topic, a country or a type over a range of dates are read
from one index. Derived data: created here in SQL, filled from the keys."""

from django.db import migrations


def create_table(apps, schema_editor):
    from timeline import datedkeys

    vendor = schema_editor.connection.vendor
    schema_editor.execute(datedkeys.TABLE.format(without_rowid=" WITHOUT ROWID" if vendor == "sqlite" else ""))
    schema_editor.execute(datedkeys.INDEX[vendor])


def fill(apps, schema_editor):
    from timeline import datedkeys, eventkeys

    connection = schema_editor.connection
    if not eventkeys.installed(connection):
        return
    datedkeys.rebuild(connection)
    datedkeys.install(connection)
    if connection.vendor == "postgresql":
        # A value's rows estimated from facet and value together, as the keys' are (0029).
        schema_editor.execute("CREATE STATISTICS timeline_datedkey_values (mcv) ON facet, value FROM timeline_datedkey")
        schema_editor.execute("ANALYZE timeline_datedkey")


def drop_table(apps, schema_editor):
    from timeline import datedkeys

    datedkeys.uninstall(schema_editor.connection)
    schema_editor.execute("DROP TABLE timeline_datedkey")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0031_publishers_in_readers_name_order"),
    ]

    operations = [
        migrations.RunPython(create_table, drop_table),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
