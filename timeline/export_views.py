"""Downloads of the filtered timeline (iCalendar, CSV, TimelineJS), the whole dataset, the embeddable timeline and its
builder.

Each download takes the timeline's own GET parameters through its FilterSet, so an export holds exactly what the
page showed. A data download refuses an invalid parameter, or one it does not take (400, naming it), rather than
silently export more than was asked for; the embed, a page for readers, ignores it (with a note for a value), as
the timeline does.

A download costs about what a page does, whatever the size of the selection: it holds at most
settings.TIMELINE_DOWNLOAD_LIMIT rows, the next ones at ?page=2 and on (a `Link` header names the next and
previous pages, and the file of the whole dataset); it is kept per data version like a page (timeline.caching);
and at most TIMELINE_DOWNLOAD_SLOTS are built at once on a server, the others being told to come back (429 with
Retry-After) rather than wait in a worker the pages need. The whole dataset, written by `manage.py
export_open_data` (timeline/open_data.py), is served from disk by `full_download`.
"""

import datetime
import functools
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from csp.constants import SELF
from csp.decorators import csp_update
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_safe
from django.views.decorators.vary import vary_on_headers

from timeline import embeds, exports, facets, open_data, slots
from timeline.caching import VARYING_HEADERS, cache_public_page
from timeline.filters import EventFilter, refusals, unknown_parameters
from timeline.languages import number
from timeline.models import Event, Statement
from timeline.security import embeddable
from timeline.statement_filters import StatementFilter
from timeline.views import HtmxHttpRequest, no_store_if_fragment

EMBED_LIMIT = embeds.MAX_EVENTS  # the most events an embed lists
MAX_PAGE = 10_000  # far past the last page of any dataset the site is meant for


def invalid_parameters(refused: list[tuple[str, str]]) -> HttpResponse | None:
    """A 400 naming each parameter that could not be used, or None when there is none."""
    if not refused:
        return None
    names = ", ".join(dict.fromkeys(parameter for parameter, _ in refused))
    lines = [f"{parameter}: {message}" for parameter, message in refused]
    title = gettext("Invalid parameter: %(names)s") % {"names": names}
    return HttpResponseBadRequest(title + "\n" + "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def page_number(request: HttpRequest) -> int | None:
    """The requested page of a download, from 1; None when `page` is not such a number."""
    value = request.GET.get("page", "").strip() or "1"
    # Length first: Python refuses to read a number of more than 4,300 digits, and a query string can hold one.
    if not (value.isascii() and value.isdigit() and len(value) <= len(str(MAX_PAGE))):
        return None
    return int(value) if 1 <= int(value) <= MAX_PAGE else None


def download(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def too_busy() -> HttpResponse:
    message = gettext(
        "Other downloads are being prepared right now: try again in a few seconds, or download the whole dataset "
        "at once from %(address)s."
    ) % {"address": reverse("export_full_index")}
    response = HttpResponse(message + "\n", status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(settings.TIMELINE_DOWNLOAD_RETRY_AFTER)
    add_never_cache_headers(response)
    return response


def page_links(request: HttpRequest, page: int, more: bool, full: str) -> str:
    """The Link header of a page of a download: the next and previous pages, and the whole dataset's file."""

    def at(other: int) -> str:
        query = request.GET.copy()
        query["page"] = str(other)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    links = [f'<{at(page + 1)}>; rel="next"'] if more else []
    if page > 1:
        links.append(f'<{at(page - 1)}>; rel="prev"')
    links.append(f'<{request.build_absolute_uri(reverse("export_full", args=[full]))}>; rel="related"')
    return ", ".join(links)


def published_events():
    return Event.objects.published().for_export()


def every_statement():
    # Drafts' too: StatementFilter keeps the published ones itself.
    return Statement.objects.for_list()


def data_download(filterset_class, rows, full: str):
    """A data download's view: `rows()` narrowed by the query through `filterset_class`, one page of at most
    TIMELINE_DOWNLOAD_LIMIT of them written by the view (which receives the request and the rows); a 400 naming
    each parameter that could not be used, or that is neither the FilterSet's nor `page`, instead. `full` names
    the file of the whole dataset in this format."""

    def decorate(write: Callable[[HttpRequest, Iterable], HttpResponse]):
        @require_GET
        @cache_public_page
        @functools.wraps(write)
        def view(request: HttpRequest) -> HttpResponse:
            filterset = filterset_class(request.GET, queryset=rows())
            page = page_number(request)
            bad_page = (
                [] if page else [("page", gettext("a page number from 1 to %(last)s") % {"last": number(MAX_PAGE)})]
            )
            unknown = unknown_parameters(request.GET, [*filterset.parameter_names(), "page"])
            if refused := invalid_parameters(unknown + refusals(filterset.problems) + bad_page):
                return refused
            limit = settings.TIMELINE_DOWNLOAD_LIMIT
            offset = (page - 1) * limit
            try:
                with slots.slot("downloads", settings.TIMELINE_DOWNLOAD_SLOTS):
                    selected = list(filterset.qs[offset : offset + limit + 1])
                    response = write(request, selected[:limit])
            except slots.Busy:
                return too_busy()
            response["Link"] = page_links(request, page, len(selected) > limit, full)
            return response

        return view

    return decorate


@data_download(EventFilter, published_events, full="timeline-events.ics")
def events_ics(request: HttpRequest, events) -> HttpResponse:
    content = exports.events_ical(events, request.build_absolute_uri, name=open_data.CALENDAR_NAME)
    return download(content, "text/calendar; charset=utf-8", "timeline-events.ics")


@data_download(EventFilter, published_events, full="timeline-events.csv")
def events_csv(request: HttpRequest, events) -> HttpResponse:
    content = exports.events_csv(events, request.build_absolute_uri)
    return download(content, "text/csv; charset=utf-8; header=present", "timeline-events.csv")


@data_download(StatementFilter, every_statement, full="timeline-statements.csv")
def statements_csv(request: HttpRequest, statements) -> HttpResponse:
    content = exports.statements_csv(statements, request.build_absolute_uri)
    return download(content, "text/csv; charset=utf-8; header=present", "timeline-statements.csv")


@data_download(EventFilter, published_events, full="timeline.json")
def events_timelinejs(request: HttpRequest, events) -> HttpResponse:
    data = exports.events_timelinejs(events, request.build_absolute_uri, *open_data.TIMELINEJS_TITLE)
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_GET
@cache_public_page(parameters=())
def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """One event for a reader's calendar ("add to calendar" on its page): the same entry as in the downloads."""
    event = get_object_or_404(published_events(), slug=slug)
    content = exports.events_ical([event], request.build_absolute_uri, name=event.title)
    return download(content, "text/calendar; charset=utf-8", f"{event.slug}.ics")


# The whole dataset


NOT_EXPORTED = gettext_lazy(
    "The whole dataset has not been exported yet; the filtered downloads hold it a page at a time meanwhile."
)


@require_safe
def full_download_index(request: HttpRequest) -> JsonResponse:
    """What the last export wrote: each file's address, size and rows, and when."""
    current = open_data.manifest()
    if current is None:
        return JsonResponse({"detail": str(NOT_EXPORTED), "files": []}, status=404)
    files = [
        {"url": request.build_absolute_uri(reverse("export_full", args=[name])), "name": name, **file}
        for name, file in open_data.files_of(current, open_data.language()).items()
    ]
    data = {"generated_at": current["generated_at"], "data_changed_at": current["data_changed_at"], "files": files}
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=settings.TIMELINE_PUBLIC_MAX_AGE)
    return response


def accepts_gzip(request: HttpRequest) -> bool:
    for coding in request.headers.get("Accept-Encoding", "").split(","):
        name, _, quality = coding.strip().partition(";")
        if name.strip().lower() == "gzip":
            return quality.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


@require_safe
def full_download(request: HttpRequest, name: str) -> HttpResponse:
    """A file of the whole dataset, from disk: gzipped for a client that takes it, with an ETag from its digest."""
    if name not in open_data.BY_NAME:
        raise Http404
    current, language = open_data.manifest(), open_data.language()
    if current is None or name not in open_data.files_of(current, language):
        return HttpResponse(f"{NOT_EXPORTED}\n", status=404, content_type="text/plain; charset=utf-8")
    file = open_data.files_of(current, language)[name]
    compressed = accepts_gzip(request)
    etag = quote_etag(file["sha256"][:32] + ("-gzip" if compressed else ""))
    modified = int(datetime.datetime.fromisoformat(current["generated_at"]).timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None:
        response = FileResponse(
            open(open_data.path_of(name, current, language, compressed), "rb"),  # noqa: SIM115 - closed by the response
            as_attachment=True,
            filename=name,
            content_type=file["content_type"],
        )
        if compressed:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Vary"] = "Accept-Encoding"
    patch_cache_control(response, public=True, max_age=settings.TIMELINE_PUBLIC_MAX_AGE)
    return response


# The one page other sites may frame: `embeddable` lifts X-Frame-Options and the CSP frame-ancestors limit.
@require_GET
@embeddable  # outside the cache: the framing permission is set on every answer, stored or not
@cache_public_page
def embed(request: HttpRequest) -> HttpResponse:
    filterset = EventFilter(request.GET, queryset=Event.objects.published().for_list())
    shape = embeds.layout(request.GET)
    limit = min(shape.limit, EMBED_LIMIT)
    events = list(filterset.qs[: limit + 1])
    timeline_url = filterset.absolute_url(request)
    context = {
        "events": events[:limit],
        "more": len(events) > limit,
        "notes": filterset.notes + shape.notes,
        "timeline_url": timeline_url,
        "canonical_url": timeline_url,
    }
    return render(request, "timeline/embed.html", context)


# The builder: an author shapes the embed (dates, order, number of events, height) and copies its code. Its preview
# frames the embed, a page of this site: outside the cache, as the CSP header is set on every answer.
@require_GET
@csp_update({"frame-src": [SELF]})
@vary_on_headers(*VARYING_HEADERS)
@cache_public_page
def embed_builder(request: HtmxHttpRequest) -> HttpResponse:
    fragment = "embed-result" if request.htmx.target == "embed-result" else None
    filterset = EventFilter(request.GET)
    shape = embeds.layout(request.GET)
    query = urlencode(filterset.params() + shape.params)
    embed_url = request.build_absolute_uri(reverse("embed") + (f"?{query}" if query else ""))
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "shape": shape,
        "notes": filterset.notes + shape.notes,
        # The filters in force that the builder does not show as fields: carried along, shown as a list.
        "kept": filterset.params(start=None, end=None, sort=None),
        "active_filters": [active for active in facets.active_filters(filterset) if active["name"] != "dates"],
        "timeline_path": filterset.path(start=None, end=None, sort=None),
        "embed_url": embed_url,
        "code": embeds.code(embed_url, gettext("Timeline: Canada–U.S. relations"), shape.height, shape.autoheight),
        "fragment": fragment,
        "canonical_url": request.build_absolute_uri(reverse("embed_builder") + (f"?{query}" if query else "")),
    }
    template_name = "timeline/embed_builder.html" + (f"#{fragment}" if fragment else "")
    return no_store_if_fragment(render(request, template_name, context), fragment)
