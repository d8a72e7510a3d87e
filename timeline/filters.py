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
value never fails the request: it is dropped, the rest still applies, and `problems` says what was dropped, once,
as data: the pages render it as notes (`notes`), the API and the downloads refuse the request (`refusals`), as
they refuse a parameter they do not take (`unknown_parameters`); the pages ignore that one.
Links to the timeline are built by `EventFilter.url()` from the values in force, never from the raw query.
"""

import dataclasses
import datetime
import itertools
from functools import cached_property
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db import connections
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from timeline import eventkeys, facets
from timeline.filter_fields import (
    MAX_VALUES,
    ChoiceParameter,
    CountryFilter,
    LenientForm,
    LenientMultipleFilter,
    PartialDateFilter,
    SearchFilter,
    SlugMultipleFilter,
)
from timeline.models import Event, Participant, Topic
from timeline.text import CONTROL

NOTES_PER_PARAMETER = 5  # unknown values named one by one; the rest are counted


@dataclasses.dataclass(frozen=True)
class Problem:
    """A value the filters could not use, or read otherwise than it was written, and why.

    `code` is "invalid" (malformed), "too_long", "unknown" (well formed, but nothing has it), "excess" (past the
    first `limit` values), or, for values that were used after all, "swapped" and "needs_search".
    """

    parameter: str
    value: str
    reason: str
    code: str = "invalid"
    limit: int | None = None

    @property
    def refused(self) -> bool:
        """Whether a data request (API, download) is refused for it: every value that was not used."""
        return self.code not in ("swapped", "needs_search")


def display_value(value) -> str:
    """A submitted value as a note quotes it: one line, at most 60 characters."""
    text = " ".join(CONTROL.sub("\ufffd", str(value)).split())  # shown, but not as the control character itself
    return text if len(text) <= 60 else text[:57] + "..."


def _written(value) -> list:
    """A parameter's value (a date, an object with a slug, a list of them...) as the strings a link carries."""
    items = value if isinstance(value, list) else [value]
    return [
        item.isoformat() if isinstance(item, datetime.date) else getattr(item, "slug", item)
        for item in items
        if item not in (None, "")
    ]


@dataclasses.dataclass(eq=False)
class _Slot:
    """Where ParameterSet.url_maker's links put a parameter's value."""

    name: str


def _groups(problems: list[Problem]):
    """Consecutive problems of one parameter and kind, as ((parameter, code), [problems])."""
    for key, group in itertools.groupby(problems, key=lambda problem: (problem.parameter, problem.code)):
        yield key, list(group)


def refusals(problems: list[Problem]) -> list[tuple[str, str]]:
    """(parameter, message) for each refused parameter, as the API's 400 and the downloads' 400 name them."""
    refused = []
    for (parameter, code), group in _groups([problem for problem in problems if problem.refused]):
        if code == "unknown":
            values = ", ".join(repr(display_value(p.value)) for p in group[:NOTES_PER_PARAMETER])
            refused.append((parameter, gettext("unknown value: %(values)s") % {"values": values}))
        elif code == "excess":
            refused.append((parameter, gettext("at most %(limit)s values") % {"limit": group[0].limit}))
        else:
            refused += [(parameter, problem.reason) for problem in group]
    return refused


def unknown_parameters(data: QueryDict, accepted: list[str]) -> list[tuple[str, str]]:
    """(parameter, message) for each parameter of `data` that is not `accepted`, as `refusals` names them: a data
    request with a misspelt name ("participnat") would otherwise get everything."""
    message = gettext("no such parameter here; the parameters are %(names)s") % {"names": ", ".join(accepted)}
    return [(name, message) for name in data if name not in accepted]


class ParameterSet(django_filters.FilterSet):
    """A FilterSet whose parameters are validated once (`cleaned`, `problems`) and written back (`params`)."""

    @cached_property
    def cleaned(self) -> dict:
        """The values in force: what the filters apply, the form shows and links carry."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return self.form.cleaned_data

    def parameter_names(self) -> list[str]:
        """The GET parameters it reads."""
        return list(self.filters)

    def in_force(self) -> list[str]:
        """The names of the parameters that have a value in force."""
        return [name for name, value in self.cleaned.items() if value not in (None, "", [])]

    def filter_queryset(self, queryset):
        return self.narrowed(queryset, list(self.cleaned))

    def narrowed(self, queryset, names: list[str]):
        """`queryset` narrowed by the filters `names`, each with its value in force: all of them for the results,
        all but its own for a facet's counts."""
        for name in names:
            queryset = self.filters[name].filter(queryset, self.cleaned[name])
        return queryset

    @cached_property
    def problems(self) -> list[Problem]:
        """Every value that was dropped or read otherwise, in the parameters' order (see Problem)."""
        cleaned, form = self.cleaned, self.form
        problems = []
        for name, (raw, errors) in getattr(form, "ignored", {}).items():
            reason = " ".join(message for error in errors for message in error.messages)
            code = "too_long" if any(error.code == "max_length" for error in errors) else "invalid"
            problems.append(Problem(name, raw, reason, code, getattr(form.fields[name], "max_length", None)))
        for name, field in form.fields.items():
            parameter = self.filters[name]
            problems += [Problem(name, value, parameter.malformed) for value in getattr(field, "malformed", [])]
            problems += [Problem(name, value, parameter.unknown, "unknown") for value in getattr(field, "ignored", [])]
            problems += [Problem(name, value, "", "excess", MAX_VALUES) for value in getattr(field, "excess", [])]
        if getattr(form, "dates_swapped", False):
            problems.append(Problem("start", "", "", "swapped"))
        if cleaned.get("sort") == "relevance" and not cleaned.get("q"):
            problems.append(Problem("sort", "relevance", "", "needs_search"))
        return problems

    def params(self, **changes) -> list[tuple[str, str]]:
        """The parameters in force as (name, value) pairs in the FilterSet's order, with `changes` made (a value,
        a list for a repeatable parameter, or None to drop it), and `page` last, left out for page 1, then where
        "load more" goes on from (`after`, a paging.Place)."""
        values = {name: self.cleaned.get(name) for name in self.filters}
        page = changes.pop("page", None)
        after = changes.pop("after", None)
        if unknown := set(changes) - set(values):
            raise TypeError(f"no such parameter: {', '.join(sorted(unknown))}")
        values.update(changes)
        pairs = []
        for name, value in values.items():
            pairs += [(name, written) for written in _written(value)]
        if page and int(page) > 1:
            pairs.append(("page", str(page)))
        if after:
            pairs.append(("after", str(after)))
        return pairs

    def query(self, **changes) -> str:
        """The query string of `params(**changes)`, without "?"."""
        return urlencode(self.params(**changes))

    def selection(self) -> list[tuple[str, str]]:
        """What the events selected depend on: the filters in force but the order. The key of cached totals."""
        return list(self._selection)

    @cached_property
    def _selection(self) -> tuple[tuple[str, str], ...]:
        # Written once: every cached aggregate of a page (its facets, total, overview) is keyed by it.
        return tuple((name, value) for name, value in self.params() if name != "sort")

    # What the reader is told, and the links they follow (to `route`, the page these parameters filter).

    route = "event_list"
    # What "best match first" without a search falls back to, in the note that says so.
    needs_search_note = _("Best match needs a search; the events are shown oldest first.")

    @property
    def notes(self) -> list[str]:
        """The problems as sentences for the page, one per dropped value (past five unknown ones, a count)."""
        notes = []
        for (name, code), group in _groups(self.problems):
            noun = self.filters[name].noun
            if code == "too_long":
                notes.append(
                    gettext("Ignored %(noun)s: it is longer than %(limit)s characters.")
                    % {"noun": noun, "limit": group[0].limit}
                )
            elif code in ("invalid", "unknown"):
                for problem in group[:NOTES_PER_PARAMETER]:
                    notes.append(
                        gettext("Ignored %(noun)s “%(value)s”: %(reason)s.")
                        % {
                            "noun": noun,
                            "value": display_value(problem.value),
                            "reason": str(problem.reason).rstrip("."),
                        }
                    )
                if len(group) > NOTES_PER_PARAMETER:
                    notes.append(
                        gettext("Ignored %(count)s more unknown %(noun)s values.")
                        % {"count": len(group) - NOTES_PER_PARAMETER, "noun": noun}
                    )
            elif code == "excess":
                notes.append(
                    gettext("Ignored %(count)s %(noun)s values beyond the first %(limit)s.")
                    % {"count": len(group), "noun": noun, "limit": group[0].limit}
                )
            elif code == "swapped":
                notes.append(gettext("The From date was after the To date, so the two were swapped."))
            elif code == "needs_search":
                notes.append(str(self.needs_search_note))
        return notes

    # Links to the page: the one way they are written, from the values in force and never from the raw query.

    def url(self, **changes) -> str:
        """A link from the page to itself with these changes (see `params`): "?topic=trade&page=2", or the
        page's path when no parameter is left."""
        query = self.query(**changes)
        return f"?{query}" if query else reverse(self.route)

    def url_maker(self, *names: str):
        """A function giving `url(**changes)` for changes of `names` alone, for a page linking many times with
        only those changed (the overview's periods and years: some two hundred links): the other parameters are
        written once."""
        slots = {name: _Slot(name) for name in names}
        pairs = self.params(**slots)
        path = reverse(self.route)

        def url(**changes) -> str:
            query = urlencode(
                [
                    (name, written)
                    for name, value in pairs
                    for written in (_written(changes.get(value.name)) if isinstance(value, _Slot) else [value])
                ]
            )
            return f"?{query}" if query else path

        return url

    def path(self, **changes) -> str:
        """The same link from any page: "/?topic=trade"."""
        query = self.query(**changes)
        return reverse(self.route) + (f"?{query}" if query else "")

    def absolute_url(self, request, **changes) -> str:
        return request.build_absolute_uri(self.path(**changes))

    @classmethod
    def link(cls, **values) -> str:
        """A link from another page to this one filtered by these values: "/?participant=mark-carney"."""
        return cls().path(**values)


def public_participants(request=None):
    return Participant.objects.public()


def public_topics(request=None):
    return Topic.objects.public()


def countries_with_events(codes: set[str]) -> set[str]:
    """Those of these two-letter codes that a participant of a published event is from, as the published events'
    facet keys hold them (one lookup of the kept counts): the countries the timeline knows."""
    values = eventkeys.kept_values(eventkeys.COUNTRY, [eventkeys.country_value(code) for code in codes])
    return {eventkeys.country_of(value) for value in values}


def order_parameter() -> ChoiceParameter:
    """The order of a list: oldest first by default, newest first, or best match first for a search; the same on
    the timeline and the statements index."""
    return ChoiceParameter(
        label=_("Order"),
        noun=_("the order"),
        help_text=_("Order: oldest first (default), newest, or relevance (best match first; needs q)."),
        choices=[("newest", _("Newest first")), ("relevance", _("Best match first"))],
        method="filter_sort",
        empty_label=_("Oldest first"),
        error_messages={"invalid_choice": _("use newest or relevance (oldest first is the default)")},
    )


class EventFilter(ParameterSet):
    q = SearchFilter(
        label=_("Search"),
        noun=_("the search"),
        help_text=_(
            "Free text in the events: PostgreSQL full-text search (websearch syntax); elsewhere every word and "
            '"quoted phrase" must match.'
        ),
        method="filter_q",
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    start = PartialDateFilter(
        label=_("From"),
        noun=_("the From date"),
        help_text=_("Start of a date range: YYYY-MM-DD, YYYY-MM or YYYY. Anything overlapping the range counts."),
        method="filter_start",
    )
    end = PartialDateFilter(
        label=_("To"),
        noun=_("the To date"),
        help_text=_("End of a date range: YYYY-MM-DD, YYYY-MM or YYYY (a month or year stands for its last day)."),
        method="filter_end",
        period_end=True,
    )
    participant = SlugMultipleFilter(
        label=_("Participants"),
        noun=_("participant"),
        unknown=_("no published event has this participant"),
        help_text=_("Participant slugs, repeatable: events any of them took part in."),
        queryset=public_participants,
        method="filter_participant",
    )
    topic = SlugMultipleFilter(
        label=_("Topics"),
        noun=_("topic"),
        unknown=_("there is no such topic"),
        help_text=_("Topic slugs, repeatable: on any of these topics."),
        queryset=public_topics,
        method="filter_topic",
    )
    type = LenientMultipleFilter(
        label=_("Event type"),
        noun=_("event type"),
        unknown=_("there is no such event type"),
        help_text=_("Event types, repeatable."),
        choices=Event.Type.choices,
        method="filter_type",
    )
    country = CountryFilter(
        label=_("Country"),
        noun=_("country"),
        unknown=_("no published event has a participant from this country"),
        malformed=_("not a two-letter country code"),
        help_text=_("ISO 3166-1 alpha-2 codes, repeatable: a participant from any of these countries took part."),
        known=countries_with_events,
        method="filter_country",
    )
    has_statements = ChoiceParameter(
        label=_("Statements"),
        noun=_("the statements choice"),
        help_text=_("yes: only events with statements; no: only events without."),
        choices=[("yes", _("With statements")), ("no", _("Without statements"))],
        method="filter_has_statements",
        empty_label=_("Any"),
        error_messages={"invalid_choice": _("use yes or no")},
    )
    sort = order_parameter()

    class Meta:
        model = Event
        fields = []
        form = LenientForm

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset if queryset is not None else Event.objects.published(), **kwargs)

    # Filtering: every relation is matched with a subquery, not a join, so no event is ever listed twice. The
    # events' participants, topics, countries and statements are read from the published events' facet keys
    # (timeline/eventkeys.py), which is why the queryset filtered is always one of published events.

    def filter_q(self, queryset, name, value):
        return queryset.search(value, matching=self.search_matches(value))

    def narrowed(self, queryset, names: list[str]):
        """On PostgreSQL, a search among keyed filters and dates, one of them a participant, a topic or a type, has the
        page's events read by the ids of those they select together, which the counts read too
        (facets.searched_from_keys). As separate conditions, the planner tested every published event against the
        thousands of matches in order to join them with the keys (at 100,000 events, the SQL of a page under a
        participant and a common word took 73 ms); intersected in SQL with the participants' and topics' keys, it
        still looked up each of 3,338 events of a word and a topic to test its type (21 ms, now 3)."""
        if set(self.in_force()) <= {*names, "sort"} and (selected := facets.searched_from_keys(self)) is not None:
            return queryset.search(self.cleaned["q"], matching=selected)
        return self.narrowed_with_dates(queryset, names)

    # The keyed filters a date range is read with, the one that usually selects fewest events first.
    DATED = {
        "participant": eventkeys.PARTICIPANT,
        "topic": eventkeys.TOPIC,
        "type": eventkeys.TYPE,
        "country": eventkeys.COUNTRY,
        "has_statements": eventkeys.STATEMENTS,
    }

    def narrowed_with_dates(self, queryset, names: list[str]):
        """`narrowed`, with a date range among `names` read on SQLite together with one keyed filter among them, from
        the keys with their events' dates (timeline/datedkeys.py): at 100,000 events, a country's events of one year
        took 108 ms to find, 13 so. PostgreSQL reads the range on the events, whose dates it knows how to plan a page
        from: from the keys, it walked the timeline in order to find a country's few events since 2024 (8 → 230 ms).
        Its counts read the dated keys (facets.keys_alone)."""
        dates = [name for name in ("start", "end") if name in names and self.cleaned.get(name)]
        carrier = next((name for name in self.DATED if name in names and self.cleaned.get(name)), None)
        if not dates or carrier is None or connections[self.queryset.db].vendor != "sqlite":
            return super().narrowed(queryset, names)
        start, end = (self.cleaned.get(name) if name in dates else None for name in ("start", "end"))
        queryset = queryset.keyed_between(*self.keys_of(carrier), start, end)
        return super().narrowed(queryset, [name for name in names if name not in (*dates, carrier)])

    def keys_of(self, name: str) -> tuple[int, list[int]]:
        """(facet, values) of the keys of the values in force of the keyed filter `name` (one of DATED)."""
        chosen = self.cleaned[name]
        if name == "type":
            return eventkeys.TYPE, [eventkeys.type_value(code) for code in chosen]
        if name == "country":
            return eventkeys.COUNTRY, [eventkeys.country_value(code) for code in chosen]
        if name == "has_statements":  # the events without statements have a key of their own
            return eventkeys.STATEMENTS, [1 if chosen == "yes" else 0]
        return self.DATED[name], [value.pk for value in chosen]

    def with_statements(self, choice: str | None) -> "EventFilter":
        """The same filters with another statements choice (None: either)."""
        return self.varied(has_statements=choice)

    def without_dates(self) -> "EventFilter":
        """The same filters but the dates (what the overview's years count)."""
        return self.varied(start=None, end=None)

    def varied(self, **changes) -> "EventFilter":
        """The same filters with `changes` (as `query` reads them), sharing what this one has read already, which
        depends on neither: a search's matches (a common word's take 40 ms to read again), the kept counts, a key's
        events and the events a search selects under filters (facets.searched), which are kept by their values."""
        others = type(self)(QueryDict(self.query(**changes)), queryset=self.queryset)
        for shared in ("_search_matches", "_kept_counts", "_searched", "_keyed_events"):
            others.__dict__[shared] = self.__dict__.setdefault(shared, {})
        return others

    def search_matches(self, value: str) -> list[int] | None:
        """The ids of the events the search matches, read once for every query of the page: the results, the
        total, each facet's counts and the overview's (see EventQuerySet.search_matches)."""
        matches = self.__dict__.setdefault("_search_matches", {})
        if value not in matches:
            matches[value] = self.queryset.search_matches(value)
        return matches[value]

    # Whether its events are read in the timeline's order, a page at a time, or only as a set (the events whose
    # statements the API lists): the bound on the first day of a range alone (EventQuerySet.between) serves the
    # order, and hid the range's size from PostgreSQL's planner, which then looked up each event's statements one
    # by one rather than hashing them (the API's statements since 1935 at 100,000 events: 158 → 118 ms).
    in_order = True

    def filter_start(self, queryset, name, value):
        alone = self.in_order and set(self.in_force()) <= {"start", "end", "sort"}
        return queryset.between(start=value, alone=alone)

    def filter_end(self, queryset, name, value):
        return queryset.between(end=value)

    def filter_participant(self, queryset, name, value):
        return queryset.keyed(*self.keys_of(name))

    def filter_topic(self, queryset, name, value):
        return queryset.keyed(*self.keys_of(name))

    def filter_type(self, queryset, name, value):
        among_keyed = self.narrowed_by_keys() or bool(self.cleaned.get("has_statements"))
        return queryset.of_types(value, among_keyed=among_keyed)

    def filter_country(self, queryset, name, value):
        return queryset.keyed(*self.keys_of(name))

    def filter_has_statements(self, queryset, name, value):
        facet, values = self.keys_of(name)
        # Only PostgreSQL reads few events otherwise (EventQuerySet.keyed): elsewhere their number is not read.
        postgresql = connections[self.queryset.db].vendor == "postgresql"
        return queryset.keyed(
            facet, values, few=postgresql and self.kept_count(facet, values[0]) <= eventkeys.FEW_EVENTS
        )

    def kept_count(self, facet: int, value: int) -> int:
        """How many published events have this key (eventkeys.kept_count), read once per filterset."""
        counts = self.__dict__.setdefault("_kept_counts", {})
        if (facet, value) not in counts:
            counts[facet, value] = eventkeys.kept_count(facet, value, using=self.queryset.db)
        return counts[facet, value]

    def narrowed_by_keys(self) -> bool:
        """Whether a participant, a topic or a country is in force: filters whose keys select few events."""
        return bool({"participant", "topic", "country"} & set(self.in_force()))

    def filter_sort(self, queryset, name, value):
        return queryset  # ordering is applied last, in filter_queryset

    def filter_queryset(self, queryset):
        filtered = super().filter_queryset(queryset)
        if self.relevance_sorted:
            return filtered.order_by("-search_rank", "start_date", "pk")
        return filtered.chronological(newest_first=self.cleaned.get("sort") == "newest")

    @property
    def relevance_sorted(self) -> bool:
        return self.cleaned.get("sort") == "relevance" and bool(self.cleaned.get("q"))
