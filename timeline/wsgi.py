import os

from django.core.wsgi import get_wsgi_application

from timeline import collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timeline.settings")
application = get_wsgi_application()

# Loaded once: the collector no longer walks the app at each full collection, nor anything during a request.
collector.install()
