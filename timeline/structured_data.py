"""schema.org JSON-LD for an event page: the Event, the people in it, and its statements with their citations.

https://schema.org/Event and https://schema.org/Quotation. Dates are ISO 8601 at the precision they are known to
("2025-05" for May 2025), which schema.org's Date accepts. Paraphrases are not quotations, so they are described
as schema.org Claims, with the sources where they appear.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from timeline.dates import iso_date
from timeline.models import Event, Involvement, Participant, Source, Statement

# How a part in an event maps onto schema.org's Event properties.
PART_PROPERTIES = {
    Involvement.Part.HOST: ("organizer", "performer"),
    Involvement.Part.GUEST: ("performer",),
    Involvement.Part.SPEAKER: ("performer",),
    Involvement.Part.SIGNATORY: ("performer",),
    Involvement.Part.ATTENDEE: ("attendee",),
    Involvement.Part.OTHER: ("attendee",),
    Involvement.Part.SUBJECT: ("about",),
}

PARTICIPANT_TYPES = {
    Participant.Kind.PERSON: "Person",
    Participant.Kind.ORGANISATION: "Organization",
    Participant.Kind.GOVERNMENT: "GovernmentOrganization",
}

SOURCE_TYPES = {Source.Kind.NEWS: "NewsArticle", Source.Kind.WIRE: "NewsArticle"}

# Inside <script>, "</script>" or "<!--" in a string would end or confuse the element; JSON's \u escapes read
# the same to any JSON parser. This is the escaping Django's json_script filter applies.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def person(participant: Participant, absolute, event=None) -> dict:
    data = {
        "@type": PARTICIPANT_TYPES.get(participant.kind, "Thing"),
        "name": participant.name,
        "url": absolute(participant.get_absolute_url()),
    }
    if participant.wikidata_id:
        data["sameAs"] = f"https://www.wikidata.org/wiki/{participant.wikidata_id}"
    if event is not None and participant.kind == Participant.Kind.PERSON:
        role = event.role_of(participant)
        if role:
            data["jobTitle"] = role.title
    return data


def citation(source: Source) -> dict:
    data = {"@type": SOURCE_TYPES.get(source.kind, "CreativeWork")}
    # A title that only describes the page is not its name.
    data["description" if source.title_is_descriptive else "name"] = source.title
    if source.url:
        data["url"] = source.url
    if source.publisher:
        data["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.author:
        data["author"] = {"@type": "Person", "name": source.author}
    if source.published_on:
        data["datePublished"] = iso_date(source.published_on, source.published_precision)
    return data


def statement_item(statement: Statement, absolute) -> dict:
    sources = [citation(source) for source in statement.sources.all()]
    speaker = person(statement.speaker, absolute)
    if statement.kind == Statement.Kind.QUOTE:
        data = {"@type": "Quotation", "text": statement.text, "creator": speaker, "spokenByCharacter": speaker}
        if sources:
            data["citation"] = sources
    else:
        data = {"@type": "Claim", "text": statement.text, "author": speaker}
        if sources:
            data["appearance"] = sources
    data["inLanguage"] = statement.language
    if statement.said_on:
        data["dateCreated"] = iso_date(statement.said_on, statement.said_precision)
    return data


def statement_data(statement: Statement, absolute) -> dict:
    """The JSON-LD object for a statement's own page: its Quotation (or Claim), the speaker with the role held then,
    where it was said, and the page's address."""
    url = absolute(statement.get_absolute_url())
    data = {"@context": "https://schema.org", **statement_item(statement, absolute), "@id": url, "url": url}
    role = statement.speaker_role()
    if role and statement.speaker.kind == Participant.Kind.PERSON:
        for key in ("creator", "spokenByCharacter", "author"):
            if key in data:
                data[key] = {**data[key], "jobTitle": role.title}
    if statement.event_id:
        event = statement.event
        data["about"] = {
            "@type": "Event",
            "name": event.title,
            "url": absolute(event.get_absolute_url()),
            "startDate": iso_date(event.start_date, event.date_precision),
        }
    return data


def event_data(event: Event, statements, absolute) -> dict:
    """The JSON-LD object for an event (with involvements, topics, sources prefetched) and its public statements."""
    url = absolute(event.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": url,
        "url": url,
        "name": event.title,
        "description": event.summary,
        "startDate": iso_date(event.start_date, event.date_precision),
        # The language the page is written in; each statement says its own.
        "inLanguage": translation.get_language(),
    }
    if event.end_date:
        data["endDate"] = iso_date(event.end_date, event.end_precision)
    if event.location:
        data["location"] = {"@type": "Place", "name": event.location}
    for involvement in event.involvements.all():
        item = person(involvement.participant, absolute, event=event)
        for prop in PART_PROPERTIES.get(involvement.part, ("attendee",)):
            data.setdefault(prop, []).append(item)
    topics = [topic.name for topic in event.topics.all()]
    if topics:
        data["keywords"] = ", ".join(topics)
    sources = [citation(source) for source in event.sources.all()]
    if sources:
        data["citation"] = sources
    items = [statement_item(statement, absolute) for statement in statements]
    if items:
        # subjectOf is the inverse of "about": each quotation is about this event.
        data["subjectOf"] = items
    return data


def json_ld_script(data: dict) -> SafeString:
    """A <script type="application/ld+json"> element that no string in `data` can break out of.

    A data block, never executed, so a strict script-src CSP does not block it.
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
