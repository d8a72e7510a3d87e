import os

import pytest

# pytest-django's live_server runs the app in a thread while Playwright's sync API runs an event loop in the
# test's thread; Django would otherwise refuse ORM calls made from the test while that loop is running.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _user_in_group(django_user_model, username: str, group: str):
    from django.apps import apps
    from django.contrib.auth.models import Group

    from timeline.groups import create_groups

    # A transactional test before this one may have flushed the groups the migration created.
    create_groups(apps, reset=False)
    user = django_user_model.objects.create_user(username=username, password="secret-pass-123", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db, django_user_model):
    """A staff user in the Editors group (created by a migration)."""
    return _user_in_group(django_user_model, "editor", "Editors")


@pytest.fixture
def publisher(db, django_user_model):
    """A staff user in the Publishers group (created by a migration)."""
    return _user_in_group(django_user_model, "publisher", "Publishers")
