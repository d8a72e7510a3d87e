"""The events without statements get a key of their own (facet STATEMENTS, value 0; timeline/eventkeys.py), so that
"without statements" is read, counted and paired as any other filter's value. Derived data: the keys are rebuilt,
and the triggers that keep them recreated, from the events."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from timeline import eventkeys

    if eventkeys.installed(schema_editor.connection):
        eventkeys.rebuild(schema_editor.connection)


def drop_keys(apps, schema_editor):
    # Through the triggers, which take them out of the counts, the pairs and the dated keys too.
    schema_editor.execute("DELETE FROM timeline_eventkey WHERE facet = 4 AND value = 0")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0032_dated_keys"),
    ]

    operations = [
        migrations.RunPython(rebuild, drop_keys),
    ]
