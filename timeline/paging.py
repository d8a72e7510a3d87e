"""Paging for the reader's pages: which page a request asks for, the timeline's rows under their year and month
headings, where the reader is ("Events 51–100 of 108"), and the links to the pages around it.

Links carry only the parameters a page understands, so that nothing else a URL held is echoed back.
"""

import dataclasses
import datetime
import math
import re
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models.sql.where import WhereNode
from django.utils.text import capfirst
from django.utils.translation import gettext

from timeline import cards
from timeline.dates import Precision, format_date
from timeline.languages import number
from timeline.models import Event

# Events per page of the timeline and of a topic's page. 25 fill a phone's screen several times over and a
# desktop's twice; "Load more events" brings the next ones in place. 50 made a page twice the weight (160 kB of
# HTML at 100,000 events) and each computed page about 15 ms slower, in the cards and rows alone.
PAGE_SIZE = 25
# Paging stops at 5,000 events: past that, narrowing the filters helps more than paging, and each page further
# costs more (on PostgreSQL the list's correlated count subqueries are evaluated for every row OFFSET skips).
MAX_PAGES = 5000 // PAGE_SIZE


def page_number(raw: str | None, last_page: int, notes: list[str], limit: int | None = None) -> int:
    """The requested page, or the nearest one that exists, with a note when it had to be changed."""
    if raw in (None, ""):
        return 1
    try:
        requested = int(raw)
        if requested < 1:
            raise ValueError
    except (TypeError, ValueError):
        shown = " ".join(str(raw).split())[:20]
        notes.append(gettext("Ignored the page “%(page)s”: not a page number.") % {"page": shown})
        return 1
    if limit and requested > limit and last_page > limit:
        notes.append(
            gettext("Showing the first %(count)s events: narrow the filters or change the order to see others.")
            % {"count": number(limit * PAGE_SIZE)}
        )
        return limit
    if requested > last_page:
        notes.append(
            gettext("There is no page %(page)s: showing the last page, %(last)s.")
            % {"page": number(requested), "last": number(last_page)}
        )
        return last_page
    return requested


# Rows of events under headings


@dataclasses.dataclass
class Row:
    """An event in the timeline, with the year and month headings that open before it, if any."""

    event: Event
    year_heading: str = ""
    month_heading: str = ""
    anchor: str = ""  # where a page of "load more" starts, for links and focus
    card: str = ""  # the event's card, rendered (timeline/cards.py)


def period_key(event: Event) -> tuple[int, int]:
    # An event known only to the year has no month: it gets a heading of its own rather than "January".
    return event.start_date.year, 0 if event.date_precision == Precision.YEAR else event.start_date.month


# The lists' year headings are <h3> (templates include _event_rows.html with heading_level=3), month headings <h4>;
# a card's title is <h5> under them, or <h3> in a list without headings (ordered by relevance).
HEADING_LEVEL = 3


def rows_with_headings(events: list[Event], previous: Event | None = None, grouped: bool = True) -> list[Row]:
    """The events as rows under their year and month headings, each with its card."""
    rows = []
    for event in events:
        row = Row(event)
        if grouped:
            year, month = period_key(event)
            before = period_key(previous) if previous else None
            if before is None or before[0] != year:
                row.year_heading = str(year)
            if before != (year, month):
                row.month_heading = (
                    capfirst(format_date(event.start_date, Precision.MONTH))
                    if month
                    else gettext("%(year)s, month not known") % {"year": year}
                )
        rows.append(row)
        previous = event
    cards.attach(rows, HEADING_LEVEL + 2 if grouped else HEADING_LEVEL)
    return rows


# Where "load more" goes on from


@dataclasses.dataclass(frozen=True)
class Place:
    """Where an event stood in the timeline's order when a reader's page was loaded: its day, the precision its
    date is known to, its importance and its id. "Load more" goes on from the last event the reader has, rather than
    from a count of events, so that events published or unpublished above it since are neither repeated nor
    skipped; and its month's heading is not opened again, even if that event has since been unpublished."""

    start_date: datetime.date
    date_precision: str
    importance: int
    pk: int

    PATTERN = re.compile(r"(\d{4}-\d{2}-\d{2})\.(day|month|year)\.(\d{1,5})\.(\d{1,18})")

    @classmethod
    def of(cls, event: Event) -> "Place":
        return cls(event.start_date, event.date_precision, event.importance, event.pk)

    @classmethod
    def parse(cls, raw: str | None) -> "Place | None":
        """The place written by `str()`, or None for anything else (the count of events is then used)."""
        match = cls.PATTERN.fullmatch(raw or "")
        if not match:
            return None
        day, precision, importance, pk = match.groups()
        try:
            return cls(datetime.date.fromisoformat(day), precision, int(importance), int(pk))
        except ValueError:  # no such day: 2025-02-30
            return None

    def __str__(self) -> str:
        return f"{self.start_date.isoformat()}.{self.date_precision}.{self.importance}.{self.pk}"


# The timeline's pages


@dataclasses.dataclass
class TimelinePage:
    """One page of the timeline: its rows, and where it stands among `total` events."""

    number: int
    rows: list[Row]
    total: int
    # "Load more" found nothing more to add: events were unpublished since the reader's page was loaded.
    changed: bool = False
    # Whether events come after these, when "load more" read them from a place (otherwise worked out from the total).
    more: bool | None = None
    grouped: bool = True  # in the timeline's order (by relevance, the count of events is all there is to go on)

    @property
    def last_page(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))

    @property
    def place(self) -> Place | None:
        """Where "load more" goes on from: the last event shown, in a chronological list."""
        return Place.of(self.rows[-1].event) if self.rows and self.grouped else None

    @property
    def first_shown(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1

    @property
    def has_more(self) -> bool:
        if self.more is not None:
            return self.more and self.number < MAX_PAGES
        return self.number < min(self.last_page, MAX_PAGES)

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def position(self) -> dict | None:
        """Where the reader is, when the events take more than a page: "Events 51–100 of 108"."""
        if not self.rows or self.last_page == 1:
            return None
        last = self.first_shown + len(self.rows) - 1
        return {"first": number(self.first_shown), "last": number(last), "total": number(self.total)}

    @property
    def previous_label(self) -> str:
        return gettext("events %(first)s–%(last)s") % {
            "first": number(self.first_shown - PAGE_SIZE),
            "last": number(self.first_shown - 1),
        }


def page_of(items, start: int, stop: int) -> list:
    """Items `start` to `stop` of the queryset `items`, in their order, in one query that picks their ids first:
    the ids from the index of their order alone, then the page's rows in full, with whatever the queryset
    annotates and prefetches.

    Read in one step, a page made the database read in full every row before it: the events of a date range made
    PostgreSQL walk every event from the first in order, reading each whole row to test the day it ends (92 ms for
    2024 to 2026 at 100,000 events, 9 ms so), and page 1,800 of the API's events computed the statement and source
    counts of the 90,000 events before it (1.5 s)."""
    page = items.all()
    # Only the ids are filtered: the page's query reads those alone (with the filters again, PostgreSQL read every
    # event a search matched to find the page's 50 among them).
    page.query.where = WhereNode()
    return list(page.filter(pk__in=items.values("pk")[start:stop]))


class IdsFirst:
    """A queryset as a Paginator reads it: each page through `page_of`, its ids first. A page deep in a topic's
    events, read in one step, computed the statement and source counts of every event before it, and PostgreSQL
    walked the events in order testing each for the topic (page 200 of a topic's 5,562 at 100,000 events)."""

    ordered = True

    def __init__(self, items):
        self.items = items

    def count(self) -> int:
        return self.items.count()

    def __getitem__(self, index: slice) -> list:
        return page_of(self.items, index.start, index.stop)


def past_last(raw: str | None, last_page: int) -> bool:
    """Whether the page number `raw` is past `last_page`."""
    try:
        return int(raw) > last_page
    except (TypeError, ValueError):
        return False


def timeline_page(
    events,
    total: int | None,
    raw: str | None,
    notes: list[str],
    grouped: bool,
    continuing: bool,
    after: Place | None = None,
    newest_first: bool = False,
):
    """Page `raw` of the events alone: a page URL shows that page, and "load more" appends it to what is shown.

    A page read on its own opens with its year and month headings. A page `continuing` the one above it (load
    more) goes on from the `after` place the reader's last event stood at, in a chronological list (oldest or
    `newest_first`); without one (a list by relevance), it fetches the event before it too, so that a month running
    on from there gets no second heading. It marks where it starts, for the keyboard's focus. `total` may be None
    (not counted yet) for the first page, which does not depend on it: the caller sets it before rendering."""
    page = TimelinePage(1, [], total or 0, grouped=grouped)
    if continuing and after is not None and grouped:
        page = continued(events, page, raw, after, newest_first)
    elif total is None:
        page.rows = rows_with_headings(page_of(events, 0, PAGE_SIZE), grouped=grouped)
    else:
        page.number = page_number(raw, page.last_page, notes, limit=MAX_PAGES)
        if continuing and past_last(raw, page.last_page):
            # The last page again would repeat events the reader already has: nothing is appended, and the page
            # says why (templates/timeline/event_list.html).
            page.changed = True
            return page
        offset = (page.number - 1) * PAGE_SIZE
        if continuing and offset:
            previous, *shown = page_of(events, offset - 1, offset + PAGE_SIZE)
            page.rows = rows_with_headings(shown, previous, grouped)
        else:
            page.rows = rows_with_headings(page_of(events, offset, offset + PAGE_SIZE), grouped=grouped)
    if continuing and page.rows:
        page.rows[0].anchor = f"page-{page.number}"
    return page


def continued(events, page: TimelinePage, raw: str | None, after: Place, newest_first: bool) -> TimelinePage:
    """The events after `after`, numbered as page `raw` (the reader's range line counts on from there)."""
    page.number = page_number(raw, MAX_PAGES, [])
    # One more than a page says whether any follow, however the total has changed since.
    shown = page_of(events.past(after, newest_first), 0, PAGE_SIZE + 1)
    page.more = len(shown) > PAGE_SIZE
    page.rows = rows_with_headings(shown[:PAGE_SIZE], after)
    page.changed = not page.rows
    return page


# The indexes' pages (participants, sources, a participant's statements, a topic's events)


@dataclasses.dataclass
class Pages:
    """A page of an index, its notes, and links to the pages beside it that keep the index's own parameters."""

    page: Page
    notes: list[str]
    params: list[tuple[str, str]]

    def url(self, number: int) -> str:
        return "?" + urlencode([*self.params, ("page", str(number))])

    @property
    def previous_url(self) -> str:
        return self.url(self.page.previous_page_number())

    @property
    def next_url(self) -> str:
        return self.url(self.page.next_page_number())

    @property
    def canonical_params(self) -> list[tuple[str, str]]:
        """The parameters of this page's one URL: page 1 has no page parameter."""
        return self.params + ([("page", str(self.page.number))] if self.page.number > 1 else [])


def paginate(
    items, per_page: int, raw: str | None, params: list[tuple[str, str]] = (), count: int | None = None
) -> Pages:
    """Page `raw` of `items`, or the nearest page that exists (with a note saying so). `count`: how many items
    there are, where the caller knows it without counting them."""
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count  # a cached property: set, it is not counted again
    notes: list[str] = []
    number = page_number(raw, paginator.num_pages, notes)
    return Pages(paginator.page(number), notes, list(params))
