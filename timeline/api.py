"""The read-only JSON API, with its OpenAPI 3 schema at /api/openapi.json and documentation at /api/docs.

Every endpoint starts from the published querysets. The events list takes the timeline's own GET parameters,
validated by the timeline's FilterSet, so the page and the API cannot disagree about what a filter means.
Responses carry an ETag (a hash of the body) and answer If-None-Match with 304. A bad parameter gets a 400 whose
JSON body names it.
"""

import datetime
from typing import Literal

import django_filters
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, QueryDict
from django.urls import reverse
from django.views.decorators.http import conditional_page
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.decorators import decorate_view
from ninja.errors import ValidationError

from timeline.caching import cache_public_page
from timeline.dates import iso_date
from timeline.filter_fields import MAX_VALUES, SLUG_RE
from timeline.filters import EventFilter, StatementFilter, refusals
from timeline.http import allow_any_origin
from timeline.models import Event, Involvement, Participant, Source, Statement, Topic

api = NinjaAPI(
    title="Timeline API",
    version="1",
    description=(
        "Read-only access to the timeline's published events, participants, statements, sources and topics. "
        "Dates known only to the month or year are given as their first day beside a precision "
        '("month", "year"). List endpoints are paginated with `page` and `page_size`.'
    ),
    urls_namespace="api",
)

MAX_PAGE = 100_000  # far past any real page, and small enough that the OFFSET stays a valid SQL integer
MAX_PAGE_SIZE = 200


# Errors


class ParameterError(Schema):
    parameter: str = Field(description="The name of the parameter that was refused.")
    location: Literal["query", "path"]
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ParameterError] = []


class InvalidParameters(Exception):
    def __init__(self, errors: list[dict]):
        self.errors = errors


def bad_request(request, errors: list[dict]):
    names = ", ".join(dict.fromkeys(error["parameter"] for error in errors))
    return api.create_response(request, {"detail": f"Invalid parameter: {names}.", "errors": errors}, status=400)


@api.exception_handler(ValidationError)
def ninja_validation_error(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        location, *names = error["loc"]
        errors.append(
            {
                "parameter": ".".join(str(name) for name in names) or location,
                "location": location if location in ("query", "path") else "query",
                "message": error["msg"],
            }
        )
    return bad_request(request, errors)


@api.exception_handler(InvalidParameters)
def filter_validation_error(request, exc: InvalidParameters):
    return bad_request(request, exc.errors)


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return api.create_response(request, {"detail": str(exc) or "Not found.", "errors": []}, status=404)


def filtered(filterset_class: type[django_filters.FilterSet], data: QueryDict, queryset):
    """The queryset narrowed by a FilterSet, or InvalidParameters naming each parameter it could not use.

    The timeline shows a page anyway and notes what it ignored; a data request is refused instead, so that nobody
    downloads more than they asked for without noticing.
    """
    filterset = filterset_class(data, queryset=queryset)
    if refused := refusals(filterset.problems):
        raise InvalidParameters(
            [{"parameter": parameter, "location": "query", "message": message} for parameter, message in refused]
        )
    return filterset.qs


def filter_parameters(filterset_class: type[django_filters.FilterSet]) -> list[dict]:
    """The FilterSet's GET parameters as OpenAPI parameter objects, from what each of its filters says of itself."""
    parameters = []
    for name, parameter_filter in filterset_class().filters.items():
        schema = parameter_filter.json_schema()
        multiple = parameter_filter.repeatable
        parameter = {
            "name": name,
            "in": "query",
            "required": False,
            "description": str(parameter_filter.help_text or parameter_filter.label or name)
            + (f" At most {MAX_VALUES} different values." if multiple else ""),
            # At most MAX_VALUES different values; repeats and blanks do not count, which maxItems cannot say.
            "schema": {"type": "array", "items": schema} if multiple else schema,
        }
        if multiple:
            parameter.update(style="form", explode=True)
        parameters.append(parameter)
    return parameters


# Pagination


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description=f"Items per page, at most {MAX_PAGE_SIZE}.")


def page_of(request: HttpRequest, queryset, params: PageParams) -> dict:
    """One page of a queryset, with the total and links to the neighbouring pages (None at either end)."""
    count = queryset.count()
    offset = (params.page - 1) * params.page_size
    items = list(queryset[offset : offset + params.page_size]) if offset < count else []

    def link(page: int) -> str:
        query = request.GET.copy()
        query["page"] = str(page)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "next": link(params.page + 1) if offset + params.page_size < count else None,
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
    publisher: str
    author: str
    url: str
    archive_url: str
    published_on: datetime.date | None
    published_precision: Precision
    kind: str


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
    date: str = Field(description="The date as the site shows it; the event's date when said_on is null.")
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
    date: str = Field(description='The dates as the site shows them, e.g. "May 2025", "c. 2019".')
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
        return event.topics.all()

    @staticmethod
    def resolve_participants(event):
        return event.involvements.all()


class InvolvementDetail(InvolvementOut):
    role: str | None = Field(description="The participant's title on the event's start date, where known.")

    @staticmethod
    def resolve_role(involvement):
        role = involvement.participant.role_on(involvement.event.start_date)
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


ERRORS = {400: ErrorOut}
NOT_FOUND = {400: ErrorOut, 404: ErrorOut}
SLUG = Path(..., pattern=SLUG_RE.pattern, description="The item's slug, as in its page's URL.")


def read_only(view):
    """Conditional GET and CORS for every operation, and the server-side copy of public responses that the
    reader's pages have too (timeline.caching: kept until any data changes)."""
    return decorate_view(cache_public_page, conditional_page, allow_any_origin)(view)


# Endpoints


@api.get(
    "/events",
    response={200: EventPage, **ERRORS},
    tags=["events"],
    summary="Published events, filtered as on the timeline",
    openapi_extra={"parameters": filter_parameters(EventFilter)},
)
@read_only
def list_events(request, params: Query[PageParams]):
    events = filtered(EventFilter, request.GET, Event.objects.published().for_list())
    return page_of(request, events, params)


@api.get("/events/{slug}", response={200: EventDetail, **NOT_FOUND}, tags=["events"], summary="One published event")
@read_only
def get_event(request, slug: str = SLUG):
    # for_list() for its counts; its prefetches are replaced by fuller ones.
    queryset = (
        Event.objects.published()
        .for_list()
        .prefetch_related(None)
        .prefetch_related(
            "topics",
            "sources",
            "corrections",
            Prefetch(
                "involvements",
                queryset=Involvement.objects.select_related("participant", "event").prefetch_related(
                    "participant__roles"
                ),
            ),
            Prefetch("statements", queryset=Statement.objects.published().for_list()),
        )
    )
    event = queryset.filter(slug=slug).first()
    if event is None:
        raise Http404("No published event has this slug.")
    return event


@api.get(
    "/statements",
    response={200: StatementPage, **ERRORS},
    tags=["statements"],
    summary="Published statements",
    description=(
        "The statements of the events that the timeline's parameters select (the same parameters as /api/events), "
        "narrowed by speaker and language."
    ),
    openapi_extra={
        "parameters": filter_parameters(StatementFilter)
        + [parameter for parameter in filter_parameters(EventFilter) if parameter["name"] != "sort"]
    },
)
@read_only
def list_statements(request, params: Query[PageParams]):
    return page_of(request, filtered(StatementFilter, request.GET, Statement.objects.published().for_list()), params)


@api.get("/participants", response={200: ParticipantPage, **ERRORS}, tags=["participants"], summary="Participants")
@read_only
def list_participants(request, params: Query[PageParams]):
    return page_of(request, Participant.objects.public().order_by("name", "pk"), params)


@api.get(
    "/participants/{slug}",
    response={200: ParticipantDetail, **NOT_FOUND},
    tags=["participants"],
    summary="One participant, with their roles",
)
@read_only
def get_participant(request, slug: str = SLUG):
    participant = Participant.objects.public().prefetch_related("roles").filter(slug=slug).first()
    if participant is None:
        raise Http404("No public participant has this slug.")
    return participant


@api.get("/sources", response={200: SourcePage, **ERRORS}, tags=["sources"], summary="Sources cited")
@read_only
def list_sources(request, params: Query[PageParams]):
    return page_of(request, Source.objects.cited().order_by("title", "pk"), params)


@api.get("/topics", response={200: TopicPage, **ERRORS}, tags=["topics"], summary="Topics with published events")
@read_only
def list_topics(request, params: Query[PageParams]):
    return page_of(request, Topic.objects.with_event_counts().order_by("name", "pk"), params)


@api.get("/", include_in_schema=False)
@read_only
def index(request):
    """Where to start: the schema, its documentation and each list."""
    links = ["list_events", "list_statements", "list_participants", "list_sources", "list_topics"]
    return {
        "openapi": request.build_absolute_uri(reverse("api:openapi-json")),
        "docs": request.build_absolute_uri(reverse("api:openapi-view")),
        **{name.removeprefix("list_"): request.build_absolute_uri(reverse(f"api:{name}")) for name in links},
    }


# Anything else under /api/ is a JSON 404 too, not the site's HTML page: a client reading JSON gets JSON.
@api.get("/{path:rest}", include_in_schema=False)
def unknown_path(request, rest: str):
    raise Http404("No API endpoint at this address; the list is at /api/openapi.json.")
