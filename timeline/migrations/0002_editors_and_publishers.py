"""Create the Editors and Publishers groups with their permissions (defined in timeline.groups)."""

from django.db import migrations

from timeline.groups import GROUPS, create_groups


def forwards(apps, schema_editor):
    create_groups(apps, using=schema_editor.connection.alias)


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
