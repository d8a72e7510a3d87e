"""The published statements keyed by their profile and the day each is read under (facet SAID_PROFILE,
timeline/statementkeys.py), so that the statements of a language or kind said within a range of days are counted
and sampled from one stretch of the keys for each profile. Derived data: the keys are rebuilt."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from timeline import statementkeys

    if statementkeys.installed(schema_editor.connection) and statementkeys.has_keys(schema_editor.connection):
        statementkeys.rebuild(schema_editor.connection)


def drop_keys(apps, schema_editor):
    # Through the triggers, which take them out of the counts too.
    schema_editor.execute("DELETE FROM timeline_statementkey WHERE facet = 13")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0040_sqlite_statements_said_known_first"),
    ]

    operations = [
        migrations.RunPython(rebuild, drop_keys),
    ]
