"""The density chart above the results: how many of the filtered events start in each month (or year).

Rendered on the server as SVG bars; each bar links to the same filters narrowed to its period.
"""

import dataclasses
import datetime

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from timeline.dates import Precision, format_date, format_range, period_end
from timeline.languages import number

MAX_MONTH_BINS = 36  # longer spans are shown by year
CHART_HEIGHT = 60  # SVG user units; the bars' heights are scaled to it
BAR_WIDTH = 10
BAR_GAP = 2


@dataclasses.dataclass
class Bin:
    start: datetime.date
    end: datetime.date
    label: str
    count: int
    x: int = 0
    height: float = 0.0

    @property
    def y(self) -> float:
        return CHART_HEIGHT - self.height

    @property
    def description(self) -> str:
        events = ngettext("%(count)s event", "%(count)s events", self.count) % {"count": number(self.count)}
        # Translators: a bar of the chart, e.g. "May 2025: 3 events".
        return gettext("%(period)s: %(events)s") % {"period": self.label, "events": events}


@dataclasses.dataclass
class Density:
    unit: str  # "month" or "year"
    bins: list[Bin]
    width: int
    height: int = CHART_HEIGHT
    bar_width: int = BAR_WIDTH

    @property
    def peak(self) -> int:
        return max(b.count for b in self.bins)

    @property
    def first(self) -> Bin:
        return self.bins[0]

    @property
    def last(self) -> Bin:
        return self.bins[-1]

    # What the chart says of itself, in words: its caption, its title, its table's headings.

    @property
    def per_unit(self) -> str:
        return gettext("Events per month") if self.unit == "month" else gettext("Events per year")

    @property
    def span(self) -> str:
        """The period the bars cover: "March–May 2025", "1987–2025"; "de mars à mai 2025"."""
        return format_range(self.first.start, self.unit, self.last.start, self.unit)

    @property
    def caption(self) -> str:
        return gettext("%(chart)s, %(span)s (by the date they start). Select a bar to narrow the dates to it.") % {
            "chart": self.per_unit,
            "span": self.span,
        }

    @property
    def title(self) -> str:
        if self.unit == "month":
            return gettext("Events per month, at most %(peak)s in one month") % {"peak": number(self.peak)}
        return gettext("Events per year, at most %(peak)s in one year") % {"peak": number(self.peak)}

    @property
    def unit_heading(self) -> str:
        return gettext("Month") if self.unit == "month" else gettext("Year")


def month_counts(events) -> dict[datetime.date, int]:
    """{first day of month: number of events starting in it}, in one grouped query."""
    rows = events.order_by().annotate(month=TruncMonth("start_date")).values("month").annotate(n=Count("pk"))
    counts: dict[datetime.date, int] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        counts[month] = counts.get(month, 0) + row["n"]
    return counts


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def density(events) -> Density | None:
    """Bins from the first to the last month with events, empty ones included, so gaps show as gaps."""
    counts = month_counts(events)
    if not counts:
        return None
    first, last = min(counts), max(counts)
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    bins = []
    if span <= MAX_MONTH_BINS:
        unit, month = "month", first
        while month <= last:
            label = capfirst(format_date(month, Precision.MONTH))
            bins.append(Bin(month, period_end(month, "month"), label, counts.get(month, 0)))
            month = next_month(month)
    else:
        unit = "year"
        per_year: dict[int, int] = {}
        for month, n in counts.items():
            per_year[month.year] = per_year.get(month.year, 0) + n
        for year in range(first.year, last.year + 1):
            bins.append(Bin(datetime.date(year, 1, 1), datetime.date(year, 12, 31), str(year), per_year.get(year, 0)))
    peak = max(b.count for b in bins)
    for index, b in enumerate(bins):
        b.x = index * (BAR_WIDTH + BAR_GAP)
        # Every non-empty period gets a visible bar, however small beside the peak.
        b.height = round(max(CHART_HEIGHT * b.count / peak, 2), 1) if b.count else 0
    return Density(unit=unit, bins=bins, width=len(bins) * (BAR_WIDTH + BAR_GAP) - BAR_GAP)
