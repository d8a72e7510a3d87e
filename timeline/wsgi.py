import os

from django.core.wsgi import get_wsgi_application

from timeline import collector, frames, warmup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timeline.settings")
application = frames.with_room(get_wsgi_application())

# Before the first request, what every request needs, rather than the first reader waiting for it; then, loaded
# once, the collector no longer walks the app at each full collection, nor anything during a request.
warmup.prepare()
collector.install()
