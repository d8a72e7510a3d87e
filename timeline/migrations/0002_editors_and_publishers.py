"""The newsroom's two groups. Editors add and change everything but cannot publish; Publishers also publish,
unpublish, delete and attach public corrections. Re-running sets the groups' permissions to exactly these."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    # Deleting a published event or one of its statements is refused to editors by the admin itself.
    "event": ["add", "change", "view", "delete"],
    "statement": ["add", "change", "view", "delete"],
    "involvement": ["add", "change", "view", "delete"],
    "role": ["add", "change", "view", "delete"],
    "participant": ["add", "change", "view"],
    "source": ["add", "change", "view"],
    "topic": ["add", "change", "view"],
    "correction": ["view"],
}
PUBLISHER_EXTRA_PERMISSIONS = {
    "event": ["publish"],
    "participant": ["delete"],
    "source": ["delete"],
    "topic": ["delete"],
    "correction": ["add", "change", "delete"],
}


def codenames(spec):
    return {f"{action}_{model}" for model, actions in spec.items() for action in actions}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; this migration needs them now.
    app_config = apps.get_app_config("timeline")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor = codenames(EDITOR_PERMISSIONS)
    publisher = editor | codenames(PUBLISHER_EXTRA_PERMISSIONS)
    for name, wanted in [("Editors", editor), ("Publishers", publisher)]:
        permissions = list(Permission.objects.filter(content_type__app_label="timeline", codename__in=wanted))
        missing = wanted - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"Permissions missing for the {name} group: {sorted(missing)}")
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Publishers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
