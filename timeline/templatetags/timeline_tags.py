import datetime
import re

from django import template
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from timeline import dates, languages
from timeline.dates import format_date
from timeline.facets import country_name
from timeline.search import HIGHLIGHT_START, HIGHLIGHT_STOP
from timeline.text import printable

register = template.Library()

MARKED = re.compile(f"{HIGHLIGHT_START}([^{HIGHLIGHT_START}{HIGHLIGHT_STOP}]*){HIGHLIGHT_STOP}")


@register.filter
def precise_date(value, precision="day"):
    """{{ statement.said_on|precise_date:statement.said_precision }} -> "May 2025", "mai 2025"; a moment (such as
    updated_at) as its day in the site's time zone."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return format_date(value, precision)


@register.filter
def iso_date(value, precision="day"):
    """A <time datetime> value no more precise than the date is known: "2025-05-06", "2025-05" or "2025"."""
    return dates.iso_date(value, precision)


@register.filter
def role_on(participant, event):
    """The participant's role at some point of the event, e.g. {{ participant|role_on:event }}."""
    return event.role_of(participant)


@register.filter
def role_note(role, event):
    """What the sources say of the role within the event when it does not cover all of it: "from 14 March 2025"."""
    return role.note_during(*event.period) if role else ""


@register.filter(name="marked")
def mark_filter(value):
    """Text whose search matches the database wrapped in HIGHLIGHT marks, as escaped HTML with <mark> elements.

    The text is escaped first, so only the marks themselves can become markup; stray marks are dropped. The database
    wrote it from the stored text, so it is cleaned here as a model's text is when read (timeline.text).
    """
    if value is None:
        return ""
    escaped = str(conditional_escape(printable(value)))
    html = MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(html.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_STOP, ""))


# How a count of each thing is written, in each language's plural forms.
COUNTED = {
    "event": lambda n: ngettext("%(count)s event", "%(count)s events", n),
    "statement": lambda n: ngettext("%(count)s statement", "%(count)s statements", n),
    "source": lambda n: ngettext("%(count)s source", "%(count)s sources", n),
}


# The same things' names alone, for a count written apart from them (a facet's: "1,234" then, for screen readers,
# "events").
NOUNS = {
    "event": lambda n: ngettext("event", "events", n),
    "statement": lambda n: ngettext("statement", "statements", n),
}


@register.filter
def counted(count, noun):
    """{{ n|counted:"event" }} -> "1 event", "1,234 events"; in French "1 événement", "1 234 événements"."""
    return COUNTED[noun](count) % {"count": languages.number(count)}


# Translated fields: where the French is missing, the English is shown, marked as English for browsers and screen
# readers (lang="en") and for readers with a discreet "(in English)".


def _in_english() -> str:
    # The same note for every field of a page: written once per language (a list shows it for most fields where the
    # French is missing), forgotten when the settings change.
    current = translation.get_language()
    note = _IN_ENGLISH.get(current)
    if note is None:
        note = _IN_ENGLISH[current] = format_html(
            '<span class="in-english" lang="{}">{}</span>', current, gettext("(in English)")
        )
    return note


_IN_ENGLISH: dict[str, str] = {}


@receiver(setting_changed)
def _forget_notes(**kwargs):
    _IN_ENGLISH.clear()


@register.simple_tag
def translated(obj, field: str, marked: bool = False, capitalized: bool = False):
    """{% translated event "title" %}: the field in the reader's language, inline; the English fallback marked.
    With marked=True, the search's highlighted text (`search_<field>`) when there is one; with capitalized=True,
    a capital first letter (French writes titles in lower case, but not at the start of a line)."""
    value = getattr(obj, f"search_{field}", None) if marked else None
    text = getattr(obj, field)
    html = mark_filter(value) if value else conditional_escape(capfirst(text) if capitalized else text)
    language = languages.fallback(obj, field)
    if language is None:
        return html
    return format_html('<span lang="{}">{}</span> {}', language, html, _in_english())


@register.simple_tag
def lang_attr(obj, field: str):
    """<p{% lang_attr event "summary" %}>: ` lang="en"` on the element holding an English fallback, else nothing."""
    language = languages.fallback(obj, field)
    return format_html(' lang="{}"', language) if language else ""


@register.simple_tag
def in_english(obj=None, field: str = ""):
    """The "(in English)" note for a block holding an English fallback (after `lang_attr`), else nothing. Without
    arguments, for text that exists in English only: the note on every page but the English ones."""
    if obj is None:
        english = translation.get_language() == languages.DEFAULT
        return "" if english else _in_english()
    return _in_english() if languages.fallback(obj, field) else ""


@register.filter
def number(count):
    """{{ n|number }} -> "1,234"; in French "1 234"."""
    return languages.number(count)


@register.filter
def choice_rows(choices, noun):
    """{% for value, label, count, counted, selected in choices|choice_rows:noun %}: each facet choice's value, name,
    count as written ("1,234") and what it counts ("events", "statements"), worked out here once per choice: a
    timeline page lists about a hundred, where the template language paid for each attribute and plural again."""
    return [
        (choice.value, choice.label, languages.number(choice.count), NOUNS[noun](choice.count), choice.selected)
        for choice in choices
    ]


@register.simple_tag(takes_context=True)
def page_versions(context):
    """The page in each language (timeline.languages.versions): the <head>'s alternates and the language switch."""
    request = context.get("request")
    if request is None:
        return []
    try:
        return languages.versions(request, context.get("canonical_url"))
    except DisallowedHost:  # the 400 page for a request whose Host was refused: no absolute address to give
        return []


@register.filter
def participants(event):
    """An event's participants once each, in the order given, from its prefetched involvements."""
    seen = {}
    for involvement in event.listed_involvements:
        seen.setdefault(involvement.participant_id, involvement.participant)
    return list(seen.values())


@register.filter
def country(code):
    """ "CA" -> "Canada"."""
    return country_name(code)


@register.simple_tag(takes_context=True)
def timeline_url(context, absolute=False, **changes):
    """A link to the timeline with the filters in force and these changes, built by the page's FilterSet:
    {% timeline_url page=2 %} -> "?topic=trade&page=2"; with absolute=True, the absolute URL."""
    filterset = context["filterset"]
    return filterset.absolute_url(context["request"], **changes) if absolute else filterset.url(**changes)
