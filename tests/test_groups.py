"""The Editors and Publishers groups: created by a migration, restored after a flush, adjustable by admins."""

import pytest
from django.contrib.auth.models import Group
from django.core.management.sql import emit_post_migrate_signal

from timeline import publishing

pytestmark = pytest.mark.django_db


def test_migration_creates_editors_and_publishers_with_their_permissions():
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    publishers = set(Group.objects.get(name="Publishers").permissions.values_list("codename", flat=True))
    for model in ["event", "statement", "participant", "role", "source", "topic", "involvement"]:
        assert {f"add_{model}", f"change_{model}", f"view_{model}"} <= editors, model
    assert "publish_event" not in editors
    assert not {"add_correction", "change_correction", "delete_correction"} & editors
    assert editors < publishers
    assert {"publish_event", "add_correction", "change_correction", "delete_source"} <= publishers


def test_publish_permission_follows_the_group(editor, publisher):
    assert not publishing.can_publish(editor)
    assert publishing.can_publish(publisher)


def test_missing_groups_are_recreated_after_migrate_or_flush():
    Group.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert set(Group.objects.values_list("name", flat=True)) == {"Editors", "Publishers"}
    assert Group.objects.get(name="Publishers").permissions.filter(codename="publish_event").exists()


def test_an_administrators_changes_to_a_group_are_kept():
    editors = Group.objects.get(name="Editors")
    editors.permissions.remove(editors.permissions.get(codename="delete_event"))
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert not editors.permissions.filter(codename="delete_event").exists()
