"""What a server process prepares once it has loaded the app, before its first request: otherwise the first reader
each process serves waits for it, 200 to 300 ms even for a page already in the shared cache.

Django imports the URLs, loads each language's messages and compiles each template on first use; the caches' keys
hold a digest of the code, worked out once per process. Prepared here, all of it is also set aside from the garbage
collector with the rest of the app (timeline/collector.py).
"""

from pathlib import Path

from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation

from timeline import caching


def prepare() -> None:
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("event_list")  # the URLs, and their prefixes in this language
    caching.code_version()
    templates = Path(settings.BASE_DIR) / "templates"
    for path in sorted(templates.rglob("*.html")):
        get_template(path.relative_to(templates).as_posix())
