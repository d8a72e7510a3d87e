"""The Editors and Publishers groups, created by a migration."""

import pytest
from django.contrib.auth.models import Group

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
