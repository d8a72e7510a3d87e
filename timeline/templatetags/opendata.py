"""Tags for the open-data parts of pages: social-card meta tags, JSON-LD, and links to the exports."""

from django import template
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from timeline import embeds
from timeline.languages import api_url
from timeline.models import Event, Participant, Statement
from timeline.structured_data import event_data, json_ld_script
from timeline.text import single_spaced

register = template.Library()

# OpenGraph's locale of each language: Canadian English and Canadian French.
OG_LOCALES = {"en": "en_CA", "fr": "fr_CA"}


def _absolute(request, path: str) -> str:
    """An absolute URL for the page; the bare path on an error page for a request whose Host was refused."""
    try:
        return request.build_absolute_uri(path)
    except DisallowedHost:
        return path


def _describe(context) -> dict:
    """Title, description, type and canonical path of the page, from the object it shows (if any)."""
    event, participant, topic = context.get("event"), context.get("participant"), context.get("topic")
    statement = context.get("statement")
    if isinstance(statement, Statement) and context.get("citation"):  # a statement's own page
        return {
            "title": f"{statement.speaker.name}, {statement.date_display}",
            "description": pgettext("quoted words", "“%(text)s”") % {"text": statement.text},
            "type": "article",
            "path": statement.get_absolute_url(),
            "modified": statement.updated_at,
        }
    if isinstance(event, Event):
        return {
            "title": event.title,
            "description": f"{event.date_display}. {event.summary}",
            "type": "article",
            "path": event.get_absolute_url(),
            "image": reverse("event_preview", args=[event.slug]),
            "published": event.published_at,
            "modified": event.updated_at,
        }
    if isinstance(participant, Participant):
        return {
            "title": participant.name,
            "description": participant.description
            or gettext("Roles, statements and events of %(name)s.") % {"name": participant.name},
            "type": "profile" if participant.kind == Participant.Kind.PERSON else "website",
            "path": participant.get_absolute_url(),
        }
    if topic is not None and hasattr(topic, "get_absolute_url"):
        return {
            "title": topic.name,
            "description": topic.description
            or gettext("Events in Canada–U.S. relations on %(topic)s.") % {"topic": topic.name.lower()},
            "type": "website",
            "path": topic.get_absolute_url(),
        }
    # Other pages are shared at their canonical URL (the timeline's keeps its filters); a page with none, such as
    # an error page, as the site itself, so that nothing typed into the address bar is echoed.
    return {
        "title": gettext("Canada–U.S. relations"),
        "description": gettext("Canada–U.S. relations: every event and statement, with its sources."),
        "type": "website",
        "path": context.get("canonical_url") or reverse("event_list"),
    }


@register.inclusion_tag("timeline/_social_meta.html", takes_context=True)
def social_meta(context, description: str = ""):
    """The page's description, and OpenGraph and Twitter card tags, from the object it shows; autoescaped in the
    template. `description`: the page's own, where it says more than the site's (a list's)."""
    if "request" not in context:  # a page rendered without a request (the bare error pages) gets no card
        return {"page": None}
    page = _describe(context)
    page["description"] = description or page["description"]
    page["url"] = _absolute(context["request"], page["path"])
    # Every page shows an image when shared: its event's, else the timeline's.
    page["image_alt"] = page["title"] if "image" in page else gettext("Canada–U.S. relations")
    page["image"] = _absolute(context["request"], page.get("image") or reverse("timeline_preview"))
    page["description"] = Truncator(single_spaced(page["description"])).chars(200)
    page["site_name"] = pgettext("site name", "Timeline")
    page["locale"] = OG_LOCALES.get(translation.get_language(), "en_CA")
    page["alternate_locales"] = [locale for code, locale in OG_LOCALES.items() if locale != page["locale"]]
    return {"page": page}


@register.simple_tag(takes_context=True)
def event_json_ld(context, event: Event):
    """The event's schema.org JSON-LD, with its public statements."""
    request = context["request"]
    if not event.is_published:
        return ""
    if "statements" in getattr(event, "_prefetched_objects_cache", {}):
        # The page already has them: every statement of a published event is public.
        statements = event.statements.all()
    else:
        statements = Statement.objects.published().filter(event=event).for_list()
    return json_ld_script(event_data(event, statements, request.build_absolute_uri))


# (route, label, a file to save rather than a page to open, in the timeline's order: the statements are in the
# order they were said, and their download refuses `sort`)
EXPORTS = [
    ("export_events_csv", _("Events (CSV)"), True, True),
    ("export_statements_csv", _("Their statements (CSV)"), True, False),
    ("export_ics", _("Calendar (iCalendar)"), True, True),
    ("export_timelinejs", _("TimelineJS (JSON)"), False, True),
]


def follow(request, feed_url: str, query: str, id: str = "calendar-address") -> dict:
    """The ways to follow a selection of events: its feed, a calendar subscription (webcal://, which calendar apps
    open as a subscription, and the https address to paste), and a one-off download of the same calendar."""
    suffix = f"?{query}" if query else ""
    calendar = request.build_absolute_uri(reverse("export_ics") + suffix)
    return {
        "feed_url": feed_url,
        "download_url": reverse("export_ics") + suffix,
        "calendar_url": calendar,
        "subscribe_url": "webcal://" + calendar.split("://", 1)[1],
        "filtered": bool(query),
        "id": id,
    }


def events_feed_url(filterset) -> str:
    """The feed of the events the timeline's filters select."""
    query = filterset.query(sort=None)
    return reverse("feed_events") + (f"?{query}" if query else "")


@register.simple_tag(takes_context=True)
def timeline_feed_url(context):
    return events_feed_url(context["filterset"])


@register.inclusion_tag("timeline/_follow.html", takes_context=True)
def follow_links(context, feed_url: str, **filters):
    """{% follow_links feed_url topic=topic.slug %}: the feed, calendar subscription and download of a page's events."""
    from timeline.filters import EventFilter

    query = EventFilter().query(**{name: [value] for name, value in filters.items()})
    return {"follow": follow(context["request"], feed_url, query)}


# The whole dataset's files (timeline/open_data.py), as the downloads above them are labelled.
FULL_FILES = [
    ("timeline-events.csv", _("events (CSV)")),
    ("timeline-statements.csv", _("statements (CSV)")),
    ("timeline-events.ics", _("calendar")),
    ("timeline.json", _("TimelineJS")),
]


@register.inclusion_tag("timeline/_export_links.html", takes_context=True)
def export_links(context):
    """Links to each export of what the timeline shows: the filters in force kept, the page number dropped."""
    request = context["request"]
    query = context["filterset"].query()  # only the filters in force, never the raw query
    unordered = context["filterset"].query(sort=None)
    suffix, unordered_suffix = (f"?{q}" if q else "" for q in (query, unordered))
    return {
        "follow": follow(request, events_feed_url(context["filterset"]), unordered),
        "links": [
            {"url": reverse(name) + (suffix if ordered else unordered_suffix), "label": label, "download": download}
            for name, label, download, ordered in EXPORTS
        ],
        "api_url": api_url(reverse("api:list_events") + suffix),
        "api_docs_url": api_url(reverse("api:openapi-view")),
        "embed_code": embeds.code(
            request.build_absolute_uri(reverse("embed") + suffix),
            gettext("Timeline: Canada–U.S. relations"),
            embeds.DEFAULT_HEIGHT,
            autoheight=False,
        ),
        "embed_preview_url": reverse("embed") + suffix,
        "embed_builder_url": reverse("embed_builder") + suffix,
        "filtered": bool(query),
        "limit": settings.TIMELINE_DOWNLOAD_LIMIT,
        "full_links": [{"url": reverse("export_full", args=[name]), "label": label} for name, label in FULL_FILES],
    }


@register.simple_tag(takes_context=True)
def absolute_url(context, obj):
    """The object's canonical page as an absolute URL, for pages seen outside this site (embeds, feeds)."""
    return context["request"].build_absolute_uri(obj.get_absolute_url())
