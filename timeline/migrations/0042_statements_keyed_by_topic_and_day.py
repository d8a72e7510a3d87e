"""The published statements keyed by each topic of their event and the day each is read under (facet TOPIC_SAID,
timeline/statementkeys.py), so that a topic's statements said within a range of days are counted and sampled from
one stretch of the keys. Derived data: the keys are rebuilt."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from timeline import statementkeys

    if statementkeys.installed(schema_editor.connection) and statementkeys.has_keys(schema_editor.connection):
        statementkeys.rebuild(schema_editor.connection)


def drop_keys(apps, schema_editor):
    # Through the triggers, which take them out of the counts too.
    schema_editor.execute("DELETE FROM timeline_statementkey WHERE facet = 14")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0041_statements_keyed_by_profile_and_day"),
    ]

    operations = [
        migrations.RunPython(rebuild, drop_keys),
    ]
