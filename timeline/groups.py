"""The newsroom's two groups. Editors add and change everything but cannot publish; Publishers also publish,
unpublish, delete and attach public corrections. A data migration creates them from these definitions.
"""

from django.contrib.auth.management import create_permissions

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
    # The list of weak publishers is the editors' own judgement, kept up by them.
    "weakpublisher": ["add", "change", "view", "delete"],
    # Changes waiting for review: editors follow theirs; publishers approve them (with the publish permission).
    "revision": ["view"],
}
PUBLISHER_EXTRA_PERMISSIONS = {
    "event": ["publish"],
    "participant": ["delete"],
    "source": ["delete"],
    "topic": ["delete"],
    "correction": ["add", "change", "delete"],
}


def codenames(spec: dict[str, list[str]]) -> set[str]:
    return {f"{action}_{model}" for model, actions in spec.items() for action in actions}


GROUPS = {
    "Editors": codenames(EDITOR_PERMISSIONS),
    "Publishers": codenames(EDITOR_PERMISSIONS) | codenames(PUBLISHER_EXTRA_PERMISSIONS),
}


def create_groups(apps, using="default", reset=True) -> None:
    """Create the groups with `apps` (a migration's models or the live registry); `reset` resets their permissions."""
    app_config = apps.get_app_config("timeline")
    if getattr(app_config, "models_module", None) is None:
        # A migration's app registry: permissions are normally created after all migrations ran.
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # An early migration's registry lacks the models added later: their permissions come with their migration.
    present = {model._meta.model_name for model in app_config.get_models()}
    for name, wanted in GROUPS.items():
        wanted = {codename for codename in wanted if codename.split("_", 1)[1] in present}
        group, created = Group.objects.using(using).get_or_create(name=name)
        if not (created or reset):
            continue
        permissions = list(
            Permission.objects.using(using).filter(content_type__app_label="timeline", codename__in=wanted)
        )
        missing = wanted - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"Permissions missing for the {name} group: {sorted(missing)}")
        group.permissions.set(permissions)
