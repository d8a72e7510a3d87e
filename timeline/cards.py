"""Event cards rendered once and reused on every page that lists the event, until something the card shows changes.

A card is kept under a digest of everything it shows (the event's fields, its counts, topics, participants, top
statement and any search highlighting) and of the code and language, so it cannot go stale: a changed event
simply has another key. Rendering 50 cards was most of the time a computed timeline page spent outside SQL.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from timeline.caching import cache_get_many, cache_set_many, key

CARD_TEMPLATE = "_event_card.html"


def shown(event, level: int) -> tuple:
    """Everything _event_card.html reads, from the event as the list's queryset fetched it (for_list)."""
    top = event.top_statements[0] if event.top_statements else None
    statement = top and (
        top.pk,
        top.kind,
        top.language,
        top.text,
        top.speaker.slug,
        top.speaker.name,
        top.speaker_label,
        top.said_on,
        top.said_precision,
        top.slug,
        getattr(top, "search_matched", False),
        getattr(top, "search_text", None),
    )
    return (
        level,
        event.pk,
        event.slug,
        event.title,
        event.summary,
        getattr(event, "search_title", None),
        getattr(event, "search_summary", None),
        event.start_date,
        event.date_precision,
        event.end_date,
        event.end_precision,
        event.approximate,
        event.event_type,
        event.location,
        event.importance,
        event.statement_count,
        event.source_count,
        [(topic.slug, topic.name) for topic in event.topics.all()],
        [(i.participant_id, i.participant.slug, i.participant.name) for i in event.involvements.all()],
        statement,
    )


def attach(rows, level: int) -> None:
    """Give each row its card's HTML (`row.card`, its title a heading of `level`), from the cache where it is,
    rendering and keeping the rest."""
    if not settings.TIMELINE_CACHE:
        for row in rows:
            row.card = render(row.event, level)
        return
    language = translation.get_language()
    keys = {key("card", language, shown(row.event, level)): row for row in rows}
    found = cache_get_many(list(keys))
    fresh = {}
    for cache_key, row in keys.items():
        if cache_key not in found:
            found[cache_key] = fresh[cache_key] = render(row.event, level)
        row.card = mark_safe(found[cache_key])
    if fresh:
        cache_set_many(fresh)


def render(event, level: int) -> str:
    return mark_safe(render_to_string(CARD_TEMPLATE, {"event": event, "level": level}))
