import os

import pytest
from django.core import signals
from django.db import close_old_connections

# pytest-django's live_server runs the app in a thread while Playwright's sync API runs an event loop in the
# test's thread; Django would otherwise refuse ORM calls made from the test while that loop is running.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _database_vendor() -> str:
    from django.conf import settings

    return "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"


def pytest_report_header(config):
    if _database_vendor() != "postgresql":
        return "PostgreSQL-only tests (marked postgresql) are deselected: set DATABASE_URL to a PostgreSQL database"
    return None


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only features (ranked full-text search, pg_dump) are not skipped on SQLite but left out of
    the run, the way -m would: the same suite runs again on PostgreSQL in CI, where every test runs. SQLite's own
    search index is left out of the PostgreSQL run the same way."""
    other = "sqlite" if _database_vendor() == "postgresql" else "postgresql"
    kept = [item for item in items if item.get_closest_marker(other) is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


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


@pytest.fixture
def settled_versions(db):
    """Date the last change to the data an hour back, as if nothing had changed since: pages then carry a
    Last-Modified (timeline.caching sends none while another change could still fall in the same second)."""
    import datetime

    from django.db import connection

    changed = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(hours=1)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE timeline_dataversion SET changed_at = %s", [changed])
    return changed


@pytest.fixture(scope="session", autouse=True)
def _alongside_connection_closed(django_db_setup, django_db_blocker):
    """The connection the timeline reads its counts on (timeline/alongside.py) is closed before the test database
    is dropped, which PostgreSQL refuses while a connection holds it."""
    yield
    from timeline import alongside

    with django_db_blocker.unblock():
        alongside.close()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rolled-back test data can leave the data version where it was, so cached pages must not outlive a test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _language_of_each_test():
    """Django's LocaleMiddleware leaves the last request's language active in the thread: a test that asked for a
    French page would otherwise hand French on to the next one (and its factories would fill the French fields)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _open_data_in_a_temporary_folder(settings, tmp_path):
    """The whole-dataset files (timeline/open_data.py) of each test are its own, and never the project's."""
    settings.TIMELINE_OPEN_DATA_DIR = tmp_path / "open-data"


@pytest.fixture
def in_test_transaction():
    """Keep Django from closing the test's database connection at the end of each request, as its test client
    does, for tests that call the WSGI application directly (schemathesis, tests/test_wsgi.py)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Names as readers expect them ordered, accents and case set aside at first: byte order put "Défense" after
# "Droits", every "É" after "Z", "Joël" after "John" and "k.d. lang" after every capital.
TOPICS_IN_FRENCH_ORDER = [
    ("trade", "Trade", "Commerce"),
    ("defence", "Defence", "Défense"),
    ("diplomacy", "Diplomacy", "Diplomatie"),
    ("tariffs", "Tariffs", "Droits de douane"),
    ("economy", "Economy", "Économie"),
    ("elections", "Elections", "Élections"),
    ("energy", "Energy", "Énergie"),
    ("border", "Border", "Frontière"),
    ("security", "Security", "Sécurité"),
    ("sovereignty", "Sovereignty", "Souveraineté"),
]
PARTICIPANTS_IN_ORDER = [
    "Dominic LeBlanc",
    "Édouard Philippe",
    "Élisabeth Borne",
    "Eric Adams",
    "Joël Lightbound",
    "John Baird",
    "k.d. lang",
    "Mark Carney",
]


@pytest.fixture
def names_to_order(db):
    """Topics and participants, each on one published event, created out of order; returns (topic slugs in French
    order, topic slugs in English order, participant names in order)."""
    from tests.factories import EventFactory, InvolvementFactory, ParticipantFactory, TopicFactory

    for slug, english, french in reversed(TOPICS_IN_FRENCH_ORDER):
        EventFactory(topics=[TopicFactory(slug=slug, name=english, name_fr=french)])
    for number, name in enumerate(reversed(PARTICIPANTS_IN_ORDER)):
        InvolvementFactory(participant=ParticipantFactory(slug=f"person-{number}", name=name))
    french = [slug for slug, _, _ in TOPICS_IN_FRENCH_ORDER]
    english = [slug for slug, _, _ in sorted(TOPICS_IN_FRENCH_ORDER, key=lambda topic: topic[1])]
    return french, english, PARTICIPANTS_IN_ORDER
