"""The published statements keyed by the day each is read under too (facet SAID, timeline/statementkeys.py), so that
the statements of a range of days, their number and ids, are read from the keys alone. Derived data: the keys are
rebuilt, and the triggers that keep them, which now rewrite a statement's keys when its day changes, recreated."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from timeline import statementkeys

    if statementkeys.installed(schema_editor.connection) and statementkeys.has_keys(schema_editor.connection):
        statementkeys.rebuild(schema_editor.connection)


def drop_keys(apps, schema_editor):
    # Through the triggers, which take them out of the counts too.
    schema_editor.execute("DELETE FROM timeline_statementkey WHERE facet = 9")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0034_statements_read_by_event"),
    ]

    operations = [
        migrations.RunPython(rebuild, drop_keys),
    ]
