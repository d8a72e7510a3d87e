"""The timeline's filters: the one place that says which GET parameters exist and what they mean.

The parameter names are part of every shared link, of the API and of the exports; keep them stable:

    q               free text; PostgreSQL full-text search in websearch syntax, elsewhere every word must match
    start, end      a date range, YYYY-MM-DD, YYYY-MM or YYYY (start takes the first day, end the last day);
                    an event counts if any part of it falls inside the range
    participant     participant slugs, repeatable: events involving any of them
    topic           topic slugs, repeatable: events on any of them
    type            event types (Event.Type values), repeatable
    country         ISO 3166 alpha-2 codes, repeatable: events with a participant from any of them
    has_statements  "yes" or "no"
    sort            "" (oldest first, the default), "newest" or "relevance" (best match first; needs q)

Different parameters narrow each other (AND); the values of one parameter widen (OR). A malformed or unknown
value never fails the request: it is dropped, the rest still applies, and `notes` says what was ignored.
"""

import calendar
import dataclasses
import datetime
import re

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections
from django.db.models import Count, Exists, F, OuterRef
from django.forms.utils import ErrorDict

from timeline.dates import MONTHS
from timeline.models import Event, Involvement, Participant, Statement, Topic

SEARCH_MAX_LENGTH = 200
MAX_VALUES = 20  # per repeatable parameter
FACET_LIMIT = 12  # choices shown per facet, besides the selected ones
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,200}$")
COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")
PARTIAL_DATE_RE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?$")

# Names for the codes participants are likely to carry; any other code is shown as itself.
COUNTRY_NAMES = {
    "CA": "Canada", "US": "United States", "MX": "Mexico", "GB": "United Kingdom", "FR": "France",
    "DE": "Germany", "CN": "China", "JP": "Japan", "IN": "India", "IT": "Italy", "UA": "Ukraine",
    "RU": "Russia", "DK": "Denmark", "GL": "Greenland", "KR": "South Korea", "AU": "Australia",
}


# How a note names each parameter: "Ignored the From date “2025-13-45”: no such date."
NOUNS = {
    "q": "the search", "start": "the From date", "end": "the To date", "participant": "participant",
    "topic": "topic", "type": "event type", "country": "country", "has_statements": "the statements choice",
    "sort": "the order",
}

# Why a value of a repeatable parameter was dropped (also when more than MAX_VALUES were given).
UNKNOWN = {
    "participant": "no published event has this participant",
    "topic": "there is no such topic",
    "type": "there is no such event type",
    "country": "not a two-letter country code",
}


def country_name(code: str) -> str:
    return COUNTRY_NAMES.get(code, code)


def display_value(value) -> str:
    """A submitted value as a note quotes it: one line, at most 60 characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= 60 else text[:57] + "..."


# Form fields that keep what they understand and report the rest, instead of failing as a whole.


class PartialDateField(forms.DateField):
    """A date, or a month or year standing for its first day (or its last, with `period_end`)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, *args, period_end: bool = False, **kwargs):
        self.period_end = period_end
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, datetime.date) or value in self.empty_values:
            return super().to_python(value)
        match = PARTIAL_DATE_RE.match(str(value).strip())
        if not match:
            raise ValidationError("not a date (use YYYY-MM-DD, YYYY-MM or YYYY)", code="invalid")
        year, month, day = (int(part) if part else None for part in match.group("year", "month", "day"))
        try:
            if month is None:
                return datetime.date(year, 12, 31) if self.period_end else datetime.date(year, 1, 1)
            if day is None:
                last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
                return datetime.date(year, month, last if self.period_end else 1)
            return datetime.date(year, month, day)
        except ValueError:
            raise ValidationError("no such date", code="invalid") from None

    def bound_data(self, data, initial):
        # Show a shared "2025-06" in the date input as the day it stands for, so that submitting the form keeps it.
        try:
            return self.to_python(data) or data
        except ValidationError:
            return data


class LenientMultipleMixin:
    """Keep the recognised values of a repeatable parameter; remember the others in `ignored`."""

    def clean(self, value):
        self.ignored, self.excess = [], 0
        if value in self.empty_values:
            return self.keep([])
        values = list(dict.fromkeys(v for v in value if isinstance(v, str) and v.strip()))
        self.excess = max(0, len(values) - MAX_VALUES)
        return self.keep(values[:MAX_VALUES])


class SlugMultipleChoiceField(LenientMultipleMixin, forms.ModelMultipleChoiceField):
    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="slug", **kwargs)

    def keep(self, values):
        well_formed = [v for v in values if SLUG_RE.match(v)]
        found = {obj.slug: obj for obj in self.queryset.filter(slug__in=well_formed)} if well_formed else {}
        self.ignored += [v for v in values if v not in found]
        return [found[v] for v in values if v in found]


class LenientMultipleChoiceField(LenientMultipleMixin, forms.MultipleChoiceField):
    def keep(self, values):
        known = {str(key) for key, _ in self.choices}
        self.ignored += [v for v in values if v not in known]
        return [v for v in values if v in known]


class CountryField(LenientMultipleMixin, forms.MultipleChoiceField):
    def keep(self, values):
        self.ignored += [v for v in values if not COUNTRY_RE.match(v)]
        return list(dict.fromkeys(v.upper() for v in values if COUNTRY_RE.match(v)))


class EventFilterForm(forms.Form):
    """Invalid values are moved out of the form into `ignored` once validated: the form then shows, and
    submits again, only what is in force, and the page's notes say what was dropped."""

    dates_swapped = False

    def full_clean(self):
        super().full_clean()
        self.ignored = {name: (self.data.get(name, ""), list(errors)) for name, errors in self._errors.items()}
        if self.ignored:
            data = self.data.copy()
            for name in self.ignored:
                data.pop(name, None)
            self.data = data
            self._errors = ErrorDict()

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            # Someone typed the range backwards: read it the way they meant it.
            data["start"], data["end"] = end, start
            self.dates_swapped = True
        return data


class PartialDateFilter(django_filters.DateFilter):
    field_class = PartialDateField


class SlugMultipleFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = SlugMultipleChoiceField


class LenientMultipleFilter(django_filters.MultipleChoiceFilter):
    field_class = LenientMultipleChoiceField


class CountryFilter(django_filters.MultipleChoiceFilter):
    field_class = CountryField


def ranked_counts(links, key: str, model, limit: int) -> list[tuple[str, str, int]]:
    """(slug, name, number of distinct events) of the `limit` most frequent `key` objects among `links` (rows of a
    table linking events to `model`), most first, then by name.

    The events are counted per id in a subquery and only the winners are joined to their names: grouping the
    link rows by slug and name instead sorts every row by text (at 300,000 involvements, 560 ms against 260 ms
    on PostgreSQL). Django cannot select from a subquery, hence the SQL around the ORM's own.
    """
    counted = links.values(linked=F(key)).annotate(n=Count("event", distinct=True)).order_by()
    try:
        inner, params = counted.query.sql_with_params()
    except EmptyResultSet:  # the filters can match nothing (a search with no words): Django then writes no SQL
        return []
    connection = connections[links.db]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = (
        f"SELECT o.slug, o.name, c.n FROM ({inner}) c JOIN {table} o ON o.{pk} = c.linked "
        f"ORDER BY c.n DESC, o.name, o.{pk} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, limit))
        return [tuple(row) for row in cursor.fetchall()]


@dataclasses.dataclass
class FacetChoice:
    value: str
    label: str
    count: int
    selected: bool


def public_participants(request=None):
    return Participant.objects.public()


def public_topics(request=None):
    return Topic.objects.public()


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="filter_q", max_length=SEARCH_MAX_LENGTH, strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    start = PartialDateFilter(label="From", method="filter_start")
    end = PartialDateFilter(label="To", method="filter_end", period_end=True)
    participant = SlugMultipleFilter(label="Participants", queryset=public_participants, method="filter_participant")
    topic = SlugMultipleFilter(label="Topics", queryset=public_topics, method="filter_topic")
    type = LenientMultipleFilter(label="Event type", choices=Event.Type.choices, method="filter_type")
    country = CountryFilter(label="Country", method="filter_country")
    has_statements = django_filters.ChoiceFilter(
        label="Statements", choices=[("yes", "With statements"), ("no", "Without statements")],
        method="filter_has_statements", empty_label="Any", error_messages={"invalid_choice": "use yes or no"},
    )
    sort = django_filters.ChoiceFilter(
        label="Order", choices=[("newest", "Newest first"), ("relevance", "Best match first")],
        method="filter_sort", empty_label="Oldest first",
        error_messages={"invalid_choice": "use newest or relevance (oldest first is the default)"},
    )

    class Meta:
        model = Event
        fields = []
        form = EventFilterForm

    FACETS = ("participant", "topic", "type", "country", "has_statements")

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset if queryset is not None else Event.objects.published(), **kwargs)

    # Filtering. Relations are matched with subqueries, not joins, so no event is ever counted twice.

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_start(self, queryset, name, value):
        return queryset.between(start=value)

    def filter_end(self, queryset, name, value):
        return queryset.between(end=value)

    def filter_participant(self, queryset, name, value):
        involved = Involvement.objects.filter(participant__in=[p.pk for p in value]).values("event_id")
        return queryset.filter(pk__in=involved)

    def filter_topic(self, queryset, name, value):
        return queryset.filter(pk__in=Event.topics.through.objects.filter(topic__in=[t.pk for t in value]).values(
            "event_id"
        ))

    def filter_type(self, queryset, name, value):
        return queryset.filter(event_type__in=value)

    def filter_country(self, queryset, name, value):
        return queryset.filter(pk__in=Involvement.objects.filter(participant__country__in=value).values("event_id"))

    def filter_has_statements(self, queryset, name, value):
        said = Exists(Statement.objects.filter(event=OuterRef("pk")))
        return queryset.filter(said if value == "yes" else ~said)

    def filter_sort(self, queryset, name, value):
        return queryset  # ordering is applied last, in filter_queryset

    def filter_queryset(self, queryset):
        return self.order(super().filter_queryset(queryset))

    def order(self, queryset):
        sort = self.form.cleaned_data.get("sort")
        if sort == "relevance" and self.form.cleaned_data.get("q"):
            return queryset.order_by("-search_rank", "start_date", "pk")
        return queryset.chronological(newest_first=sort == "newest")

    def filtered_except(self, excluded: str):
        """The events matching every valid filter but `excluded`: what a facet's counts are taken from."""
        self.errors  # noqa: B018 - validates the form
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name != excluded:
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by()

    # What the reader is told.

    @property
    def search_text(self) -> str:
        self.errors  # noqa: B018
        return self.form.cleaned_data.get("q") or ""

    @property
    def relevance_sorted(self) -> bool:
        self.errors  # noqa: B018
        return self.form.cleaned_data.get("sort") == "relevance" and bool(self.form.cleaned_data.get("q"))

    @property
    def notes(self) -> list[str]:
        """One sentence per ignored value, for the page to show."""
        self.errors  # noqa: B018
        notes = []
        for name, (raw, errors) in self.form.ignored.items():
            if name == "q" and len(raw) > SEARCH_MAX_LENGTH:
                notes.append(f"Ignored the search: it is longer than {SEARCH_MAX_LENGTH} characters.")
            else:
                notes.append(f"Ignored {NOUNS[name]} \u201c{display_value(raw)}\u201d: {errors[0].rstrip('.')}.")
        for name, field in self.form.fields.items():
            ignored = getattr(field, "ignored", [])
            for value in ignored[:5]:
                notes.append(f"Ignored {NOUNS[name]} \u201c{display_value(value)}\u201d: {UNKNOWN[name]}.")
            if len(ignored) > 5:
                notes.append(f"Ignored {len(ignored) - 5} more unknown {NOUNS[name]} values.")
            if getattr(field, "excess", 0):
                notes.append(f"Ignored {field.excess} {NOUNS[name]} values beyond the first {MAX_VALUES}.")
        data = self.form.cleaned_data
        if self.form.dates_swapped:
            notes.append("The From date was after the To date, so the two were swapped.")
        if data.get("sort") == "relevance" and not data.get("q"):
            notes.append("Best match needs a search; the events are shown oldest first.")
        return notes

    def canonical_params(self) -> list[tuple[str, str]]:
        """The valid filters as (name, value) pairs in a fixed order: a page's canonical query string."""
        self.errors  # noqa: B018
        data = self.form.cleaned_data
        pairs = []
        for name in self.filters:
            value = data.get(name)
            if value in (None, "", []):
                continue
            values = value if isinstance(value, list) else [value]
            for item in values:
                if isinstance(item, datetime.date):
                    item = item.isoformat()
                pairs.append((name, getattr(item, "slug", item)))
        return pairs

    # Facets: counts beside each choice, taken with every other filter applied (as Datasette does).

    def facets(self) -> dict[str, list[FacetChoice]]:
        """Choices with counts for each facet, one query per facet however many events match."""
        self.errors  # noqa: B018
        data = self.form.cleaned_data
        return {
            "participant": self._participant_facet(data.get("participant") or []),
            "topic": self._topic_facet(data.get("topic") or []),
            "type": self._type_facet(data.get("type") or []),
            "country": self._country_facet(data.get("country") or []),
            "has_statements": self._has_statements_facet(data.get("has_statements") or ""),
        }

    @staticmethod
    def _with_selected(rows, selected: list[FacetChoice]) -> list[FacetChoice]:
        """Top choices by count, with every selected choice present even when nothing matches it."""
        chosen = {choice.value: choice for choice in selected}
        choices = [dataclasses.replace(row, selected=row.value in chosen) for row in rows]
        present = {choice.value for choice in choices}
        choices += [choice for value, choice in chosen.items() if value not in present]
        top = [c for c in choices if not c.selected][:FACET_LIMIT]
        return [c for c in choices if c.selected or c in top]

    def _participant_facet(self, selected) -> list[FacetChoice]:
        counts = Involvement.objects.filter(event__in=self.filtered_except("participant").values("pk"))
        rows = ranked_counts(counts, "participant", Participant, FACET_LIMIT + len(selected))
        found = [FacetChoice(slug, name, n, False) for slug, name, n in rows]
        return self._with_selected(found, [FacetChoice(p.slug, p.name, 0, True) for p in selected])

    def _topic_facet(self, selected) -> list[FacetChoice]:
        counts = Event.topics.through.objects.filter(event__in=self.filtered_except("topic").values("pk"))
        rows = ranked_counts(counts, "topic", Topic, FACET_LIMIT + len(selected))
        found = [FacetChoice(slug, name, n, False) for slug, name, n in rows]
        return self._with_selected(found, [FacetChoice(t.slug, t.name, 0, True) for t in selected])

    def _type_facet(self, selected) -> list[FacetChoice]:
        rows = self.filtered_except("type").values("event_type").annotate(n=Count("pk")).order_by("-n", "event_type")
        labels = dict(Event.Type.choices)
        found = [FacetChoice(r["event_type"], labels.get(r["event_type"], r["event_type"]), r["n"], False) for r in rows]
        return self._with_selected(found, [FacetChoice(v, labels[v], 0, True) for v in selected])

    def _country_facet(self, selected) -> list[FacetChoice]:
        events = self.filtered_except("country").values("pk")
        rows = (
            Involvement.objects.filter(event__in=events).exclude(participant__country="")
            .values("participant__country")
            .annotate(n=Count("event", distinct=True))
            .order_by("-n", "participant__country")
        )
        found = [
            FacetChoice(r["participant__country"], country_name(r["participant__country"]), r["n"], False) for r in rows
        ]
        return self._with_selected(found, [FacetChoice(c, country_name(c), 0, True) for c in selected])

    def _has_statements_facet(self, selected: str) -> list[FacetChoice]:
        # One EXISTS per event, counted once: "without" is the rest.
        said = Exists(Statement.objects.filter(event=OuterRef("pk")))
        counts = self.filtered_except("has_statements").aggregate(total=Count("pk"), yes=Count("pk", filter=said))
        return [
            FacetChoice("yes", "With statements", counts["yes"], selected == "yes"),
            FacetChoice("no", "Without statements", counts["total"] - counts["yes"], selected == "no"),
        ]


def describe_date(day: datetime.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def active_filters(filterset: EventFilter) -> list[tuple[str, str, str]]:
    """The filters in force as (parameter, value, what a reader calls it), for the list above the results."""
    labels = {
        "q": lambda v: f"\u201c{v}\u201d",
        "start": lambda v: f"from {describe_date(v)}",
        "end": lambda v: f"to {describe_date(v)}",
        "participant": lambda v: v.name,
        "topic": lambda v: v.name,
        "type": lambda v: dict(Event.Type.choices)[v],
        "country": country_name,
        "has_statements": lambda v: "with statements" if v == "yes" else "without statements",
    }
    filterset.errors  # noqa: B018
    active = []
    for name, label in labels.items():
        value = filterset.form.cleaned_data.get(name)
        for item in value if isinstance(value, list) else [value]:
            if item not in (None, ""):
                raw = item.isoformat() if isinstance(item, datetime.date) else getattr(item, "slug", item)
                active.append((name, raw, label(item)))
    return active


# Statements (the API and the statements download).


class StatementFilter(django_filters.FilterSet):
    """The statements' GET parameters. Every parameter of the timeline (EventFilter) selects the events whose
    statements are listed, so that the timeline's query string gives the statements of the events it shows.
    Two more narrow the statements themselves:

    speaker   participant slugs, repeatable: said by any of them
    language  "en" or "fr", repeatable
    """

    speaker = SlugMultipleFilter(label="Speakers", queryset=public_participants, method="filter_speaker")
    language = LenientMultipleFilter(label="Language", choices=Statement.Language.choices, method="filter_language")

    class Meta:
        model = Statement
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset if queryset is not None else Statement.objects.published(), **kwargs)
        self.events = EventFilter(data)

    def filter_speaker(self, queryset, name, value):
        return queryset.filter(speaker__in=[p.pk for p in value])

    def filter_language(self, queryset, name, value):
        return queryset.filter(language__in=value)

    def filter_queryset(self, queryset):
        events = self.events.qs.order_by().values("pk")
        statements = super().filter_queryset(queryset).filter(event__in=events)
        return statements.order_by(F("said_on").asc(nulls_last=True), "pk")
