"""Fields in English and French (timeline/translation.py): each translated field gets `_en` and `_fr` columns.

The text already written is English: it is copied into the `_en` columns, history included, and the French ones
are left empty for editors to fill (readers see the English, marked as such, until they do).
"""

import django.core.validators
from django.db import migrations, models
from django.db.models import F

TRANSLATED = {
    "event": ("title", "summary", "body", "location"),
    "historicalevent": ("title", "summary", "body", "location"),
    "topic": ("name", "description"),
    "role": ("title", "organisation"),
    "historicalrole": ("title", "organisation"),
    "participant": ("description",),
    "historicalparticipant": ("description",),
    "correction": ("note",),
}


def without_sqlite_triggers(apps, schema_editor):
    """SQLite rebuilds a table to add a constraint to it, and refuses while the data-version triggers of other tables
    (timeline/versions.py) name it: they are dropped here, and every migrate ends by installing them again."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'timeline%'")
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER IF EXISTS {connection.ops.quote_name(name)}")


def english_from_the_text_written(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("timeline", model_name)
        model.objects.update(**{f"{field}_en": F(field) for field in fields})


class Migration(migrations.Migration):

    dependencies = [
        ('timeline', '0011_changes_for_review'),
    ]

    operations = [
        migrations.RunPython(without_sqlite_triggers, without_sqlite_triggers, elidable=False),
        migrations.AddField(
            model_name='correction',
            name='note_en',
            field=models.TextField(help_text='What was wrong and what was changed, for readers.', null=True, validators=[django.core.validators.MaxLengthValidator(1000)]),
        ),
        migrations.AddField(
            model_name='correction',
            name='note_fr',
            field=models.TextField(help_text='What was wrong and what was changed, for readers.', null=True, validators=[django.core.validators.MaxLengthValidator(1000)]),
        ),
        migrations.AddField(
            model_name='event',
            name='body_en',
            field=models.TextField(blank=True, null=True, validators=[django.core.validators.MaxLengthValidator(10000)]),
        ),
        migrations.AddField(
            model_name='event',
            name='body_fr',
            field=models.TextField(blank=True, null=True, validators=[django.core.validators.MaxLengthValidator(10000)]),
        ),
        migrations.AddField(
            model_name='event',
            name='location_en',
            field=models.CharField(blank=True, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='event',
            name='location_fr',
            field=models.CharField(blank=True, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='event',
            name='summary_en',
            field=models.TextField(help_text='Two or three sentences in our own words.', null=True, validators=[django.core.validators.MaxLengthValidator(1000)]),
        ),
        migrations.AddField(
            model_name='event',
            name='summary_fr',
            field=models.TextField(help_text='Two or three sentences in our own words.', null=True, validators=[django.core.validators.MaxLengthValidator(1000)]),
        ),
        migrations.AddField(
            model_name='event',
            name='title_en',
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name='event',
            name='title_fr',
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name='historicalevent',
            name='body_en',
            field=models.TextField(blank=True, null=True, validators=[django.core.validators.MaxLengthValidator(10000)]),
        ),
        migrations.AddField(
            model_name='historicalevent',
            name='body_fr',
            field=models.TextField(blank=True, null=True, validators=[django.core.validators.MaxLengthValidator(10000)]),
        ),
        migrations.AddField(
            model_name='historicalevent',
            name='location_en',
            field=models.CharField(blank=True, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='historicalevent',
            name='location_fr',
            field=models.CharField(blank=True, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='historicalevent',
            name='summary_en',
            field=models.TextField(help_text='Two or three sentences in our own words.', null=True, validators=[django.core.validators.MaxLengthValidator(1000)]),
        ),
        migrations.AddField(
            model_name='historicalevent',
            name='summary_fr',
            field=models.TextField(help_text='Two or three sentences in our own words.', null=True, validators=[django.core.validators.MaxLengthValidator(1000)]),
        ),
        migrations.AddField(
            model_name='historicalevent',
            name='title_en',
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name='historicalevent',
            name='title_fr',
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name='historicalparticipant',
            name='description_en',
            field=models.CharField(blank=True, max_length=300, null=True),
        ),
        migrations.AddField(
            model_name='historicalparticipant',
            name='description_fr',
            field=models.CharField(blank=True, max_length=300, null=True),
        ),
        migrations.AddField(
            model_name='historicalrole',
            name='organisation_en',
            field=models.CharField(blank=True, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='historicalrole',
            name='organisation_fr',
            field=models.CharField(blank=True, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='historicalrole',
            name='title_en',
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name='historicalrole',
            name='title_fr',
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name='participant',
            name='description_en',
            field=models.CharField(blank=True, max_length=300, null=True),
        ),
        migrations.AddField(
            model_name='participant',
            name='description_fr',
            field=models.CharField(blank=True, max_length=300, null=True),
        ),
        migrations.AddField(
            model_name='role',
            name='organisation_en',
            field=models.CharField(blank=True, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='role',
            name='organisation_fr',
            field=models.CharField(blank=True, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='role',
            name='title_en',
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name='role',
            name='title_fr',
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name='topic',
            name='description_en',
            field=models.TextField(blank=True, null=True, validators=[django.core.validators.MaxLengthValidator(1000)]),
        ),
        migrations.AddField(
            model_name='topic',
            name='description_fr',
            field=models.TextField(blank=True, null=True, validators=[django.core.validators.MaxLengthValidator(1000)]),
        ),
        migrations.AddField(
            model_name='topic',
            name='name_en',
            field=models.CharField(max_length=100, null=True),
        ),
        migrations.AddField(
            model_name='topic',
            name='name_fr',
            field=models.CharField(max_length=100, null=True),
        ),
        migrations.AddConstraint(
            model_name='role',
            constraint=models.UniqueConstraint(fields=('participant', 'title_en', 'start'), name='role_unique_per_start-en'),
        ),
        migrations.AddConstraint(
            model_name='role',
            constraint=models.UniqueConstraint(fields=('participant', 'title_fr', 'start'), name='role_unique_per_start-fr'),
        ),
        migrations.RunPython(english_from_the_text_written, without_sqlite_triggers, elidable=False),
    ]
