import os

# pytest-django's live_server runs the app in a thread while Playwright's sync API runs an event loop in the
# test's thread; Django would otherwise refuse ORM calls made from the test while that loop is running.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
