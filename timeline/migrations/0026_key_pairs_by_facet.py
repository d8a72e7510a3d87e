"""The kept pairs of keys (timeline_keypair) by the facet counted: a date range's counts read the pairs of its months
with one facet's values (a topic's, a type's) without walking those with the 20,000 participants in between. The
primary key orders a month's pairs by the other facet's value only after the month, so the counts of four facets
under "since 2008" read every pair of those months four times over (32 ms at 100,000 events; 3 ms so).
"""

from django.db import migrations

INDEX = {
    # SQLite has no INCLUDE: the columns themselves make it cover the counts.
    "postgresql": "CREATE INDEX timeline_keypair_by_facet_idx ON timeline_keypair (facet_a, facet_b, value_a) "
    "INCLUDE (value_b, n)",
    "sqlite": "CREATE INDEX timeline_keypair_by_facet_idx ON timeline_keypair (facet_a, facet_b, value_a, value_b, n)",
}


def create_index(apps, schema_editor):
    schema_editor.execute(INDEX[schema_editor.connection.vendor])


def drop_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX timeline_keypair_by_facet_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0025_search_events"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
