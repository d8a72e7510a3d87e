"""The participants in readers' order of names (querysets.NameOrder): the participants' index and the API's list
read a page from this index, as they read it from participant_name_idx in the database's order before."""

from django.db import migrations, models

import timeline.querysets


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0029_event_key_statistics"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(
                timeline.querysets.NameOrder("name"), models.F("id"), name="participant_readers_order_idx"
            ),
        ),
    ]
