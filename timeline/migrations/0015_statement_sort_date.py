"""The date each statement is read under, kept in its own column (timeline/statementkeys.py), and the index that
serves the statements index's order. Filled here from the statements and their events, before the index is built;
the triggers that keep it are installed after every migrate (apps.py)."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from timeline import statementkeys

    statementkeys.rebuild(schema_editor.connection)


def forget(apps, schema_editor):
    # Before the column goes: the triggers name it.
    from timeline import statementkeys

    statementkeys.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0014_sqlite_full_text_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="statement",
            name="sort_date",
            field=models.DateField(
                editable=False,
                help_text="The day it was said, or else its event's first day: readers' order.",
                null=True,
            ),
        ),
        migrations.RunPython(fill, forget),
        migrations.AddIndex(
            model_name="statement",
            index=models.Index(fields=["sort_date", "id"], name="statement_sort_date_idx"),
        ),
    ]
