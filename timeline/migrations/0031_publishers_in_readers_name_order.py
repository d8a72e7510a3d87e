"""The publishers of cited sources in readers' order of names (querysets.readers_order_sql): the sources' index reads
a page of them from this index, as it read them from the primary key in the database's order before. The table is
not a model (migration 0019), so the index is written in SQL."""

from django.db import migrations

INDEX = "timeline_publishercount_readers_order_idx"
# The page's columns too, so that a page is read from the index alone: the last of 716 pages skips 35,750 rows.
COUNTS = "n, kind_primary, kind_transcript, kind_wire, kind_news, kind_other"


def create_index(apps, schema_editor):
    from timeline.querysets import readers_order_sql

    in_order = readers_order_sql(schema_editor.connection, "publisher_key")
    schema_editor.execute(
        f"CREATE INDEX {INDEX} ON timeline_publishercount (({in_order}), publisher_key) INCLUDE ({COUNTS})"
        if schema_editor.connection.vendor == "postgresql"
        else f"CREATE INDEX {INDEX} ON timeline_publishercount ({in_order}, publisher_key, {COUNTS})"
    )


def drop_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0030_participants_in_readers_name_order"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
