"""The statements' keys split by profile (language and kind: timeline/statementkeys.py), so that the counts under a
language or kind filter are read as kept; the keys of each statement in one index, facet by facet, so that a count
over a few thousand statements reads their keys rather than every key of the facet; and, on PostgreSQL, statistics
of facet and value together: a value common in one facet (1, the first language) is rare in another (participant
1), and estimated from the values alone, a count over one speaker's statements read every key of a facet."""

from django.db import migrations

STATISTICS = "timeline_statementkey_values"


def create(apps, schema_editor):
    from timeline import statementkeys

    schema_editor.execute("DROP INDEX timeline_statementkey_statement_idx")
    schema_editor.execute(
        "CREATE INDEX timeline_statementkey_statement_idx ON timeline_statementkey (statement_id, facet, value)"
    )
    statementkeys.rebuild(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE STATISTICS {STATISTICS} (mcv) ON facet, value FROM timeline_statementkey")
        # Room for the commonest pairs of some 3 million keys: with 100, one speaker's 2,000 keys went unseen.
        schema_editor.execute(f"ALTER STATISTICS {STATISTICS} SET STATISTICS 2000")
        schema_editor.execute("ANALYZE timeline_statementkey")


def drop(apps, schema_editor):
    from timeline import statementkeys

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
    schema_editor.execute("DROP INDEX timeline_statementkey_statement_idx")
    schema_editor.execute("CREATE INDEX timeline_statementkey_statement_idx ON timeline_statementkey (statement_id)")
    statementkeys.rebuild(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0019_kept_publisher_counts"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
