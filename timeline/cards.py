"""Event cards rendered once and reused on every page that lists the event, until something the card shows changes;
and the values a listed statement or source shows.

A card is kept under a digest of everything it shows (the event's fields, its counts, topics, participants, top
statement and any search highlighting) and of the code and language, so it cannot go stale: a changed event
simply has another key. Rendering 50 cards was most of the time a computed timeline page spent outside SQL; each
card's values are now worked out here in Python and the template only prints them, as a listed statement's are.
"""

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import mark_safe

from timeline import dates
from timeline.caching import cache_get_many, cache_set_many, key
from timeline.templatetags.timeline_tags import counted, in_english, lang_attr, mark_filter, participants, translated

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
        [(topic.slug, topic.name) for topic in event.listed_topics],
        [(i.participant_id, i.participant.slug, i.participant.name) for i in event.listed_involvements],
        statement,
    )


def attach(rows, level: int) -> None:
    """Give each row its card's HTML (`row.card`, its title a heading of `level`), from the cache where it is,
    rendering and keeping the rest."""
    if not settings.TIMELINE_CACHE:
        cards = Cards(level)
        for row in rows:
            row.card = cards.render(row.event)
        return
    language = translation.get_language()
    keys = {key("card", language, shown(row.event, level)): row for row in rows}
    found = cache_get_many(list(keys))
    fresh = {}
    cards = None
    for cache_key, row in keys.items():
        if cache_key not in found:
            cards = cards or Cards(level)
            found[cache_key] = fresh[cache_key] = cards.render(row.event)
        row.card = mark_safe(found[cache_key])
    if fresh:
        cache_set_many(fresh)


def render(event, level: int) -> str:
    return Cards(level).render(event)


class Cards:
    """Renders the cards of one list: what is the same for every card (the template, the language's names of the
    event types) is looked up once, and each card's values are worked out here in Python, where the template
    language would pay for every attribute, filter and tag again on each of fifty cards."""

    def __init__(self, level: int):
        from timeline.models import Event

        self.level = level
        # The engine's own template, rendered in one context for the whole list: each card pushes its values.
        self.template = get_template(CARD_TEMPLATE).template
        self.context = Context({"level": level}, autoescape=self.template.engine.autoescape)
        self.types = {value: str(label) for value, label in Event.Type.choices}

    def render(self, event) -> str:
        with self.context.push(card=self.values(event)):
            return mark_safe(self.template.render(self.context))

    def values(self, event) -> dict:
        """What _event_card.html shows of `event`, ready to print."""
        top = event.top_statements[0] if event.top_statements else None
        search_summary = getattr(event, "search_summary", None)
        return {
            "slug": event.slug,
            "importance": event.importance,
            "datetime": dates.iso_date(event.start_date, event.date_precision),
            "date": event.date_display,
            "type": self.types.get(event.event_type, event.event_type),
            "location": event.location and translated(event, "location"),
            "url": event.get_absolute_url(),
            "title": translated(event, "title", marked=True),
            "summary_lang": lang_attr(event, "summary"),
            "summary": mark_filter(search_summary) if search_summary else event.summary,
            "summary_in_english": in_english(event, "summary"),
            "statement": top and self.statement(top),
            "people": [(person.get_absolute_url(), person.name) for person in participants(event)],
            "topics": [(topic.get_absolute_url(), translated(topic, "name")) for topic in event.listed_topics],
            "statement_count": counted(event.statement_count, "statement"),
            "source_count": counted(event.source_count, "source"),
        }

    def statement(self, statement) -> dict:
        matched = getattr(statement, "search_matched", False)
        said = dates.format_date(statement.said_on, statement.said_precision) if statement.said_on else ""
        return {
            "quote": statement.kind == "quote",
            "language": statement.language,
            "text": mark_filter(statement.search_text) if matched else statement.text,
            "speaker_url": statement.speaker.get_absolute_url(),
            "speaker_label": statement.speaker_label,
            "speaker_name": statement.speaker.name,
            "datetime": dates.iso_date(statement.said_on, statement.said_precision) if statement.said_on else "",
            "said": said,
            "matched": matched,
            "url": statement.get_absolute_url(),
        }


# Statements in a list (the statements' index, a participant's page, an event's page): the same, for
# timeline/_statement.html.


def statement_items(statements) -> list[dict]:
    """What _statement.html shows of each statement, worked out once per statement (see Cards)."""
    return [statement_item(statement) for statement in statements]


def statement_item(statement) -> dict:
    event = statement.event
    said = dates.format_date(statement.said_on, statement.said_precision) if statement.said_on else ""
    event_date = event.date_display if event is not None else ""
    return {
        "slug": statement.slug,
        "quote": statement.kind == "quote",
        "language": statement.language,
        "text": mark_filter(statement.search_text) if statement.search_text else statement.text,
        "speaker_url": statement.speaker.get_absolute_url(),
        "speaker_name": statement.speaker.name,
        "speaker_label": statement.speaker_label,
        "datetime": dates.iso_date(statement.said_on, statement.said_precision) if statement.said_on else "",
        "said": said,
        "event_url": event.get_absolute_url() if event is not None else "",
        "event_title": translated(event, "title") if event is not None else "",
        "event_date": event_date,
        "context": statement.context,
        "sources": statement.sources.all(),
        "url": statement.get_absolute_url(),
        "date_display": said or event_date,
    }


# Sources in a list (the sources' index, an event's or a statement's page): the same, for timeline/_source.html.


def source_items(sources) -> list[dict]:
    """What _source.html shows of each source, worked out once per source (the index lists some 250 a page); with
    the events citing it (`citing`, prefetched by the index) as (address, title) pairs."""
    from timeline.models import Source

    kinds = {value: str(label) for value, label in Source.Kind.choices}
    return [
        {
            "slug": source.slug,
            "url": source.url,
            "title": source.title,
            "title_is_descriptive": source.title_is_descriptive,
            "publisher": source.publisher,
            "author": source.author,
            "datetime": dates.iso_date(source.published_on, source.published_precision),
            "date": source.published_display,
            "kind": kinds.get(source.kind, source.kind),
            "archive_url": source.archive_url,
            "citing": [
                (event.get_absolute_url(), translated(event, "title")) for event in getattr(source, "citing", [])
            ],
        }
        for source in sources
    ]
