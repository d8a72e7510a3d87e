"""What the API answers, as schemas that document it: pages of results, events, statements, participants,
sources, topics, and errors. The endpoints are in timeline/api.py."""

import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, Schema

from timeline import paging
from timeline.dates import iso_date
from timeline.languages import number

MAX_PAGE = 100_000  # far past any real page, and small enough that the OFFSET stays a valid SQL integer
MAX_PAGE_SIZE = 200
# How deep pages reach into a list: a database reads every row before a page to skip it (page 5,000 of the
# statements took 200 ms at 300,000), and the full downloads hold everything.
MAX_RESULTS = 10_000


# Errors


class InvalidParameters(Exception):
    def __init__(self, errors: list[dict]):
        self.errors = errors


class ParameterError(Schema):
    parameter: str = Field(description="The name of the parameter that was refused.")
    location: Literal["query", "path"]
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ParameterError] = []


# Pagination


class PageParams(Schema):
    page: int = Field(
        1,
        ge=1,
        le=MAX_PAGE,
        description=f"Page number, from 1. Pages reach the first {MAX_RESULTS:,} results; the full downloads hold all.",
    )
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description=f"Items per page, at most {MAX_PAGE_SIZE}.")


def page_of(request: HttpRequest, queryset, params: PageParams, count: int | None = None) -> dict:
    """One page of a queryset, with the total (`count`, where the database keeps it) and links to the neighbouring
    pages (None at either end, or where pages stop reaching: MAX_RESULTS)."""
    if count is None:
        count = queryset.count()
    offset = (params.page - 1) * params.page_size
    if count > offset >= MAX_RESULTS:
        message = gettext(
            "pages reach the first %(most)s results: narrow the filters, or download everything from %(url)s"
        ) % {"most": number(MAX_RESULTS), "url": request.build_absolute_uri(reverse("export_full_index"))}
        raise InvalidParameters([{"parameter": "page", "location": "query", "message": message}])
    stop = offset + params.page_size
    if offset >= count:
        items = []
    elif isinstance(queryset, QuerySet):
        items = paging.page_of(queryset, offset, stop)
    else:  # a sequence that reads its own pages (querysets.ReadByIds)
        items = queryset[offset:stop]

    def link(page: int) -> str:
        query = request.GET.copy()
        query["page"] = str(page)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "next": link(params.page + 1) if offset + params.page_size < min(count, MAX_RESULTS) else None,
        "previous": link(params.page - 1) if params.page > 1 and offset - params.page_size < count else None,
        "results": items,
    }


class Page(Schema):
    count: int = Field(description="Items matching the parameters, on all pages.")
    page: int
    page_size: int
    next: str | None = Field(description="URL of the next page, or null on the last.")
    previous: str | None = Field(description="URL of the previous page, or null on the first.")


# Schemas

Precision = Literal["day", "month", "year"]


def absolute(context, path: str) -> str:
    return context["request"].build_absolute_uri(path)


class NamedRef(Schema):
    """A topic or participant where another object names it: enough to show and link it."""

    slug: str
    name: str
    url: str

    @staticmethod
    def resolve_url(obj, context):
        return absolute(context, obj.get_absolute_url())


class TopicRef(NamedRef):
    pass


class TopicOut(TopicRef):
    description: str
    event_count: int = Field(description="Published events on this topic.")


class ParticipantRef(NamedRef):
    pass


class ParticipantOut(ParticipantRef):
    kind: Literal["person", "organisation", "government"]
    country: str = Field(description="ISO 3166-1 alpha-2 code; empty for international bodies.")
    description: str
    wikidata_id: str


class RoleOut(Schema):
    title: str
    organisation: str
    start: datetime.date | None
    start_precision: Precision
    end: datetime.date | None = Field(description="Null while the role is held.")
    end_precision: Precision
    attested_on: datetime.date | None = Field(description="A date the role was held, when start and end are unknown.")
    period: str


class ParticipantDetail(ParticipantOut):
    roles: list[RoleOut]


class SourceOut(Schema):
    slug: str
    title: str
    title_is_descriptive: bool = Field(
        description="True when the page's headline was not available: the title describes the page instead."
    )
    publisher: str
    author: str
    url: str
    archive_url: str
    published_on: datetime.date | None
    published_precision: Precision
    kind: Literal["primary", "transcript", "wire", "news", "other"] = Field(
        description="primary (the record itself: an order, a release, a ruling), transcript, wire (a news "
        "agency's report), news (an outlet's own report) or other."
    )


class EventRef(Schema):
    slug: str
    title: str
    url: str

    @staticmethod
    def resolve_url(event, context):
        return absolute(context, event.get_absolute_url())


class StatementOut(Schema):
    slug: str
    text: str
    kind: Literal["quote", "paraphrase"]
    language: Literal["en", "fr"]
    said_on: datetime.date | None = Field(description="Null when the source gives no date.")
    said_precision: Precision
    date: str = Field(
        description="The date as the site writes it in the language asked for; the event's date when said_on is null."
    )
    speaker: ParticipantRef
    speaker_label: str = Field(description="The speaker as the source printed it.")
    context: str
    event: EventRef
    sources: list[SourceOut]

    @staticmethod
    def resolve_date(statement):
        return statement.date_display


class EventDates(Schema):
    start_date: datetime.date = Field(description="The first day of the period the start is known to.")
    date_precision: Precision
    end_date: datetime.date | None
    end_precision: Precision | None
    approximate: bool
    date: str = Field(
        description='The dates as the site writes them in the language asked for: "May 2025", "c. 2019"; with lang=fr '
        '"mai 2025", "vers 2019".'
    )
    start: str = Field(description='ISO 8601 at the start\'s precision: "2025-05-06", "2025-05" or "2025".')
    end: str | None = Field(description="ISO 8601 at the end's precision, or null.")

    @staticmethod
    def resolve_end_precision(event):
        return event.end_precision if event.end_date else None

    @staticmethod
    def resolve_date(event):
        return event.date_display

    @staticmethod
    def resolve_start(event):
        return iso_date(event.start_date, event.date_precision)

    @staticmethod
    def resolve_end(event):
        return iso_date(event.end_date, event.end_precision) or None


class InvolvementOut(Schema):
    participant: ParticipantRef
    part: str = Field(description="host, guest, subject, speaker, signatory, attendee or other.")


class EventOut(EventDates):
    slug: str
    url: str
    title: str
    summary: str
    event_type: str
    location: str
    importance: int = Field(description="1 minor, 2 notable, 3 major.")
    topics: list[TopicRef]
    participants: list[InvolvementOut]
    statement_count: int
    source_count: int
    published_at: datetime.datetime | None
    updated_at: datetime.datetime

    @staticmethod
    def resolve_url(event, context):
        return absolute(context, event.get_absolute_url())

    @staticmethod
    def resolve_topics(event):
        return event.listed_topics

    @staticmethod
    def resolve_participants(event):
        return event.listed_involvements


class InvolvementDetail(InvolvementOut):
    role: str | None = Field(
        description="The participant's title at some point of the event's period (its day, month, year or range), "
        "as the sources show it, where known."
    )

    @staticmethod
    def resolve_role(involvement):
        role = involvement.event.role_of(involvement.participant)
        return role.title if role else None


class CorrectionOut(Schema):
    published_on: datetime.date
    note: str


class EventDetail(EventOut):
    body: str
    participants: list[InvolvementDetail]
    statements: list[StatementOut]
    sources: list[SourceOut]
    corrections: list[CorrectionOut]

    @staticmethod
    def resolve_statements(event):
        return event.statements.all()

    @staticmethod
    def resolve_sources(event):
        return event.sources.all()

    @staticmethod
    def resolve_corrections(event):
        return event.corrections.all()


class EventPage(Page):
    results: list[EventOut]


class StatementPage(Page):
    results: list[StatementOut]


class ParticipantPage(Page):
    results: list[ParticipantOut]


class SourcePage(Page):
    results: list[SourceOut]


class TopicPage(Page):
    results: list[TopicOut]
