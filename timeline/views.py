"""The reader's pages. Every one starts from a published() queryset; the timeline also answers htmx with a partial.

Parameters are the FilterSet's business (timeline/filters.py), facets timeline/facets.py's, paging
timeline/paging.py's, and what is cached under which key timeline/caching.py's: a view puts them together.
"""

from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext, ngettext, pgettext
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from timeline import alongside, cards, citations, eventkeys, facets, offices, overview, paging, previews, statementkeys
from timeline.caching import VARYING_HEADERS, cache_public_page, cached_aggregate
from timeline.dates import Precision, format_range
from timeline.filters import EventFilter
from timeline.languages import number
from timeline.models import (
    Correction,
    Event,
    Involvement,
    Participant,
    Role,
    Source,
    Statement,
    Topic,
)
from timeline.paging import Place, paginate, rows_with_headings, timeline_page
from timeline.querysets import BestFirst, NameOrder, localized
from timeline.search import search_text
from timeline.statement_filters import StatementListFilter
from timeline.structured_data import json_ld_script, statement_data
from timeline.text import printable

DETAIL_PAGE_SIZE = 50  # statements per page of a participant's page
PARTICIPANT_EVENTS_SHOWN = 20
INDEX_PAGE_SIZE = 100  # participants per page of their index
# Publishers per page of the sources' index: each comes with all its sources (about five on average at 100,000
# events), so a page of fifty is already some 250 sources, about 150 kB.
SOURCE_PAGE_SIZE = 50


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def no_store_if_fragment(response: HttpResponse, fragment: str | None) -> HttpResponse:
    # A browser reopening a tab may show a cached response as the page; a bare fragment must never be that.
    if fragment:
        patch_cache_control(response, private=True, no_store=True)
    return response


def absolute(request: HttpRequest, path: str, params: list[tuple[str, str]] = ()) -> str:
    query = urlencode(list(params))
    return request.build_absolute_uri(f"{path}?{query}" if query else path)


# Timeline

# The timeline page's partials, each named after the hx-target that asks for it: the filter form swaps the
# results (and the facets, out of band); links that change the filters themselves (overview periods, removing a
# filter) swap the form too; "load more" swaps itself for the next page of events.
TIMELINE_PARTIALS = ("results", "timeline", "load-more")


@require_GET
@vary_on_headers(*VARYING_HEADERS)
@cache_public_page(parameters=(*EventFilter.base_filters, "page", "after"))
def event_list(request: HtmxHttpRequest) -> HttpResponse:
    fragment = request.htmx.target if request.htmx.target in TIMELINE_PARTIALS else None
    filterset = EventFilter(request.GET)
    events = filterset.qs.for_list(q=filterset.cleaned.get("q") or "")
    notes = filterset.notes
    grouped = not filterset.relevance_sorted
    continuing, after = fragment == "load-more", Place.parse(request.GET.get("after"))
    raw_page = request.GET.get("page")
    # The counts (SQL, mostly) are read alongside the page's events (Python, mostly) where they are counted and the
    # page does not depend on them: not with no filter in force (they are kept, and read), not for a page number
    # (checked against the total first), nor for "load more" (whose only count, the total, is one read).
    in_turn = continuing or raw_page not in (None, "") or not facets.in_force_but(filterset, "")
    counting = alongside.start(lambda: timeline_counts(filterset, fragment), in_turn=in_turn)
    page = timeline_page(
        events,
        counting.result()[1] if in_turn else None,
        raw_page,
        notes,
        grouped,
        continuing=continuing,
        after=after,
        newest_first=filterset.cleaned.get("sort") == "newest",
    )
    aggregates, page.total = counting.result()
    active_filters = facets.active_filters(filterset)
    heading = ", ".join(active["label"] for active in active_filters)
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "notes": notes,
        "page": page,
        "grouped": grouped,
        "fragment": fragment,
        "active_filters": active_filters,
        "heading": heading,
        "page_title": gettext("Events: %(filters)s") % {"filters": heading}
        if heading
        else gettext("Canada–U.S. relations"),
        "description": timeline_description(heading),
        "canonical_url": filterset.absolute_url(request, page=page.number),
        # What the folded filters hold, for the control that unfolds them: every filter in force but the search,
        # which stays in sight, and the order, which filters nothing.
        "filter_count": sum(1 for name, _ in filterset.params() if name not in ("q", "sort")),
    }
    context.update(aggregates, estimated=facets.estimated(aggregates.get("facets", {}), aggregates.get("overview")))
    template_name = "timeline/event_list.html"
    if fragment:
        template_name += "#" + fragment
    return no_store_if_fragment(render(request, template_name, context), fragment)


def timeline_counts(filterset, fragment: str | None) -> tuple[dict, int]:
    """The page's facets and overview (none for "load more", which shows neither) and the total of its events."""
    aggregates = {}
    if fragment != "load-more":
        # Before the total, which reads the counts the facets and the overview take together (facets.shared_counts).
        aggregates["facets"] = cached_aggregate("facets", filterset.selection(), lambda: facets.facets(filterset))
        aggregates["overview"] = timeline_overview(filterset)
    total = cached_aggregate("count", filterset.selection(), lambda: facets.total(filterset))
    return aggregates, total


def timeline_description(heading: str) -> str:
    """The timeline's description, in search results and shared links: what it holds, and the filters in force."""
    description = gettext(
        "Canada–U.S. relations event by event: what happened, who said what, and the sources for every line."
    )
    return description + (" " + gettext("Filtered: %(heading)s.") % {"heading": heading} if heading else "")


def timeline_overview(filterset) -> overview.Overview | None:
    """The overview of the selected events over time: their counts are kept per filter combination, the office
    holders until the record changes."""
    start, end = filterset.cleaned.get("start"), filterset.cleaned.get("end")
    unit = overview.counted_unit(start, end)
    # Months are read from the published events' facet keys; the days of one month or day, from its few events.
    counts = cached_aggregate(
        "overview",
        filterset.selection(),
        lambda: facets.month_counts(filterset) if unit == "month" else overview.period_counts(filterset.qs, unit),
    )
    terms = cached_aggregate("office terms", (), lambda: offices.office_terms(offices.office_roles()), public=True)
    undated = None
    if start or end:
        # The years to go to are those of the same filters without the dates: the overview's counts of that page.
        others = filterset.without_dates()
        undated = cached_aggregate("overview", others.selection(), lambda: facets.month_counts(others, together=False))
    found = overview.overview(counts, terms, start, end, undated)
    return found and found.link(filterset.url_maker("start", "end"))


# Events


@require_GET
@cache_public_page(parameters=())
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    sources = Source.objects.in_reading_order()
    roles = Prefetch("participant__roles", queryset=Role.objects.order_by("start", "attested_on"))
    event = get_object_or_404(
        Event.objects.published().prefetch_related(
            "topics",
            Prefetch("sources", queryset=sources),
            Prefetch(
                "involvements", queryset=Involvement.objects.select_related("participant").prefetch_related(roles)
            ),
            Prefetch("statements", queryset=Statement.objects.for_list(reading_order=True)),
            Prefetch("corrections", queryset=Correction.objects.select_related("statement")),
        ),
        slug=slug,
    )
    context = {
        "event": event,
        "statements": cards.statement_items(event.statements.all()),
        "sources": cards.source_items(event.sources.all()),
        "previous_event": Event.objects.published().before(event),
        "next_event": Event.objects.published().after(event),
        "canonical_url": absolute(request, event.get_absolute_url()),
    }
    return render(request, "timeline/event_detail.html", context)


# Statements: who said what


STATEMENT_PAGE_SIZE = 50


@require_GET
@vary_on_headers(*VARYING_HEADERS)
@cache_public_page(parameters=(*StatementListFilter.base_filters, "page"))
def statement_list(request: HtmxHttpRequest) -> HttpResponse:
    """Every public statement, filtered as the timeline is: the filter form swaps the results (and the facets, out
    of band) through htmx, and works as a plain GET form without it."""
    fragment = "results" if request.htmx.target == "results" else None
    filterset = StatementListFilter(request.GET)
    raw_page = request.GET.get("page")
    # Best match first, the first page's ids are ranked on a second connection (timeline/alongside.py) while the
    # search's matches are read on this one.
    best_first, ahead = facets.statements_best_first(filterset), None
    if best_first:
        q, profiles = filterset.cleaned["q"], facets.searched_profiles(filterset, "")
        if raw_page in (None, ""):
            ahead = BestFirst.rank_ahead(q, profiles, STATEMENT_PAGE_SIZE, filterset.queryset.db)
    # Under a search (and at most speakers, topics, languages and kinds), the total is how many statements its
    # matches hold, known once they are read: the facets are then counted alongside the page's statements, as the
    # timeline's are. Otherwise the facets come first, and the total is read from their counts.
    searched = facets.statements_searched(filterset, "") is not None
    counting = alongside.start(lambda: facets.statement_facets(filterset), in_turn=not searched)
    total = facets.statement_total(filterset)
    statements = filterset.qs.for_list(reading_order=True)
    if best_first:
        statements = statements.best_first(q, profiles, total, ahead)
    elif (listed := facets.statements_listed(filterset)) is not None and not filterset.relevance_sorted:
        # The page's ids first, walked from the index of the order said, then its statements (ListedByIds).
        newest_first = filterset.cleaned.get("sort") == "newest"
        statements = statements.listed(listed, newest_first, said=facets.said_range(filterset))
    elif (dated := facets.statements_dated(filterset, "")) is not None and (stretch := dated.in_order()) is not None:
        # A topic's within a range of days: the page's ids read from their keys in the order said (KeyedInOrder).
        statements = statements.keyed_in_order(stretch, total, filterset.cleaned.get("sort") == "newest")
    else:
        # The page's ids first (paging.IdsFirst): read in one step, each statement before the page was joined to its
        # event and speaker and highlighted (at 100,000 events, page 80 of a word most statements have: 71 → 13 ms).
        statements = paging.IdsFirst(statements)
    pages = paginate(statements, STATEMENT_PAGE_SIZE, raw_page, filterset.params(), count=total)
    items = cards.statement_items(pages.page)
    statement_facets = counting.result()
    active_filters = facets.active_filters(filterset, facets.STATEMENT_ACTIVE_LABELS)
    heading = ", ".join(active["label"] for active in active_filters)
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "notes": filterset.notes + pages.notes,
        "statement_page": pages.page,
        "statements": items,
        "pages": pages,
        "total": pages.page.paginator.count,
        "facets": statement_facets,
        "estimated": facets.estimated(statement_facets),
        "active_filters": active_filters,
        "fragment": fragment,
        "page_title": gettext("Statements: %(filters)s") % {"filters": heading}
        if heading
        else gettext("Who said what"),
        "canonical_url": filterset.absolute_url(request, page=pages.page.number),
        "filter_count": sum(1 for name, _ in filterset.params() if name not in ("q", "sort")),
    }
    template_name = "timeline/statement_list.html"
    if fragment:
        template_name += "#" + fragment
    return no_store_if_fragment(render(request, template_name, context), fragment)


@require_GET
@cache_public_page(parameters=())
def statement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A statement's own page: the words, who said them with the role held then, the event, the sources, and a
    citation to copy."""
    roles = Prefetch("speaker__roles", queryset=Role.objects.order_by("start", "attested_on"))
    statement = get_object_or_404(
        Statement.objects.published().for_list(reading_order=True).prefetch_related(roles), slug=slug
    )
    url = absolute(request, statement.get_absolute_url())
    role = statement.speaker_role()
    context = {
        "statement": statement,
        "role": role,
        "role_note": role.note_during(*statement.period) if role else "",
        "sources": cards.source_items(statement.sources.all()),
        "citation": citations.cite(statement, url),
        "json_ld": json_ld_script(statement_data(statement, request.build_absolute_uri)),
        "more_url": StatementListFilter.link(speaker=[statement.speaker]),
        "canonical_url": url,
    }
    return render(request, "timeline/statement_detail.html", context)


# Link previews: the image a shared link shows, per event and for the timeline (timeline/previews.py).


def preview_response(title: str, date: str, people: list[str]) -> HttpResponse:
    site = f"{pgettext('site name', 'Timeline')} · {gettext('Canada–U.S. relations')}"
    with_people = f"{pgettext('the participants in an event', 'With')} {', '.join(people)}" if people else ""
    return HttpResponse(previews.preview(title, date, with_people, site), content_type="image/png")


@require_GET
@cache_public_page(parameters=())
def event_preview(request: HttpRequest, slug: str) -> HttpResponse:
    involvements = Prefetch("involvements", queryset=Involvement.objects.select_related("participant"))
    event = get_object_or_404(Event.objects.published().prefetch_related(involvements), slug=slug)
    people = list(dict.fromkeys(involvement.participant.name for involvement in event.involvements.all()))
    return preview_response(event.title, f"{event.date_display} · {event.get_event_type_display()}", people)


@require_GET
@cache_public_page(parameters=())
def timeline_preview(request: HttpRequest) -> HttpResponse:
    """The timeline's: how many events over which years, with whom most often. The same aggregates as the
    unfiltered timeline's page, so usually read from its cache."""
    filterset = EventFilter()
    total = cached_aggregate("count", filterset.selection(), lambda: facets.total(filterset))
    months = cached_aggregate("overview", filterset.selection(), lambda: facets.month_counts(filterset))
    choices = cached_aggregate("facets", filterset.selection(), lambda: facets.facets(filterset))
    days = [day for day, _precision in months]
    span = format_range(min(days), Precision.YEAR, max(days), Precision.YEAR) if days else ""
    counted = ngettext("%(count)s event", "%(count)s events", total) % {"count": number(total)}
    date = f"{counted}, {span}" if span else counted
    return preview_response(gettext("Canada–U.S. relations"), date, [c.label for c in choices["participant"][:4]])


# Participants


@require_GET
@cache_public_page(parameters=("q", "page"))
def participant_list(request: HttpRequest) -> HttpResponse:
    # A name search, best match first: on PostgreSQL close spellings match too ("Carny" finds Carney).
    q = search_text(request.GET.get("q", ""))
    participants = Participant.objects.public()
    participants = participants.search(q) if q else participants.order_by(NameOrder("name"), "pk")
    pages = paginate(
        participants.with_event_counts(), INDEX_PAGE_SIZE, request.GET.get("page"), [("q", q)] if q else []
    )
    context = {
        "participant_page": pages.page,
        "pages": pages,
        "q": q,
        "notes": pages.notes,
        "canonical_url": absolute(request, reverse("participant_list"), pages.canonical_params),
    }
    return render(request, "timeline/participant_list.html", context)


@require_GET
@cache_public_page(parameters=("page",))
def participant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    participant = get_object_or_404(
        Participant.objects.public().prefetch_related(
            Prefetch("roles", queryset=Role.objects.select_related("source").order_by("start", "attested_on"))
        ),
        slug=slug,
    )
    statements = Statement.objects.published().filter(speaker=participant).for_list(reading_order=True)
    # The totals are the ones the database keeps (a participant in 2,000 events took 20 ms to count each).
    said = statementkeys.kept_count(statementkeys.SPEAKER, participant.pk)
    pages = paginate(statements, DETAIL_PAGE_SIZE, request.GET.get("page"), count=said)
    events = Event.objects.published().involving([participant]).chronological(newest_first=True)
    context = {
        "participant": participant,
        "statement_page": pages.page,
        "statements": cards.statement_items(pages.page),
        "pages": pages,
        "events": events[:PARTICIPANT_EVENTS_SHOWN],
        "event_total": eventkeys.kept_count(eventkeys.PARTICIPANT, participant.pk),
        "timeline_url": EventFilter.link(participant=participant),
        "notes": pages.notes,
        "canonical_url": absolute(request, participant.get_absolute_url(), pages.canonical_params),
    }
    return render(request, "timeline/participant_detail.html", context)


# Topics


@require_GET
@cache_public_page(parameters=())
def topic_list(request: HttpRequest) -> HttpResponse:
    context = {
        "topics": Topic.objects.with_event_counts().order_by(NameOrder(localized("name")), "pk"),
        "canonical_url": absolute(request, reverse("topic_list")),
    }
    return render(request, "timeline/topic_list.html", context)


@require_GET
@cache_public_page(parameters=("page",))
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.public(), slug=slug)
    # The page's ids first (paging.IdsFirst), from the topic's keys with their days (walked in order for a first
    # page, joined and sorted for a deep one), and the total as the database keeps it: read in one step, page 200
    # of a topic's 5,562 events took 90 ms at 100,000 events.
    events = Event.objects.published().keyed_between(eventkeys.TOPIC, [topic.pk], None, None)
    events = events.for_list().chronological()
    total = eventkeys.kept_count(eventkeys.TOPIC, topic.pk)
    pages = paginate(paging.IdsFirst(events), paging.PAGE_SIZE, request.GET.get("page"), count=total)
    context = {
        "topic": topic,
        "event_page": pages.page,
        "pages": pages,
        "rows": rows_with_headings(list(pages.page.object_list)),
        "timeline_url": EventFilter.link(topic=topic),
        "notes": pages.notes,
        "canonical_url": absolute(request, topic.get_absolute_url(), pages.canonical_params),
    }
    return render(request, "timeline/topic_detail.html", context)


# Sources

KIND_COUNTS = {
    Source.Kind.PRIMARY: lambda n: ngettext("%(count)s primary document", "%(count)s primary documents", n),
    Source.Kind.TRANSCRIPT: lambda n: ngettext("%(count)s transcript", "%(count)s transcripts", n),
    Source.Kind.WIRE: lambda n: ngettext("%(count)s wire service report", "%(count)s wire service reports", n),
    Source.Kind.NEWS: lambda n: ngettext("%(count)s news report", "%(count)s news reports", n),
    Source.Kind.OTHER: lambda n: ngettext("%(count)s other source", "%(count)s other sources", n),
}


@require_GET
@cache_public_page(parameters=("page",))
def source_list(request: HttpRequest) -> HttpResponse:
    """Every source the public timeline cites, under its publisher: publishers in alphabetical order whatever the
    case of their names, each once with its count, and its sources primary documents first. A source cited only
    by drafts is not listed. A page holds SOURCE_PAGE_SIZE publishers, so that none is split between two pages."""
    # The publishers and their counts are kept by the database (timeline/eventkeys.py): a page reads its own.
    every_publisher = eventkeys.Publishers()
    pages = paginate(every_publisher, SOURCE_PAGE_SIZE, request.GET.get("page"))
    publishers = pages.page.object_list
    citing = Event.objects.published().chronological().only("slug", "title", "start_date")
    sources = (
        Source.objects.cited()
        .with_publisher_key()
        .filter(publisher_key__in=[publisher["publisher_key"] for publisher in publishers])
        .with_publisher_name()
        .in_reading_order()
        .prefetch_related(Prefetch("events", queryset=citing, to_attr="citing"))
    )
    by_publisher = defaultdict(list)
    names = {}
    for source in sources:
        by_publisher[source.publisher_key].append(source)
        names[source.publisher_key] = source.publisher_name
    for publisher in publishers:
        # Read as values, past the models' own cleaning of what they load (timeline.text).
        name = names.get(publisher["publisher_key"], "")
        publisher["name"] = name and printable(name)
        publisher["sources"] = cards.source_items(by_publisher[publisher["publisher_key"]])
    kinds = every_publisher.totals()
    context = {
        "source_page": pages.page,
        "publishers": publishers,
        "source_count": every_publisher.sources(),
        "kinds": [KIND_COUNTS[kind](n) % {"count": n} for kind in Source.Kind.values if (n := kinds.get(kind))],
        "pages": pages,
        "notes": pages.notes,
        "canonical_url": absolute(request, reverse("source_list"), pages.canonical_params),
    }
    return render(request, "timeline/source_list.html", context)
