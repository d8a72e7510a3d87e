"""The published statements keyed by their event's first and last days, and by how many days one is read before its
event's first day (facets EVENT_FIRST, EVENT_LAST and LEAD, timeline/statementkeys.py), so that the API's statements
of the events of a date range are counted from the kept counts and paged from the order said
(timeline/events_dated.py). Derived data: the keys are rebuilt, and the triggers that keep them, which now rewrite
the keys of an event's statements when its days change too, recreated."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from timeline import statementkeys

    if statementkeys.installed(schema_editor.connection) and statementkeys.has_keys(schema_editor.connection):
        statementkeys.rebuild(schema_editor.connection)


def drop_keys(apps, schema_editor):
    # Through the triggers, which take them out of the counts too.
    schema_editor.execute("DELETE FROM timeline_statementkey WHERE facet IN (10, 11, 12)")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0036_search_documents_profiled_and_dated"),
    ]

    operations = [
        migrations.RunPython(rebuild, drop_keys),
    ]
