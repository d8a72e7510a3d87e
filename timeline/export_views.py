"""Downloads of the filtered timeline (iCalendar, CSV, TimelineJS), the embeddable timeline and its builder.

Each takes the timeline's own GET parameters through its FilterSet, so an export holds exactly what the page
showed. A data download refuses an invalid parameter (400, naming it) rather than silently export more than was
asked for; the embed, a page for readers, ignores it with a note, as the timeline does.
"""

import functools
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from csp.constants import SELF
from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from timeline import embeds, exports, facets
from timeline.caching import VARYING_HEADERS, cache_public_page
from timeline.filters import EventFilter, refusals
from timeline.models import Event, Statement
from timeline.security import embeddable
from timeline.statement_filters import StatementFilter
from timeline.views import HtmxHttpRequest, no_store_if_fragment

EMBED_LIMIT = embeds.MAX_EVENTS  # the most events an embed lists


def invalid_parameters(filterset) -> HttpResponse | None:
    """A 400 naming each parameter the FilterSet could not use, or None when it could use them all."""
    refused = refusals(filterset.problems)
    if not refused:
        return None
    names = ", ".join(dict.fromkeys(parameter for parameter, _ in refused))
    lines = [f"{parameter}: {message}" for parameter, message in refused]
    title = gettext("Invalid parameter: %(names)s") % {"names": names}
    return HttpResponseBadRequest(title + "\n" + "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def download(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def published_events():
    return Event.objects.published().for_list()


def published_statements():
    return Statement.objects.published().for_list()


def data_download(filterset_class, rows):
    """A data download's view: `rows()` narrowed by the query through `filterset_class`, then written by the view
    (which receives the request and the rows); a 400 naming each parameter that could not be used instead."""

    def decorate(write: Callable[[HttpRequest, Iterable], HttpResponse]):
        @require_GET
        @cache_public_page
        @functools.wraps(write)
        def view(request: HttpRequest) -> HttpResponse:
            filterset = filterset_class(request.GET, queryset=rows())
            return invalid_parameters(filterset) or write(request, filterset.qs)

        return view

    return decorate


@data_download(EventFilter, published_events)
def events_ics(request: HttpRequest, events) -> HttpResponse:
    content = exports.events_ical(events, request.build_absolute_uri, name=gettext("Timeline: Canada–U.S. relations"))
    return download(content, "text/calendar; charset=utf-8", "timeline-events.ics")


@data_download(EventFilter, published_events)
def events_csv(request: HttpRequest, events) -> HttpResponse:
    content = exports.events_csv(events, request.build_absolute_uri)
    return download(content, "text/csv; charset=utf-8; header=present", "timeline-events.csv")


@data_download(StatementFilter, published_statements)
def statements_csv(request: HttpRequest, statements) -> HttpResponse:
    content = exports.statements_csv(statements, request.build_absolute_uri)
    return download(content, "text/csv; charset=utf-8; header=present", "timeline-statements.csv")


@data_download(EventFilter, published_events)
def events_timelinejs(request: HttpRequest, events) -> HttpResponse:
    data = exports.events_timelinejs(
        events,
        request.build_absolute_uri,
        title=gettext("Canada–U.S. relations"),
        description=gettext("Events from Timeline, each with its sources."),
    )
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_GET
@cache_public_page(parameters=())
def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """One event for a reader's calendar ("add to calendar" on its page): the same entry as in the downloads."""
    event = get_object_or_404(published_events(), slug=slug)
    content = exports.events_ical([event], request.build_absolute_uri, name=event.title)
    return download(content, "text/calendar; charset=utf-8", f"{event.slug}.ics")


# The one page other sites may frame: `embeddable` lifts X-Frame-Options and the CSP frame-ancestors limit.
@require_GET
@embeddable  # outside the cache: the framing permission is set on every answer, stored or not
@cache_public_page
def embed(request: HttpRequest) -> HttpResponse:
    filterset = EventFilter(request.GET, queryset=published_events())
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
        "active_filters": [
            active for active in facets.active_filters(filterset) if active["name"] not in ("start", "end")
        ],
        "timeline_path": filterset.path(start=None, end=None, sort=None),
        "embed_url": embed_url,
        "code": embeds.code(embed_url, gettext("Timeline: Canada–U.S. relations"), shape.height, shape.autoheight),
        "fragment": fragment,
        "canonical_url": request.build_absolute_uri(reverse("embed_builder") + (f"?{query}" if query else "")),
    }
    template_name = "timeline/embed_builder.html" + (f"#{fragment}" if fragment else "")
    return no_store_if_fragment(render(request, template_name, context), fragment)
