"""The participants in name order: the participants' index and the API's list read a page from the index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0023_search_documents"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(fields=["name", "id"], name="participant_name_idx"),
        ),
    ]
