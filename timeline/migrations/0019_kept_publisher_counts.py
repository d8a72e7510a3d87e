"""The sources the public timeline cites, kept with the events' facet keys (facet SOURCE), and how many of them each
publisher has of each kind (timeline_publishercount): the sources' index reads a page of publishers instead of
grouping every cited source. Derived data like the keys: created here in SQL, not a model, and filled by a rebuild.
"""

import django.db.models.functions.text
from django.db import migrations, models

# One row per publisher: its sources, and its sources of each kind (Source.Kind's values).
TABLE = (
    "CREATE TABLE timeline_publishercount (publisher_key varchar(200) NOT NULL PRIMARY KEY, n integer NOT NULL, "
    "kind_primary integer NOT NULL, kind_transcript integer NOT NULL, kind_wire integer NOT NULL, "
    "kind_news integer NOT NULL, kind_other integer NOT NULL){without_rowid}"
)


def create_table(apps, schema_editor):
    without_rowid = " WITHOUT ROWID" if schema_editor.connection.vendor == "sqlite" else ""
    schema_editor.execute(TABLE.format(without_rowid=without_rowid))


def fill(apps, schema_editor):
    from timeline import eventkeys

    eventkeys.rebuild(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        # Statistics for the new rows and for the publishers' index, which the planner otherwise lacks until
        # autovacuum comes by: without them it read all 190,000 cited sources for one page of /sources/.
        schema_editor.execute(
            "ANALYZE timeline_source, timeline_eventkey, timeline_facetcount, timeline_publishercount"
        )


def drop_table(apps, schema_editor):
    from timeline import eventkeys

    eventkeys.uninstall(schema_editor.connection)
    schema_editor.execute("DROP TABLE timeline_publishercount")
    eventkeys.install(connection=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0018_event_published_order_idx"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="source",
            index=models.Index(
                django.db.models.functions.text.Lower(django.db.models.functions.text.Trim("publisher")),
                name="source_publisher_key_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="source",
            index=models.Index(fields=["title", "id"], name="source_title_idx"),
        ),
        migrations.RunPython(create_table, drop_table),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
