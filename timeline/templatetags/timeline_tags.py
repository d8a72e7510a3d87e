import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from timeline import dates
from timeline.dates import format_date
from timeline.facets import country_name
from timeline.querysets import HIGHLIGHT_START, HIGHLIGHT_STOP

register = template.Library()

MARKED = re.compile(f"{HIGHLIGHT_START}([^{HIGHLIGHT_START}{HIGHLIGHT_STOP}]*){HIGHLIGHT_STOP}")


@register.filter
def precise_date(value, precision="day"):
    """{{ statement.said_on|precise_date:statement.said_precision }} -> "May 2025"."""
    return format_date(value, precision)


@register.filter
def iso_date(value, precision="day"):
    """A <time datetime> value no more precise than the date is known: "2025-05-06", "2025-05" or "2025"."""
    return dates.iso_date(value, precision)


@register.filter
def role_on(participant, day):
    """The participant's role on a day, e.g. {{ participant|role_on:event.start_date }}."""
    return participant.role_on(day)


@register.filter
def marked(value):
    """Text whose search matches the database wrapped in HIGHLIGHT marks, as escaped HTML with <mark> elements.

    The text is escaped first, so only the marks themselves can become markup; stray marks are dropped.
    """
    if value is None:
        return ""
    escaped = str(conditional_escape(value))
    html = MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(html.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_STOP, ""))


@register.filter
def plural(count, words):
    """{{ n|plural:"statement,statements" }} -> "1 statement", "3 statements"."""
    one, many = words.split(",")
    return f"{count:,} {one if count == 1 else many}"


@register.filter
def participants(event):
    """An event's participants once each, in the order given, from its prefetched involvements."""
    seen = {}
    for involvement in event.involvements.all():
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
