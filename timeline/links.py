"""The addresses of the reader's pages named by a slug (an event's, a statement's, a participant's, a topic's),
built as `reverse` builds them, but fast enough to call for every link of a list.

A list page links to hundreds of such pages (each card: its event, its statement, the speaker, every participant
and topic). `reverse` matches the URL patterns again for each; here the address is reversed once per URL name,
language, script prefix and URLconf, with a placeholder for the slug, and the slug put in its place. A slug that
the pattern's converter would not take is left to `reverse`, which refuses it as before.
"""

import re

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")  # what the <slug:...> converter matches: nothing reverse() would quote
PLACEHOLDER = "0slug0"

_templates: dict[tuple, tuple[str, str] | None] = {}


def slug_url(name: str, slug: str) -> str:
    """reverse(name, args=[slug]) for a URL pattern whose one argument is a <slug:...>."""
    if not isinstance(slug, str) or not SLUG.match(slug):
        return reverse(name, args=[slug])
    cache_key = (name, get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    try:
        template = _templates[cache_key]
    except KeyError:
        parts = reverse(name, args=[PLACEHOLDER]).split(PLACEHOLDER)
        template = _templates[cache_key] = (parts[0], parts[1]) if len(parts) == 2 else None
    if template is None:
        return reverse(name, args=[slug])
    return template[0] + slug + template[1]


@receiver(setting_changed)
def forget(setting, **kwargs):
    # Tests change the URL patterns and languages: the addresses reversed before may not be theirs.
    _templates.clear()
