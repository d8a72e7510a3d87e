"""The published events newest first, as the feeds list them: their fifty newest read from the index."""

from django.db import migrations, models
from django.db.models.functions import Coalesce


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0027_published_event_dates"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                Coalesce("published_at", "created_at").desc(),
                models.F("id").desc(),
                condition=models.Q(status="published"),
                name="event_published_newest_idx",
            ),
        ),
    ]
