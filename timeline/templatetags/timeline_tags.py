from django import template

from timeline.dates import format_date

register = template.Library()


@register.filter
def precise_date(value, precision="day"):
    """{{ statement.said_on|precise_date:statement.said_precision }} -> "May 2025"."""
    return format_date(value, precision)


@register.filter
def role_on(participant, day):
    """The participant's role on a day, e.g. {{ participant|role_on:event.start_date }}."""
    return participant.role_on(day)
