"""The read-only JSON API, with its OpenAPI 3 schema at /api/openapi.json and documentation at /api/docs.

One address for both languages: `lang=fr` asks for the French (titles, summaries, dates as written, names of types
and topics), and for the schema's descriptions too.

Every endpoint starts from the published querysets. The events list takes the timeline's own GET parameters,
validated by the timeline's FilterSet, so the page and the API cannot disagree about what a filter means.
Responses carry an ETag (a digest of the body) and answer If-None-Match with 304 (timeline.caching), to other sites'
scripts too (CORS, in settings). A bad parameter, or one a list does not take (a misspelt name), gets a 400 whose
JSON body names it.
"""

import django_filters
from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Path, Query
from ninja.decorators import decorate_view
from ninja.errors import ValidationError
from ninja.openapi.docs import Swagger

from timeline import eventkeys, events_dated, facets
from timeline.api_schemas import (
    ErrorOut,
    EventDetail,
    EventPage,
    InvalidParameters,
    PageParams,
    ParticipantDetail,
    ParticipantPage,
    SourcePage,
    StatementPage,
    TopicPage,
    page_of,
)
from timeline.caching import cache_public_page
from timeline.filter_fields import BLANK, MAX_VALUES, SLUG_RE
from timeline.filters import EventFilter, refusals, unknown_parameters
from timeline.languages import api_url, in_query_language, number
from timeline.models import Event, Involvement, Participant, Source, Statement, Topic
from timeline.querysets import NameOrder, localized
from timeline.statement_filters import StatementFilter


class Documentation(Swagger):
    """Swagger UI over the schema in the language the page was asked in (/api/docs?lang=fr)."""

    def get_openapi_url(self, api, path_params):
        return api_url(super().get_openapi_url(api, path_params))


api = NinjaAPI(
    title="Timeline API",
    version="1",
    description=_(
        "Read-only access to the timeline's published events, participants, statements, sources and topics, in "
        "English or, with `lang=fr`, in French. Dates known only to the month or year are given as their first day "
        'beside a precision ("month", "year"). List endpoints are paginated with `page` and `page_size`. A parameter '
        "that cannot be used, or that the endpoint does not take, gets a 400 naming it."
    ),
    urls_namespace="api",
    docs=Documentation(),
    # The schema and its documentation in the language asked for; an unknown one gets the English.
    docs_decorator=in_query_language,
)


# Errors


def bad_request(request, errors: list[dict]):
    names = ", ".join(dict.fromkeys(error["parameter"] for error in errors))
    detail = gettext("Invalid parameter: %(names)s.") % {"names": names}
    return api.create_response(request, {"detail": detail, "errors": errors}, status=400)


def unknown_language(request):
    languages = ", ".join(code for code, _ in settings.LANGUAGES)
    message = gettext("use one of %(languages)s") % {"languages": languages}
    return bad_request(request, [{"parameter": "lang", "location": "query", "message": message}])


def validation_message(error: dict) -> str:
    """What pydantic refused, in the reader's language: its own messages are in English only."""
    limits = error.get("ctx", {})
    match error.get("type"):
        case "int_parsing" | "int_type" | "int_from_float":
            return gettext("a whole number")
        case "greater_than_equal":
            return gettext("at least %(limit)s") % {"limit": number(limits["ge"])}
        case "less_than_equal":
            return gettext("at most %(limit)s") % {"limit": number(limits["le"])}
    return error["msg"]


@api.exception_handler(ValidationError)
def ninja_validation_error(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        location, *names = error["loc"]
        errors.append(
            {
                "parameter": ".".join(str(name) for name in names) or location,
                "location": location if location in ("query", "path") else "query",
                "message": validation_message(error),
            }
        )
    return bad_request(request, errors)


@api.exception_handler(InvalidParameters)
def filter_validation_error(request, exc: InvalidParameters):
    return bad_request(request, exc.errors)


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return api.create_response(request, {"detail": str(exc) or gettext("Not found."), "errors": []}, status=404)


def refuse(refused: list[tuple[str, str]]) -> None:
    """InvalidParameters naming each (parameter, message), if any."""
    if refused:
        raise InvalidParameters(
            [{"parameter": parameter, "location": "query", "message": message} for parameter, message in refused]
        )


def list_parameters() -> list[str]:
    """What every list takes besides its filters: its page (PageParams) and the language (LANGUAGE)."""
    return [*PageParams.model_fields, LANGUAGE["name"]]


def checked(filterset_class: type[django_filters.FilterSet], data: QueryDict, queryset):
    """The FilterSet of these parameters, or InvalidParameters naming each parameter it could not use, and each
    one the list does not take.

    The timeline shows a page anyway and notes what it ignored; a data request is refused instead, so that nobody
    downloads more than they asked for without noticing.
    """
    filterset = filterset_class(data, queryset=queryset)
    accepted = [*filterset.parameter_names(), *list_parameters()]
    refuse(unknown_parameters(data, accepted) + refusals(filterset.problems))
    return filterset


def unfiltered(data: QueryDict) -> None:
    """InvalidParameters naming each parameter of a list without filters that it does not take (see checked())."""
    refuse(unknown_parameters(data, list_parameters()))


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
            # Lazy: the schema is written in the language it is asked in.
            "description": format_lazy(
                "{}{}",
                parameter_filter.help_text or parameter_filter.label or name,
                format_lazy(_(" At most {} different values."), MAX_VALUES) if multiple else "",
            ),
            # At most MAX_VALUES different values; repeats and blanks do not count, which maxItems cannot say.
            "schema": {"type": "array", "items": schema} if multiple else schema,
        }
        if multiple:
            parameter.update(style="form", explode=True)
        parameters.append(parameter)
    return parameters


ERRORS = {400: ErrorOut}
NOT_FOUND = {400: ErrorOut, 404: ErrorOut}
SLUG = Path(..., pattern=SLUG_RE.pattern, description="The item's slug, as in its page's URL.")
# Every operation takes it (read_only below), so every operation documents it.
LANGUAGE = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": _(
        "The language of the text: en (English, the default) or fr (French). Titles, summaries, places, topic "
        "names, role titles, corrections, type names and dates as written follow it, the English standing in "
        "where a French text is not written yet; statements are in the language they were spoken (their "
        "`language`), and names, slugs, codes and ISO dates are the same in both."
    ),
    # Blank stands for the default, as for every other parameter.
    "schema": {"anyOf": [{"type": "string", "enum": [code for code, _ in settings.LANGUAGES]}, BLANK]},
}


def parameters(*more) -> dict:
    """An operation's documented query parameters beyond the ones its signature declares: `lang`, then `more`."""
    return {"parameters": [LANGUAGE, *(parameter for group in more for parameter in group)]}


def read_only(view):
    """Validators and conditional GET for every operation, and the server-side copy of public responses that the
    reader's pages have too (timeline.caching: kept until published data changes), in the language asked for (kept
    apart per language). CORS is in settings."""
    return decorate_view(cache_public_page, in_query_language(refuse=unknown_language))(view)


# Endpoints


@api.get(
    "/events",
    response={200: EventPage, **ERRORS},
    tags=["events"],
    summary=_("Published events, filtered as on the timeline"),
    openapi_extra=parameters(filter_parameters(EventFilter)),
)
@read_only
def list_events(request, params: Query[PageParams]):
    filterset = checked(EventFilter, request.GET, Event.objects.published().for_list())
    # Counted as the timeline counts them: with no filter, as the database keeps it; under a search alone, its
    # matches, read already (a common word's 95,000 counted again: 27 ms).
    return page_of(request, filterset.qs, params, count=facets.total(filterset))


@api.get(
    "/events/{slug}",
    response={200: EventDetail, **NOT_FOUND},
    tags=["events"],
    summary=_("One published event"),
    openapi_extra=parameters(),
)
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
        raise Http404(gettext("No published event has this slug."))
    return event


@api.get(
    "/statements",
    response={200: StatementPage, **ERRORS},
    tags=["statements"],
    summary=_("Published statements"),
    description=_(
        "The statements of the events that the timeline's parameters select (the same parameters as /api/events), "
        "narrowed by speaker and language."
    ),
    openapi_extra=parameters(
        filter_parameters(StatementFilter),
        [parameter for parameter in filter_parameters(EventFilter) if parameter["name"] != "sort"],
    ),
)
@read_only
def list_statements(request, params: Query[PageParams]):
    filterset = checked(StatementFilter, request.GET, Statement.objects.for_list())
    # Under a speaker and a language, or neither, the total is the one the database keeps (timeline/statementkeys.py),
    # and under a date range alone it is read from the keys too; past a few, that range's page is walked in order.
    count, statements = filterset.kept_total(), filterset.qs
    if count is None:  # a word most events have: the kept total, less the statements of the few it misses
        count = filterset.searched_total()
    if (dated := filterset.events_dated()) is not None:
        count = len(dated)
        if count > events_dated.WALKED_PAST:
            statements = dated
    return page_of(request, statements, params, count=count)


@api.get(
    "/participants",
    response={200: ParticipantPage, **ERRORS},
    tags=["participants"],
    summary=_("Participants"),
    openapi_extra=parameters(),
)
@read_only
def list_participants(request, params: Query[PageParams]):
    unfiltered(request.GET)
    return page_of(request, Participant.objects.public().order_by(NameOrder("name"), "pk"), params)


@api.get(
    "/participants/{slug}",
    response={200: ParticipantDetail, **NOT_FOUND},
    tags=["participants"],
    summary=_("One participant, with their roles"),
    openapi_extra=parameters(),
)
@read_only
def get_participant(request, slug: str = SLUG):
    participant = Participant.objects.public().prefetch_related("roles").filter(slug=slug).first()
    if participant is None:
        raise Http404(gettext("No public participant has this slug."))
    return participant


@api.get(
    "/sources",
    response={200: SourcePage, **ERRORS},
    tags=["sources"],
    summary=_("Sources cited"),
    openapi_extra=parameters(),
)
@read_only
def list_sources(request, params: Query[PageParams]):
    unfiltered(request.GET)
    cited = Source.objects.cited().order_by("title", "pk")
    return page_of(request, cited, params, count=eventkeys.Publishers().sources())


@api.get(
    "/topics",
    response={200: TopicPage, **ERRORS},
    tags=["topics"],
    summary=_("Topics with published events"),
    openapi_extra=parameters(),
)
@read_only
def list_topics(request, params: Query[PageParams]):
    unfiltered(request.GET)
    return page_of(request, Topic.objects.with_event_counts().order_by(NameOrder(localized("name")), "pk"), params)


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
@decorate_view(in_query_language)
def unknown_path(request, rest: str):
    raise Http404(gettext("No API endpoint at this address; the list is at /api/openapi.json."))
