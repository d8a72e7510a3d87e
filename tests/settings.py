import os

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
