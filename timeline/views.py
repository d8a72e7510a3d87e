"""The reader's pages. Every one starts from a published() queryset; each list page can answer htmx with a partial."""

import dataclasses
import math
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from timeline.caching import cache_public_page, cached_aggregate
from timeline.chart import density
from timeline.dates import MONTHS, Precision
from timeline.filters import EventFilter, active_filters
from timeline.models import Correction, Event, Involvement, Participant, Role, Source, Statement, Topic
from timeline.querysets import EventQuerySet, count_of, search_text

PAGE_SIZE = 50
# Paging stops at 5,000 events: past that, narrowing the filters helps more than paging, and each page further
# costs more (on PostgreSQL the list's correlated count subqueries are evaluated for every row OFFSET skips).
MAX_PAGES = 100
DETAIL_PAGE_SIZE = 50
PARTICIPANT_EVENTS_SHOWN = 20
INDEX_PAGE_SIZE = 100  # participants and sources per page of their indexes


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# Which partial of the timeline page answers which hx-target: the filter form swaps the results (and the facets,
# out of band); links that change the filters themselves (chart bars, removing a filter) swap the form too;
# "load more" swaps itself for the next page of events.
TIMELINE_PARTIALS = {"results": "results", "timeline": "timeline", "load-more": "more"}


def no_store_if_fragment(response: HttpResponse, fragment: str | None) -> HttpResponse:
    # A browser reopening a tab may show a cached response as the page; a bare fragment must never be that.
    if fragment:
        patch_cache_control(response, private=True, no_store=True)
    return response


def absolute(request: HttpRequest, path: str, params: list[tuple[str, str]] = ()) -> str:
    query = urlencode(list(params))
    return request.build_absolute_uri(f"{path}?{query}" if query else path)


def page_number(raw: str | None, last_page: int, notes: list[str], limit: int | None = None) -> int:
    """The requested page, or the nearest one that exists, with a note when it had to be changed."""
    if raw in (None, ""):
        return 1
    try:
        number = int(raw)
        if number < 1:
            raise ValueError
    except (TypeError, ValueError):
        shown = " ".join(str(raw).split())[:20]
        notes.append(f"Ignored the page \u201c{shown}\u201d: not a page number.")
        return 1
    if limit and number > limit and last_page > limit:
        notes.append(
            f"Showing the first {limit * PAGE_SIZE:,} events: narrow the filters or change the order to see others."
        )
        return limit
    if number > last_page:
        notes.append(f"There is no page {number:,}: showing the last page, {last_page}.")
        return last_page
    return number


# Timeline


@dataclasses.dataclass
class Row:
    """An event in the timeline, with the year and month headings that open before it, if any."""

    event: Event
    year_heading: str = ""
    month_heading: str = ""
    anchor: str = ""  # where a page of "load more" starts, for links and focus


def period_key(event: Event) -> tuple[int, int]:
    # An event known only to the year has no month: it gets a heading of its own rather than "January".
    return event.start_date.year, 0 if event.date_precision == Precision.YEAR else event.start_date.month


def rows_with_headings(events: list[Event], previous: Event | None = None, grouped: bool = True) -> list[Row]:
    rows = []
    for event in events:
        row = Row(event)
        if grouped:
            year, month = period_key(event)
            before = period_key(previous) if previous else None
            if before is None or before[0] != year:
                row.year_heading = str(year)
            if before != (year, month):
                row.month_heading = f"{MONTHS[month - 1]} {year}" if month else f"{year}, month not known"
        rows.append(row)
        previous = event
    return rows


def page_rows(events: EventQuerySet, page: int, grouped: bool, continuing: bool = False) -> list[Row]:
    """Page `page` of the events alone: a page URL shows that page, and "load more" appends it to what is shown.

    A page read on its own opens with its year and month headings. A page `continuing` the one above it (load more)
    fetches the event before it too, so that a month running on from there gets no second heading."""
    offset = (page - 1) * PAGE_SIZE
    if not (continuing and offset):
        return rows_with_headings(list(events[offset : offset + PAGE_SIZE]), grouped=grouped)
    previous, *shown = events[offset - 1 : offset + PAGE_SIZE]
    return rows_with_headings(shown, previous, grouped)


def timeline_url(params: list[tuple[str, str]]) -> str:
    """The timeline's relative URL for these filters: the bare path when there are none."""
    return "?" + urlencode(params) if params else reverse("event_list")


def with_page(params: list[tuple[str, str]], page: int) -> list[tuple[str, str]]:
    # Page 1 has no page parameter, so that it has one URL.
    return params + ([("page", str(page))] if page > 1 else [])


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
@cache_public_page
def event_list(request: HtmxHttpRequest) -> HttpResponse:
    fragment = TIMELINE_PARTIALS.get(request.htmx.target)
    filterset = EventFilter(request.GET)
    notes = filterset.notes
    events = filterset.qs.for_list()
    # The filters the totals depend on: neither the page nor the order changes them.
    counted = [(name, value) for name, value in filterset.canonical_params() if name != "sort"]

    total = cached_aggregate(request, "count", counted, events.count)
    last_page = max(1, math.ceil(total / PAGE_SIZE))
    page = page_number(request.GET.get("page"), last_page, notes, limit=MAX_PAGES)
    grouped = not filterset.relevance_sorted
    rows = page_rows(events, page, grouped, continuing=fragment == "more")
    if fragment == "more" and rows:
        rows[0].anchor = f"page-{page}"  # where the keyboard's focus goes once the page is appended
    first_shown = (page - 1) * PAGE_SIZE + 1

    params = filterset.canonical_params()
    previous_params = with_page(params, page - 1)
    filters = [
        {"label": label, "url": timeline_url([p for p in params if p != (name, value)])}
        for name, value, label in active_filters(filterset)
    ]
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "notes": notes,
        "rows": rows,
        "total": total,
        "page": page,
        "has_more": page < min(last_page, MAX_PAGES),
        "next_page": page + 1,
        # Where the reader is, when the events take more than a page: "Events 51–100 of 108".
        "position": {
            "first": f"{first_shown:,}", "last": f"{first_shown + len(rows) - 1:,}", "total": f"{total:,}"
        } if rows and last_page > 1 else None,
        "previous_page": {
            "url": timeline_url(previous_params),
            "absolute_url": absolute(request, reverse("event_list"), previous_params),
            "label": f"events {first_shown - PAGE_SIZE:,}\u2013{first_shown - 1:,}",
        } if page > 1 else None,
        "next_url": absolute(request, reverse("event_list"), with_page(params, page + 1)),
        "grouped": grouped,
        "fragment": fragment,
        "active_filters": filters,
        "canonical_url": absolute(request, reverse("event_list"), with_page(params, page)),
        "heading": ", ".join(f["label"] for f in filters),
        "page_title": "Events: " + ", ".join(f["label"] for f in filters) if filters else "Canada–U.S. relations",
        "facets_open": any(name in request.GET for name in EventFilter.FACETS),
    }
    if fragment != "more":
        context["facets"] = cached_aggregate(request, "facets", counted, filterset.facets)
        context["chart"] = cached_aggregate(request, "density", counted, lambda: density(filterset.qs))
    template_name = "timeline/event_list.html"
    if fragment:
        template_name += "#" + fragment
    return no_store_if_fragment(render(request, template_name, context), fragment)


# Events


@require_GET
@cache_public_page
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    roles = Prefetch("participant__roles", queryset=Role.objects.order_by("start", "attested_on"))
    event = get_object_or_404(
        Event.objects.published().prefetch_related(
            "topics",
            Prefetch("sources", queryset=Source.objects.order_by("published_on", "title")),
            Prefetch("involvements", queryset=Involvement.objects.select_related("participant").prefetch_related(roles)),
            Prefetch(
                "statements",
                queryset=Statement.objects.select_related("speaker").prefetch_related(
                    Prefetch("sources", queryset=Source.objects.order_by("published_on", "title"))
                ),
            ),
            Prefetch("corrections", queryset=Correction.objects.select_related("statement")),
        ),
        slug=slug,
    )
    published = Event.objects.published()
    same_day = Q(start_date=event.start_date)
    later = Q(start_date__gt=event.start_date) | same_day & (
        Q(importance__lt=event.importance) | Q(importance=event.importance, pk__gt=event.pk)
    )
    earlier = Q(start_date__lt=event.start_date) | same_day & (
        Q(importance__gt=event.importance) | Q(importance=event.importance, pk__lt=event.pk)
    )
    context = {
        "event": event,
        # The redundant bound on start_date lets the database walk the (status, start_date) index from this
        # event instead of filtering every published event (80 ms instead of 0.1 ms at 100,000 events).
        "previous_event": published.filter(earlier, start_date__lte=event.start_date).chronological(newest_first=True).only(
            "slug", "title", "start_date", "date_precision", "end_date", "end_precision", "approximate"
        ).first(),
        "next_event": published.filter(later, start_date__gte=event.start_date).chronological().only(
            "slug", "title", "start_date", "date_precision", "end_date", "end_precision", "approximate"
        ).first(),
        "canonical_url": absolute(request, event.get_absolute_url()),
    }
    return render(request, "timeline/event_detail.html", context)


# Participants


@require_GET
@cache_public_page
def participant_list(request: HttpRequest) -> HttpResponse:
    involved = Involvement.objects.filter(event__in=Event.objects.published())
    # A name search, best match first: on PostgreSQL close spellings match too ("Carny" finds Carney).
    q = search_text(request.GET.get("q", ""))
    participants = Participant.objects.public()
    participants = participants.search(q) if q else participants.order_by("name", "pk")
    participants = participants.annotate(event_count=count_of(involved, "participant", distinct="event"))
    notes: list[str] = []
    paginator = Paginator(participants, INDEX_PAGE_SIZE)
    number = page_number(request.GET.get("page"), paginator.num_pages, notes)
    params = ([("q", q)] if q else []) + ([("page", str(number))] if number > 1 else [])
    context = {
        "participant_page": paginator.page(number),
        "q": q,
        "notes": notes,
        "canonical_url": absolute(request, reverse("participant_list"), params),
    }
    return render(request, "timeline/participant_list.html", context)


@require_GET
@cache_public_page
def participant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    participant = get_object_or_404(
        Participant.objects.public().prefetch_related(
            Prefetch("roles", queryset=Role.objects.select_related("source").order_by("start", "attested_on"))
        ),
        slug=slug,
    )
    notes: list[str] = []
    statements = (
        Statement.objects.published().filter(speaker=participant).select_related("event", "speaker")
        .prefetch_related(Prefetch("sources", queryset=Source.objects.order_by("published_on", "title")))
    )
    paginator = Paginator(statements, DETAIL_PAGE_SIZE)
    number = page_number(request.GET.get("page"), paginator.num_pages, notes)
    statement_page = paginator.page(number)
    events = (
        Event.objects.published().filter(pk__in=Involvement.objects.filter(participant=participant).values("event_id"))
        .chronological(newest_first=True)
    )
    event_total = events.count()
    context = {
        "participant": participant,
        "statement_page": statement_page,
        "events": events[:PARTICIPANT_EVENTS_SHOWN],
        "event_total": event_total,
        "timeline_url": reverse("event_list") + "?" + urlencode({"participant": participant.slug}),
        "notes": notes,
        "canonical_url": absolute(
            request, participant.get_absolute_url(), [("page", str(number))] if number > 1 else []
        ),
    }
    return render(request, "timeline/participant_detail.html", context)


# Topics


@require_GET
@cache_public_page
def topic_list(request: HttpRequest) -> HttpResponse:
    topics = Topic.objects.public().annotate(
        event_count=Count("events", filter=Q(events__in=Event.objects.published()), distinct=True)
    ).order_by("name")
    context = {"topics": topics, "canonical_url": absolute(request, reverse("topic_list"))}
    return render(request, "timeline/topic_list.html", context)


@require_GET
@cache_public_page
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.public(), slug=slug)
    notes: list[str] = []
    events = (
        Event.objects.published()
        .filter(pk__in=Event.topics.through.objects.filter(topic=topic).values("event_id"))
        .for_list().chronological()
    )
    paginator = Paginator(events, PAGE_SIZE)
    number = page_number(request.GET.get("page"), paginator.num_pages, notes)
    event_page = paginator.page(number)
    context = {
        "topic": topic,
        "event_page": event_page,
        "rows": rows_with_headings(list(event_page.object_list)),
        "timeline_url": reverse("event_list") + "?" + urlencode({"topic": topic.slug}),
        "notes": notes,
        "canonical_url": absolute(request, topic.get_absolute_url(), [("page", str(number))] if number > 1 else []),
    }
    return render(request, "timeline/topic_detail.html", context)


# Sources


@require_GET
@cache_public_page
def source_list(request: HttpRequest) -> HttpResponse:
    """Every source the public timeline cites; a source cited only by drafts is not listed."""
    published = Event.objects.published()
    # Two IN subqueries (hashed once each) measured faster here than correlated EXISTS over every source.
    cited = Source.objects.filter(
        Q(pk__in=Event.sources.through.objects.filter(event__in=published).values("source_id"))
        | Q(pk__in=Statement.sources.through.objects.filter(statement__event__in=published).values("source_id"))
    )
    notes: list[str] = []
    sources = cited.order_by("publisher", "-published_on", "title").prefetch_related(
        Prefetch("events", queryset=published.chronological().only("slug", "title", "start_date"), to_attr="citing")
    )
    paginator = Paginator(sources, INDEX_PAGE_SIZE)
    number = page_number(request.GET.get("page"), paginator.num_pages, notes)
    source_page = paginator.page(number)
    context = {
        "source_page": source_page,
        "notes": notes,
        "canonical_url": absolute(request, reverse("source_list"), [("page", str(number))] if number > 1 else []),
    }
    return render(request, "timeline/source_list.html", context)

