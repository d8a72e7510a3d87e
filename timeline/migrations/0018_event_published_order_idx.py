"""The timeline's order with the day an event ends, for picking a page of a date range from the index alone."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('timeline', '0017_eventkey_event_facets'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='event',
            index=models.Index(condition=models.Q(('status', 'published')), fields=['start_date', '-importance', 'id', 'end_date'], name='event_published_order_idx'),
        ),
    ]
