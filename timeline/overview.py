"""The overview above the results: how the filtered events spread over time, as periods a reader narrows into
(decades, then years, months and days) and widens back out of, with who held office above them.

A history of 170 years with most of its events in one year is unreadable on a linear axis, so each period is a
column of its own whatever its length, a run of empty periods is shortened to one gap, and the unit follows the
dates in force: a decade chosen shows its years, a year its months, a month its days; with no dates chosen, the
unit is the finest that shows the whole selection in at most MAX_COLUMNS columns. Every column with events links
to the timeline narrowed to it (start and end), the trail leads back out at every level, and the table beside it
lists only the periods with events.

The counts come from one grouped query (`period_counts`), cached per filter combination by the view; the office
holders (timeline/offices.py) from the roles, cached until the record changes; the rest is arithmetic on them.
"""

import dataclasses
import datetime
import functools
import math

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from timeline.dates import (
    DASH,
    Precision,
    format_date,
    format_decade,
    format_period,
    format_range,
    month_abbreviation,
    period_end,
)
from timeline.facets import Estimate
from timeline.languages import number
from timeline.offices import OFFICES, Office, Term

UNITS = ("decade", "year", "month", "day")
MAX_COLUMNS = 16  # without dates chosen, the finest unit that shows everything in this many columns
BAR_LEVELS = 10  # bar heights are drawn in this many steps (CSS classes bar-1 .. bar-10)
MAX_SPAN = 32  # a band's run covers at most this many columns (CSS classes span-1 .. span-32)


# The data: how many events start in each month (or each day), and the office holders


def period_counts(events, unit: str) -> dict[tuple[datetime.date, str], int]:
    """{(first day of the month, or the day, that events start in; their date precision): how many}, in one
    grouped query. `unit` is "day" when the overview shows days, else "month" (years and decades add months up).
    An event known only to its month or year is kept apart by its precision: no day or month is invented for it."""
    events = events.order_by()
    if unit == "day":
        rows = events.values("start_date", "date_precision").annotate(n=Count("pk"))
        return {(row["start_date"], row["date_precision"]): row["n"] for row in rows}
    rows = events.annotate(month=TruncMonth("start_date")).values("month", "date_precision").annotate(n=Count("pk"))
    counts: dict[tuple[datetime.date, str], int] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        key = (month, row["date_precision"])
        counts[key] = counts.get(key, 0) + row["n"]
    return counts


# Periods


def period_start(day: datetime.date, unit: str) -> datetime.date:
    if unit == "decade":
        # The calendar has no year 0: the first decade is years 1 to 9.
        return datetime.date(max(day.year - day.year % 10, datetime.MINYEAR), 1, 1)
    if unit == "year":
        return day.replace(month=1, day=1)
    if unit == "month":
        return day.replace(day=1)
    return day


def last_day(start: datetime.date, unit: str) -> datetime.date:
    if unit == "decade":
        return datetime.date(min(start.year + 9, 9999), 12, 31)
    if unit == "year":
        return period_end(start, Precision.YEAR)
    if unit == "month":
        return period_end(start, Precision.MONTH)
    return start


def following(start: datetime.date, unit: str) -> datetime.date | None:
    """The first day of the next period, or None past the last representable one."""
    end = last_day(start, unit)
    return None if end == datetime.date.max else end + datetime.timedelta(days=1)


def period_name(start: datetime.date, unit: str) -> str:
    """The period in full: "2020s" ("années 2020"), "2025", "May 2025", "6 May 2025"."""
    if unit == "decade":
        return format_decade(start)
    precision = {"year": Precision.YEAR, "month": Precision.MONTH}.get(unit, Precision.DAY)
    return capfirst(format_date(start, precision))


def column_label(start: datetime.date, unit: str) -> str:
    """The period as its narrow column shows it: "2020s", "2025", "May", "6"."""
    if unit == "decade":
        return format_decade(start, short=True)
    if unit == "year":
        return str(start.year)
    if unit == "month":
        return capfirst(month_abbreviation(start))
    return str(start.day)


def zoom_of(start: datetime.date | None, end: datetime.date | None) -> str | None:
    """The unit of the period the dates in force are exactly, if they are one: "decade", "year", "month", "day"."""
    if start is None or end is None:
        return None
    for unit in UNITS:
        if period_start(start, unit) == start and last_day(start, unit) == end:
            return unit
    return None


def counted_unit(start: datetime.date | None, end: datetime.date | None) -> str:
    """What `period_counts` must count for these dates: days when a month or a day is chosen, else months."""
    return "day" if zoom_of(start, end) in ("month", "day") else "month"


def events_label(count: int) -> str:
    return ngettext("%(count)s event", "%(count)s events", count) % {"count": number(count)}


@dataclasses.dataclass
class Holders:
    """Who held one office over a run of columns: `span` columns, and the terms (one per person)."""

    office: Office
    span: int
    terms: list[Term]

    @property
    def text(self) -> str:
        """Family names in the order they held the office, each once in a row: "Trump / Biden / Trump"."""
        names = [term.short_name for term in self.terms]
        return " / ".join(name for index, name in enumerate(names) if index == 0 or names[index - 1] != name)

    @property
    def description(self) -> str:
        return "; ".join(f"{term.name} ({term.tenure})" for term in self.terms)


@dataclasses.dataclass
class Column:
    """A period of the overview (`count` events start in it); or a gap, a run of periods without events; or the
    events of the parent period whose date is not known to this unit ("imprecise"); or the events begun before
    the dates in force that run on into them ("earlier", from `start` to the day before the dates in force)."""

    unit: str
    start: datetime.date
    end: datetime.date
    count: int = 0
    kind: str = "period"  # "period", "gap", "imprecise" or "earlier"
    level: int = 0  # bar height, 1 to BAR_LEVELS; 0 for no bar
    current: bool = False  # the very dates in force: choosing it would change nothing
    holders: dict[str, list[Term]] = dataclasses.field(default_factory=dict)
    url: str = ""  # the timeline narrowed to it, with the other filters in force (see `link`)

    @property
    def label(self) -> str:
        if self.kind == "gap":
            return "\u22ef"  # a midline ellipsis: the stretch left out
        if self.kind == "imprecise":
            return "?"
        if self.kind == "earlier":
            return "\u2039"  # a single angle quotation mark pointing back: before these dates
        return column_label(self.start, self.unit)

    @property
    def label_tail(self) -> str:
        """What a phone leaves out of the label, for room: the "s" of "1850s"."""
        if self.kind == "period" and self.unit == "decade":
            return self.label.removeprefix(str(self.start.year))
        return ""

    @property
    def label_head(self) -> str:
        return self.label.removesuffix(self.label_tail) if self.label_tail else self.label

    @property
    def name(self) -> str:
        if self.kind == "earlier":
            return gettext("Begun before %(date)s") % {"date": format_date(self.end + datetime.timedelta(days=1))}
        if self.kind == "imprecise":
            if self.unit == "day":
                return gettext("%(month)s, day not known") % {"month": period_name(self.start, "month")}
            return gettext("%(year)s, month not known") % {"year": self.start.year}
        if self.kind == "gap" and self.start != period_start(self.end, self.unit):
            first, last = period_name(self.start, self.unit), period_name(period_start(self.end, self.unit), self.unit)
            return f"{first}{DASH}{last}"
        return period_name(self.start, self.unit)

    @property
    def description(self) -> str:
        if self.kind == "earlier":
            following_day = format_date(self.end + datetime.timedelta(days=1))
            return ngettext(
                "%(count)s event begun before %(date)s", "%(count)s events begun before %(date)s", self.count
            ) % {"count": number(self.count), "date": following_day}
        if self.kind == "gap":
            return gettext("%(period)s: no events") % {"period": self.name}
        # Translators: a period of the overview, e.g. "May 2025: 3 events".
        return gettext("%(period)s: %(events)s") % {"period": self.name, "events": events_label(self.count)}

    @property
    def narrows(self) -> bool:
        """Whether choosing it narrows the timeline: a period with events, other than the dates in force."""
        return self.kind == "period" and self.count > 0 and not self.current


@dataclasses.dataclass
class Step:
    """A level of the trail: the dates it stands for (None for all dates) and what it is called."""

    label: str
    start: datetime.date | None
    end: datetime.date | None
    current: bool = False
    url: str = ""


# The widest count the columns are sized for: "≈ 12,000" is 8 characters, "≈ 120,000" 9.
WIDEST_COUNT = 10


@dataclasses.dataclass
class Overview:
    unit: str
    columns: list[Column]
    trail: list[Step]
    bands: list[tuple[Office, list[Holders]]]
    first: datetime.date  # the first and last days events were counted on
    last: datetime.date
    years: list[Step] = dataclasses.field(default_factory=list)  # every year with events, whatever the dates

    def link(self, url) -> "Overview":
        """Give each column, step of the trail and year its link, `url(start=..., end=...)`."""
        for item in (*self.columns, *self.trail, *self.years):
            item.url = url(start=item.start, end=item.end)
        return self

    @property
    def rows(self) -> list[tuple[Column, list[str]]]:
        """The table's rows: each column with events, and who held each office in the bands then."""
        return [
            (column, [", ".join(dict.fromkeys(t.name for t in column.holders[office.key])) for office, _ in self.bands])
            for column in self.columns
            if column.count
        ]

    @property
    def year_links(self) -> list[tuple[str, str, bool]]:
        """(label, url, current) of each year: plain values, which the template prints for some 170 years without
        looking each attribute up in turn."""
        return [(year.label, year.url, year.current) for year in self.years]

    @property
    def table_caption(self) -> str:
        return gettext("%(chart)s (by the date they start)") % {"chart": self.per_unit}

    @property
    def per_unit(self) -> str:
        return {
            "decade": gettext("Events per decade"),
            "year": gettext("Events per year"),
            "month": gettext("Events per month"),
            "day": gettext("Events per day"),
        }[self.unit]

    @property
    def unit_heading(self) -> str:
        return {
            "decade": gettext("Decade"),
            "year": gettext("Year"),
            "month": gettext("Month"),
            "day": gettext("Day"),
        }[self.unit]

    @property
    def span(self) -> str:
        """The dates of the events counted: "1854–2026", "January–December 2025", "6–28 May 2025"."""
        precision = {"day": Precision.DAY, "month": Precision.MONTH}.get(self.unit, Precision.YEAR)
        return format_range(self.first, precision, self.last, precision)

    @property
    def caption(self) -> str:
        return f"{self.per_unit}, {self.span}."  # "Events per decade, 1854–2026.": alike in both languages

    @property
    def has_bands(self) -> bool:
        return any(holders.terms for _, row in self.bands for holders in row)

    @functools.cached_property
    def count_width(self) -> int:
        """The characters of the widest count written above a bar, up to WIDEST_COUNT: the columns are made as wide
        (timeline.css, .count-5 and up), where "12,345" in a phone's narrow column ran into the next one."""
        return min(max((len(number(column.count)) for column in self.columns if column.count), default=0), WIDEST_COUNT)


def _unit_for(counts: dict[tuple[datetime.date, str], int], zoom: str | None) -> str:
    if zoom:
        return UNITS[min(UNITS.index(zoom) + 1, len(UNITS) - 1)]
    days = [day for day, _precision in counts]
    first, last = min(days), max(days)
    if last.year == first.year:
        return "month"
    if last.year - first.year < MAX_COLUMNS:
        return "year"
    return "decade"


def _columns(counts: dict[tuple[datetime.date, str], int], unit: str) -> list[Column]:
    """One column per period from the first to the last with events, runs of empty ones shortened to one gap;
    events whose date is not known to the unit first, in a column of their own."""
    finer = {"month": Precision.YEAR, "day": Precision.MONTH}.get(unit)
    per_period: dict[datetime.date, int] = {}
    imprecise: dict[datetime.date, int] = {}
    # The counts come per month (thousands of them over the centuries): a year's or decade's start is worked out
    # once per year.
    starts: dict[int, datetime.date] = {}
    by_year = unit in ("year", "decade")
    for (day, precision), n in counts.items():
        if unit == "month" and precision == Precision.YEAR or unit == "day" and precision != Precision.DAY:
            parent = period_start(day, "year" if unit == "month" else "month")
            imprecise[parent] = imprecise.get(parent, 0) + n
            continue
        if by_year:
            start = starts.get(day.year)
            if start is None:
                start = starts[day.year] = period_start(day, unit)
        else:
            start = period_start(day, unit)
        per_period[start] = per_period.get(start, 0) + n
    columns = [
        Column(unit, start, last_day(start, "year" if finer == Precision.YEAR else "month"), n, "imprecise")
        for start, n in sorted(imprecise.items())
    ]
    if per_period:
        current, last = min(per_period), max(per_period)
        gap: Column | None = None
        while current is not None and current <= last:
            if current in per_period:
                gap = None
                columns.append(Column(unit, current, last_day(current, unit), per_period[current]))
            elif gap is None:
                gap = Column(unit, current, last_day(current, unit), kind="gap")
                columns.append(gap)
            else:
                gap.end = last_day(current, unit)
            current = following(current, unit)
    _scale(columns)
    return columns


def _scale(columns: list[Column]) -> None:
    peak = max((column.count for column in columns), default=0)
    for column in columns:
        if column.count:
            # The square root keeps one event visible beside sixty; the count itself is written above the bar.
            column.level = max(1, round(BAR_LEVELS * math.sqrt(column.count / peak)))


def _trail(start: datetime.date | None, end: datetime.date | None, zoom: str | None) -> list[Step]:
    steps = [Step(gettext("All dates"), None, None, current=start is None and end is None)]
    if zoom:
        for unit in UNITS[: UNITS.index(zoom) + 1]:
            first = period_start(start, unit)
            steps.append(Step(period_name(first, unit), first, last_day(first, unit), current=unit == zoom))
    elif start or end:
        steps.append(Step(format_period(start, end), start, end, current=True))
    return steps


def _bands(columns: list[Column], terms: list[Term]) -> list[tuple[Office, list[Holders]]]:
    """For each office with a holder in view, runs of columns held by the same people."""
    bands = []
    for office in OFFICES:
        of_office = [term for term in terms if term.office == office.key]
        row: list[Holders] = []
        for column in columns:
            held = [term for term in of_office if term.overlaps(column.start, column.end)]
            column.holders[office.key] = held
            if row and row[-1].terms == held and row[-1].span < MAX_SPAN:
                row[-1].span += 1
            else:
                row.append(Holders(office, 1, held))
        if any(holders.terms for holders in row):
            bands.append((office, row))
    return bands


def year_steps(counts: dict[tuple[datetime.date, str], int], start, end) -> list[Step]:
    """Each year with events among `counts` (the selection without its dates), as a way to go straight to it."""
    steps = []
    for year in sorted({day.year for day, _precision in counts}):
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        steps.append(Step(str(year), first, last, current=(first, last) == (start, end)))
    return steps


def overview(
    counts: dict[tuple[datetime.date, str], int],
    terms: list[Term],
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    undated: dict[tuple[datetime.date, str], int] | None = None,
) -> Overview | None:
    """The overview of events counted by `period_counts` (for `counted_unit(start, end)`), the dates in force being
    `start` and `end`; None when there are no events. `undated` counts the same selection without its dates (by
    month): the years a reader may go to."""
    if not counts:
        return None
    estimated = any(isinstance(n, Estimate) for n in counts.values())
    # Events that began before the dates in force and run on into them: counted apart, at the start.
    earlier = {key: n for key, n in counts.items() if start and key[0] < start}
    within = {key: n for key, n in counts.items() if key not in earlier}
    zoom = zoom_of(start, end)
    unit = _unit_for(within or counts, zoom)
    columns = _columns(within, unit)
    if earlier:
        first = min(day for day, _precision in earlier)
        columns.insert(0, Column(unit, first, start - datetime.timedelta(days=1), sum(earlier.values()), "earlier"))
        _scale(columns)
    for column in columns:
        column.current = (column.start, column.end) == (start, end)
        if estimated:  # the sums of estimates are estimates
            column.count = Estimate(column.count)
    return Overview(
        unit=unit,
        columns=columns,
        trail=_trail(start, end, zoom),
        bands=_bands(columns, terms),
        first=min(day for day, _precision in within or earlier),
        last=max(day for day, _precision in within or earlier),
        years=year_steps(counts if undated is None else undated, start, end),
    )
