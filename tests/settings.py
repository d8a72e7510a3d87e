import os
import tempfile

from timeline.settings import *  # noqa: F403

# Password hashing is deliberately slow in production; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Each test run gets its own cache, so no state leaks between tests or runs; with CACHE_URL (CI sets a Redis of its
# own), the same tests run against that shared cache, which every test empties first (tests/conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("CACHE_URL"):
    CACHES = {"default": cache_from_url(os.environ["CACHE_URL"])}  # noqa: F405

# Django's test client logs in with authenticate() and no request, which django-axes refuses; the lockout tests
# (tests/test_security.py) turn it back on.
AXES_ENABLED = False

# Nothing is collected for tests: static files come from the app folders, so whitenoise has no root to scan
# (and would warn on every request that it is missing).
STATIC_ROOT = None

# The SQLite test database is a file, not Django's in-memory default. The live server of the browser tests would
# otherwise share the test's one in-memory connection among its request threads, and two requests at once (an admin
# page and its autocomplete) can deadlock the run for good: one thread holds SQLite's lock and waits for the GIL to
# call a Python-defined SQL function (the admin's date functions), the other holds the GIL and waits for SQLite's
# lock. With a file each thread opens its own connection, as on PostgreSQL. It is made in the temporary folder, never
# in the project, named after the process so that two runs cannot share it, and Django deletes it after the run.
# Nothing in it has to survive a crash: commits need not wait for the disk, and the rollback journal stays in memory
# (the locking between connections is still that of production's SQLite file), on top of production's PRAGMAs.
_database = DATABASES["default"]  # noqa: F405
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database.setdefault("TEST", {})["NAME"] = os.path.join(
        tempfile.gettempdir(), f"timeline-test-{os.getpid()}.sqlite3"
    )
    _database["OPTIONS"]["init_command"] += " PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY;"
