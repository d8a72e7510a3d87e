"""The timeline's facets: the choices beside each filter, with how many events each would give, and how a chosen
value is named to a reader.

Each facet's counts are taken with every other filter in force but its own (as Datasette does), one query per
facet however many events match, and cached under those other filters. The FilterSet says which values are in
force (`filterset.cleaned`); this module only counts and names them, so that another way of counting can replace
it whole.
"""

import dataclasses
import datetime

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from timeline import datedkeys, eventkeys, querysets, search, statementkeys
from timeline.caching import cached_aggregate
from timeline.dates import format_period
from timeline.filter_fields import MAX_VALUES
from timeline.models import Event, Participant, Statement, Topic
from timeline.querysets import NameOrder, localized, name_key
from timeline.text import printable

FACETS = ("participant", "topic", "type", "country", "has_statements")
FACET_LIMIT = 12  # choices shown per facet, besides the selected ones
RANKED = FACET_LIMIT + MAX_VALUES  # ranked per linked facet: as many as could be shown whatever is selected

# Names for the codes participants are likely to carry; any other code is shown as itself.
COUNTRY_NAMES = {
    "CA": _("Canada"),
    "US": _("United States"),
    "MX": _("Mexico"),
    "GB": _("United Kingdom"),
    "FR": _("France"),
    "DE": _("Germany"),
    "CN": _("China"),
    "JP": _("Japan"),
    "IN": _("India"),
    "IT": _("Italy"),
    "UA": _("Ukraine"),
    "RU": _("Russia"),
    "DK": _("Denmark"),
    "GL": _("Greenland"),
    "KR": _("South Korea"),
    "AU": _("Australia"),
}


def country_name(code: str) -> str:
    return str(COUNTRY_NAMES.get(code, code))


# A search whose events (with the other filters in force) number more than this has the counts beside it estimated
# from a sample of them, every n-th by id, and scaled up: the time a count takes grows with the events whose keys it
# reads (on PostgreSQL at 100,000 events, a common word's 19,209: 236 ms; every 4th, 44 ms; every 8th, 24 ms). The
# results and their total are every match, always; an estimate says so where it is shown (languages.number).
SAMPLE_SIZE = 2500


class Estimate(int):
    """A count estimated from a sample: an int, so that it sorts, sums and takes a plural as one, that says so."""

    estimated = True


@dataclasses.dataclass
class FacetChoice:
    value: str
    label: str
    count: int
    selected: bool


# Counting, over the published events' facet keys (timeline/eventkeys.py): the events of a facet value sit
# together in one index, so a count reads keys, never the events table, and the counts with no other filter in
# force are kept by the database (timeline_facetcount) and read, not counted.


def in_force_but(filterset, excluded: str) -> bool:
    """Whether any filter but `excluded` narrows the events (a facet's own filter never narrows its counts; ""
    excludes none)."""
    return any(name != excluded and name != "sort" for name in filterset.in_force())


def filtered_except(filterset, excluded: str, among=None):
    """The rows (events, or statements) matching every filter in force but `excluded`: what a facet's counts are
    taken from. Taken from `among` rather than the filterset's own queryset when given."""
    queryset = (filterset.queryset if among is None else among).all()
    return filterset.narrowed(queryset, [name for name in filterset.cleaned if name != excluded]).order_by()


# The counts with no filter in force, as the database keeps them.
KEPT_COUNTS = "SELECT value, n FROM timeline_facetcount WHERE facet = %s AND n > 0"


def counts_sql(
    filterset, excluded: str, facet: int, ranked: int | None = None, values: list[int] | None = None
) -> tuple[str, list] | None:
    """SQL giving (value, n): how many of the events every filter but `excluded` selects have each value of
    `facet`; None when those filters can match nothing. With `ranked`, some values that cannot be among the
    `ranked` with most events may be left out (eventkeys.ranged_sql). With `values`, those values' counts alone:
    read from the kept counts or the pairs of one key, else counted from their own keys, over their events those
    filters select: the pairs of a date range count every value first (at 100,000 events, 6 to 11 ms on SQLite;
    from a participant's keys, 0.2)."""
    if not in_force_but(filterset, excluded):
        return of_values((KEPT_COUNTS, [facet]), values)
    if (complement := statements_complement(filterset, excluded)) is not None:
        every, without = (counts_sql(other, excluded, facet, values=values) for other in complement)
        return less(every, without)
    pairs = values is None or one_key(filterset, excluded) is not None
    if pairs and (paired := paired_counts_sql(filterset, [facet], excluded, ranked)) is not None:
        sql, params = paired
        return of_values((f"SELECT value, CAST(n AS integer) AS n FROM ({sql}) paired WHERE n > 0", params), values)
    try:
        inner, params = events_sql(filterset, excluded, None if values is None else (facet, values))
    except EmptyResultSet:  # the filters can match nothing (a search with no words): Django then writes no SQL
        return None
    among = events_among(filterset, inner)
    if values is not None:
        return (
            f"SELECT value, count(*) AS n FROM timeline_eventkey WHERE facet = %s "
            f"AND value IN ({placeholders(values)}) AND {among} GROUP BY value",
            [facet, *values, *params],
        )
    facet_column = keys_column(filterset, excluded)
    return f"SELECT value, count(*) AS n FROM timeline_eventkey WHERE {facet_column} = %s AND {among} GROUP BY value", [
        facet,
        *params,
    ]


def statements_complement(filterset, excluded: str, searching: bool = False) -> tuple | None:
    """Under "with statements" and other filters but `excluded`, where fewer events have no statements than have
    some: the filters but that choice, and the same with "without statements" instead. The counts under the first
    less those under the second are the counts asked for, and both are quick: the first are often read from the
    pairs, the second count few events. Counted as they are, the events with statements among a country's and a
    topic's are thousands of keys each (at 100,000 events, 61 ms for the topics' counts, where every event has
    statements); so, 2 ms. Among the other filters a search, whose counts read a sample of its events (`searched`),
    only when `searching` for those events. None otherwise."""
    if excluded == "has_statements" or filterset.cleaned.get("has_statements") != "yes":
        return None
    others = [name for name in filterset.in_force() if name not in ("sort", "has_statements", excluded)]
    if not others or ("q" in others) != searching or not hasattr(filterset, "with_statements"):
        return None
    if filterset.kept_count(eventkeys.STATEMENTS, 0) >= filterset.kept_count(eventkeys.STATEMENTS, 1):
        return None
    if "_complement" not in filterset.__dict__:
        filterset.__dict__["_complement"] = (filterset.with_statements(None), filterset.with_statements("no"))
    return filterset.__dict__["_complement"]


def less(counted: tuple[str, list] | None, taken: tuple[str, list] | None) -> tuple[str, list] | None:
    """SQL giving (value, n): the counts of `counted` less those of `taken` (None: no rows), the values left."""
    if counted is None or taken is None:
        return counted
    (sql, params), (taken_sql, taken_params) = counted, taken
    return (
        f"SELECT value, CAST(SUM(n) AS integer) AS n FROM (SELECT value, n FROM ({sql}) counted UNION ALL "
        f"SELECT value, -n FROM ({taken_sql}) taken) both_sides GROUP BY value HAVING SUM(n) > 0",
        [*params, *taken_params],
    )


def less_counts(counts: dict[int, int], taken: dict[int, int]) -> dict[int, int]:
    return {value: n - taken.get(value, 0) for value, n in counts.items() if n > taken.get(value, 0)}


def events_sql(filterset, excluded: str, keyed: tuple[int, list[int]] | None = None) -> tuple[str, list]:
    """SQL and parameters of the ids of the events every filter but `excluded` selects (EmptyResultSet when they
    can match nothing); with `keyed` (facet, values), of those with one of these values, but under a search.
    Under a search, the ids of its events, read already for the page (`searched`): finding them again among the
    published events cost a pass over all of those (16 of a common word's 59 ms of counts); past SAMPLE_SIZE of
    them, the sample its counts read (`sample`)."""
    if keyed is None and (keys := keys_alone(filterset, excluded)) is not None:
        return keys
    matches = searched(filterset, excluded)
    if matches is not None:
        vendor = connections[filterset.queryset.db].vendor
        if keyed is None:  # a few values' counts read only their own keys: they are counted exactly
            matches = sample(filterset, excluded)
        return matches.sql(vendor)
    events = filtered_except(filterset, excluded)
    if keyed is not None:
        events = events.keyed(*keyed)
    return events.values("pk").query.sql_with_params()


def keys_alone(filterset, excluded: str) -> tuple[str, list] | None:
    """PostgreSQL: SQL and parameters of the ids of the events every filter but `excluded` selects, read from the
    keys alone, when those filters are keyed ones (participants, topics, types, countries), with or without a date
    range (timeline/datedkeys.py); else None. Keys are only those of published events, so the events' table is not
    read: through it, each event was looked up to check that it is published (at 100,000 events, 9 of the 22 ms
    the types' count took under a topic since 1940). A value of one filter may repeat an event; the counts read the
    ids as a set."""
    if connections[filterset.queryset.db].vendor != "postgresql" or not hasattr(filterset, "keys_of"):
        return None
    names = [name for name in filterset.in_force() if name not in ("sort", excluded)]
    keyed = [name for name in filterset.DATED if name in names]
    if not keyed or set(names) - set(keyed) - {"start", "end"}:
        return None
    start = filterset.cleaned.get("start") if "start" in names else None
    end = filterset.cleaned.get("end") if "end" in names else None
    first, *others = keyed
    if start or end:
        sql, params = datedkeys.events_with(*filterset.keys_of(first), start, end)
    else:
        sql, params = eventkeys.events_with(*filterset.keys_of(first))
    for name in others:
        other_sql, other_params = eventkeys.events_with(*filterset.keys_of(name))
        sql, params = f"{sql} AND event_id IN ({other_sql})", [*params, *other_params]
    return sql, params


def searched(filterset, excluded: str, keys_only: bool = False) -> search.Ids | None:
    """The ids of the events every filter but `excluded` selects, when a search is among them (else None): its
    matches (EventFilter.search_matches), intersected with the other filters' events in one query read once per
    page. The counts under a search and a filter selecting most events (Canada's, "with statements") then read a
    sample of the intersection rather than every event's keys (at 100,000 events, "tariffs" in Canada's 15,000
    events: 128 ms of counts), and the total is its length. With `keys_only`, None where they are not read from the
    keys alone: otherwise they are read through the filterset's queryset, which may itself ask for them (see
    `searched_from_keys`)."""
    names = [name for name in filterset.in_force() if name not in ("sort", excluded)]
    matches = matches_in_force(filterset, names)
    if matches is None or names == ["q"]:
        return matches
    intersections = filterset.__dict__.setdefault("_searched", {})
    # Keyed by the filters' values, not their names: the filtersets a page varies (EventFilter.varied) share them.
    key = tuple(pair for pair in filterset.selection() if pair[0] in names)
    if key not in intersections:
        among_keys = searched_among_keys(filterset, excluded, names, matches)
        if among_keys is None and keys_only:
            return None
        intersections[key] = (
            among_keys if among_keys is not None else intersection(filtered_except(filterset, excluded))
        )
    return intersections[key]


def matches_in_force(filterset, names: list[str]) -> search.Ids | None:
    """The matches of the search among the filters `names` (EventFilter.search_matches, read once per page); else
    None."""
    if "q" not in names or not hasattr(filterset, "search_matches"):
        return None
    return filterset.search_matches(filterset.cleaned["q"])


def searched_among_keys(filterset, excluded: str, names: list[str], matches: search.Ids) -> search.Ids | None:
    """`searched`, where it is read from the keys alone; else None."""
    if all(name == "q" or read_by_keys(filterset, name) for name in names):
        # Each filter's events read once by their keys, and every set of them the page counts under intersected
        # here: a search under a topic and a type was three queries of 10 to 19 ms, one for each set.
        events = set(matches)
        for name in names:
            if name != "q":
                events &= keyed_events(filterset, name)
        return search.Ids(events)
    complement = statements_complement(filterset, excluded, searching=True)
    if complement is not None and filterset.kept_count(eventkeys.STATEMENTS, 0) <= eventkeys.FEW_EVENTS:
        # Those with statements: the search's events under the others less the few events without statements,
        # read by their key (in a query of its own, the planner started from the search's thousands).
        every, _ = complement
        taken = keyed_set(filterset, eventkeys.STATEMENTS, [0])
        return search.Ids(pk for pk in searched(every, excluded) if pk not in taken)
    if (most := searched_most(filterset, names, matches)) is not None:
        return most
    return searched_by_keys(filterset, names, matches)


def searched_most(filterset, names: list[str], matches: search.Ids) -> search.Ids | None:
    """`searched`, where the search's matches are most of the published events (search.Ids.most) and the other
    filters are keyed ones and dates: each filter's events read by their keys, the dates' from the dated keys, and
    intersected with the matches in Python, on both databases. In SQL, each intersection asked for the word again
    and tested tens of thousands of events against it (at 100,000 events, "synthetic" in Canada's 73,876 events:
    54 ms on PostgreSQL; so, 16). None otherwise."""
    others = [name for name in names if name != "q"]
    if not matches.most or not set(others) <= {*filterset.DATED, "start", "end"}:
        return None
    sets = [keyed_events(filterset, name) for name in others if name in filterset.DATED]
    start, end = (filterset.cleaned.get(name) if name in others else None for name in ("start", "end"))
    if start or end:
        sets.append(dated_set(filterset, start, end))
    return search.Ids(set(matches).intersection(*sorted(sets, key=len)))


# The filters whose events a search's are intersected with in Python (`searched`): a participant has few events, a
# topic at most a few percent of them, one type a twelfth; a country can have most of them.
READ_BY_KEYS = ("participant", "topic", "type")


def read_by_keys(filterset, name: str) -> bool:
    return name in READ_BY_KEYS and (name != "type" or len(filterset.cleaned["type"]) == 1)


def searched_from_keys(filterset) -> search.Ids | None:
    """PostgreSQL: `searched(filterset, "")` under a search and a participant, a topic or a type (with any other of
    EventFilter's filters, all keyed or dates), where `searched` reads it from the keys alone, never through the
    events' queryset; else None. The page's events are then read by these ids (EventFilter.narrowed), which the
    counts read too. Those filters leave few of the search's matches; under a country, the statements choice or
    dates alone, most can remain, and their intersection, read before the page's events rather than beside them,
    cost more than the page saved (at 100,000 events, "salmon" since 1972: 74 → 88 ms). SQLite: `searched_walked`."""
    if connections[filterset.queryset.db].vendor == "sqlite":
        return searched_walked(filterset)
    if not set(filterset.in_force()) & set(READ_BY_KEYS):
        return None
    return searched(filterset, "", keys_only=True)


def searched_walked(filterset) -> search.Ids | None:
    """SQLite: `searched(filterset, "")` where the search's matches are most of the published events and the other
    filters keyed ones and dates (`searched_most`); else None. The page's events are then read by these ids, walked
    in order where they are most of the events too: as separate conditions, SQLite looked up each of a country's
    events and sorted them (at 100,000 events, a word every event has in Canada's 73,876: 63 ms for the page)."""
    matches = matches_in_force(filterset, filterset.in_force())
    if matches is None or not matches.most or (selected := searched(filterset, "", keys_only=True)) is None:
        return None
    # Still most of the published events (a country's), they are walked in order, each tested (search.among).
    selected.most = querysets.most_events(len(selected), lambda: filterset.kept_count(eventkeys.EVENT, 0))
    return selected


def keyed_events(filterset, name: str) -> set[int]:
    """The ids of the events of the values in force of the keyed filter `name`, read once per page."""
    return keyed_set(filterset, *filterset.keys_of(name))


def keyed_set(filterset, facet: int, values: list[int]) -> set[int]:
    """The ids of the published events with any of these values of `facet`, read once for the filtersets a page
    varies (EventFilter.varied)."""
    events = filterset.__dict__.setdefault("_keyed_events", {})
    if (facet, *values) not in events:
        events[facet, *values] = keyed_ids(facet, values, filterset.queryset.db)
    return events[facet, *values]


def dated_set(filterset, start: datetime.date | None, end: datetime.date | None) -> set[int]:
    """The ids of the published events overlapping [start, end], read from the dated keys (every published event
    has one STATEMENTS key, with statements or without), once for the filtersets a page varies."""
    events = filterset.__dict__.setdefault("_keyed_events", {})
    if ("dates", start, end) not in events:
        sql, params = datedkeys.events_with(eventkeys.STATEMENTS, [0, 1], start, end)
        events["dates", start, end] = set(search.read_ids(sql, params, filterset.queryset.db))
    return events["dates", start, end]


def searched_by_keys(filterset, names: list[str], matches: search.Ids) -> search.Ids | None:
    """PostgreSQL, a search among keyed filters and dates only: its matches among those filters' keys, read from the
    keys' tables alone, after the filters read in Python (`read_by_keys`); the dates are read with one filter's keys
    (timeline/datedkeys.py), or with a search alone, from the events' dates. Matches are of published events only
    (search_documents.py), as keys are, so the events' table is not walked: through it, the ORM's intersection
    checked each of the 95,000 published events against the search's thousands of matches (at 100,000 events,
    "tariffs" in Canada's events, 54 → 29 ms; a word among disputes since 2017, 16 → 8). None otherwise."""
    others = [name for name in names if name != "q"]
    dates = {name: filterset.cleaned[name] for name in ("start", "end") if name in others}
    keyed = [name for name in others if name not in dates]
    if connections[filterset.queryset.db].vendor != "postgresql" or not set(keyed) <= set(filterset.DATED):
        return None
    in_sql = [name for name in keyed if not read_by_keys(filterset, name)]
    if dates and not in_sql:
        in_sql = keyed[:1]  # the dates are read with its keys
    events = matches
    if in_python := [name for name in keyed if name not in in_sql]:
        events = search.Ids(set(matches).intersection(*(keyed_events(filterset, name) for name in in_python)))
    start, end = dates.get("start"), dates.get("end")
    if not in_sql:  # a search and dates alone
        return intersection(filterset.queryset.filter(search.AmongIds(F("pk"), events)).between(start=start, end=end))
    (facet, values), *more = [filterset.keys_of(name) for name in in_sql]
    sql, params = datedkeys.events_with(facet, values, start, end) if dates else eventkeys.events_with(facet, values)
    among_sql, among_params = search.among("event_id", events, "postgresql")
    sql, params = f"{sql} AND {among_sql}", [*params, *among_params]
    for facet, values in more:
        more_sql, more_params = eventkeys.events_with(facet, values)
        sql, params = f"{sql} AND event_id IN ({more_sql})", [*params, *more_params]
    return search.Ids(set(search.read_ids(sql, params, filterset.queryset.db)))  # an event in two countries: two keys


def keyed_ids(facet: int, values: list[int], using: str) -> set[int]:
    """The ids of the published events with any of these values of `facet`."""
    return set(search.read_ids(*eventkeys.events_with(facet, values), using))


def intersection(events) -> search.Ids:
    """The ids of `events`, read past the ORM (which builds a row object for each of thousands)."""
    try:
        sql, params = events.values("pk").query.sql_with_params()
    except EmptyResultSet:  # the filters can match nothing
        return search.Ids()
    return search.Ids(search.read_ids(sql, params, events.db))


def sample_step(filterset, excluded: str) -> int:
    """Every how many of the events every filter but `excluded` selects the counts read: 1, every one of them,
    but under a search selecting more than SAMPLE_SIZE events."""
    return step_of(searched(filterset, excluded))


def step_of(matches: search.Ids | None) -> int:
    return 1 if matches is None else step_for(len(matches))


def step_for(count: int) -> int:
    """Every how many of `count` rows a sample of at most SAMPLE_SIZE reads."""
    return max(1, -(-count // SAMPLE_SIZE))


def sample(filterset, excluded: str) -> search.Ids:
    """The ids of the events a search (and the filters with it but `excluded`) selects that its counts read
    (`sample_step`): every n-th by id, the same for every count of the page under the same filters."""
    return sampled(searched(filterset, excluded))


def sampled(matches: search.Ids | None) -> search.Ids | None:
    """Every `step_of(matches)`-th of these ids, by id: all of them up to SAMPLE_SIZE."""
    step = step_of(matches)
    return matches if step == 1 else matches.every(step)


def scaled(n: int, step: int) -> int:
    """A count of a sample read every `step` events (`sample_step`) as the count of them all: an Estimate."""
    return n if step == 1 else Estimate(n * step)


def events_among(filterset, inner: str) -> str:
    """A condition on timeline_eventkey: its event is one of those the SQL `inner` selects. PostgreSQL reads them
    as one array, whose length the planner sees before choosing how to read the keys: from the events' index, for
    a few thousand events (a topic's: 9.6 instead of 22 ms); `IN` left it to guess how many a combination of
    filters selects, and it hashed every key of the facet even for a few hundred events."""
    if connections[filterset.queryset.db].vendor == "postgresql":
        return f"event_id = ANY(ARRAY({inner}))"
    return f"event_id IN ({inner})"


# Filters that never narrow the events to a few: a date range alone selects most of them, the order none.
BROAD_FILTERS = {"start", "end", "sort"}


def keys_column(filterset, excluded: str) -> str:
    """How a count names the facet column. SQLite reads a facet's keys from the primary key (facet, value, event)
    whenever the facet is named, so it read every key of the facet (a million for six facets) even for the few
    thousand events a topic or a search selects. "+facet" is SQLite's way to keep it off that index, so that
    the keys are read event by event from the events' index: 131 → 28 ms for the largest topic, 181 → 99 ms for
    a common word. A date range alone selects most events, for which the facet's index is the shorter read.
    PostgreSQL chooses from the number of events (see events_among)."""
    narrowing = set(filterset.in_force()) - BROAD_FILTERS - {excluded}
    if narrowing and connections[filterset.queryset.db].vendor == "sqlite":
        return "+facet"
    return "facet"


# Counted together: every facet whose own filter is not in force is counted over the same events, those every filter
# in force selects, and so are the total and the overview's months. One query groups the keys of those events for
# all of them (each event's keys read once, rather than once per facet, and the filters evaluated once), and each
# reads its counts from it. A facet whose own filter is in force is counted on its own, under the other filters.

SHARED_FACETS = {
    "participant": eventkeys.PARTICIPANT,
    "topic": eventkeys.TOPIC,
    "type": eventkeys.TYPE,
    "country": eventkeys.COUNTRY,
    "has_statements": eventkeys.STATEMENTS,
}
MAX_NAMED = 500  # values looked up by name to rank a facet from the shared counts; past that, ranked in SQL


def shares(filterset, excluded: str) -> bool:
    """Whether the counts under every filter but `excluded` are the shared ones: a filter is in force, and
    `excluded`'s is not (with none in force, the kept counts are read instead)."""
    return in_force_but(filterset, excluded) and excluded not in filterset.in_force()


def shared_counts(filterset) -> dict[int, dict[int, int]]:
    """{facet: {value: number of events}} of the events every filter in force selects, for the months (MONTH, whose
    sum is the total: every event has one) and every facet whose own filter is not in force; counted once per
    filterset. The participants' may hold only those that can be among the RANKED with most events."""
    if "_shared_counts" not in filterset.__dict__:
        filterset.__dict__["_shared_counts"] = count_keys(filterset)
    return filterset.__dict__["_shared_counts"]


def count_keys(filterset, wanted: list[int] | None = None, ranked: bool = True) -> dict[int, dict[int, int]]:
    """`shared_counts`; of the `wanted` facets, and with every participant counted unless `ranked`."""
    if wanted is None:
        in_force = filterset.in_force()
        wanted = [eventkeys.MONTH] + [facet for name, facet in SHARED_FACETS.items() if name not in in_force]
    if (complement := statements_complement(filterset, "")) is not None:
        every, without = (count_keys(other, wanted, ranked=False) for other in complement)
        return {facet: less_counts(every[facet], without[facet]) for facet in wanted}
    kept = paired_counts(filterset, wanted, ranked=RANKED if ranked else None)
    if kept is not None:
        return kept
    counts: dict[int, dict[int, int]] = {facet: {} for facet in wanted}
    try:
        inner, params = events_sql(filterset, "")
    except EmptyResultSet:  # the filters can match nothing (a search with no words)
        return counts
    placeholders = ", ".join(["%s"] * len(wanted))
    sql = (
        f"SELECT facet, value, count(*) AS n FROM timeline_eventkey WHERE {keys_column(filterset, '')} IN "
        f"({placeholders}) AND {events_among(filterset, inner)} GROUP BY facet, value"
    )
    params = [*wanted, *params]
    connection = connections[filterset.queryset.db]
    sql, params = rankable((sql, params), connection, RANKED if ranked else None, wanted)
    step = sample_step(filterset, "")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, value, n in cursor.fetchall():
            counts[facet][value] = scaled(n, step)
    return counts


# Read from the kept pairs of keys (timeline_keypair, timeline/eventkeys.py) rather than counted: under one value of
# one filter, the rows of that value's pairs; under dates alone, those of the months inside the range (or outside
# it), with the few events the months cannot say counted from their keys. Exact, like the grouped count: any other
# combination of filters is counted. A facet whose own filter is in force is read the same way under the others:
# under a topic and a date range, the topics' counts are those of the range alone.


def one_key(filterset, excluded: str = "", besides=()) -> tuple[int, int] | None:
    """(facet, value) of the one key every event selected by the filters in force but `excluded` (and `besides`) has
    and no other does, when those filters are one value of a keyed filter: values of one filter widen each other
    (OR), so two are not one key."""
    in_force = [name for name in filterset.in_force() if name not in ("sort", excluded, *besides)]
    if len(in_force) != 1 or in_force[0] not in SHARED_FACETS:
        return None
    name = in_force[0]
    value = filterset.cleaned[name]
    if name == "has_statements":
        return eventkeys.STATEMENTS, 1 if value == "yes" else 0
    if len(value) != 1:
        return None
    value = value[0]
    if name == "type":
        return (eventkeys.TYPE, eventkeys.type_value(value)) if value in eventkeys.TYPES else None
    if name == "country":
        return eventkeys.COUNTRY, eventkeys.country_value(value)
    return SHARED_FACETS[name], value.pk


def one_key_between(filterset, excluded: str = ""):
    """(facet, value, start, end) when the filters in force but `excluded` are one value of a keyed filter that the
    dated keys hold (timeline/datedkeys.py) and a date range; else None."""
    dates = [name for name in ("start", "end") if name != excluded and filterset.cleaned.get(name)]
    key = one_key(filterset, excluded, besides=("start", "end")) if dates else None
    if key is None or key[0] not in datedkeys.FACETS:
        return None
    start, end = (filterset.cleaned.get(name) if name in dates else None for name in ("start", "end"))
    return *key, start, end


def paired_counts(
    filterset, wanted: list[int], excluded: str = "", ranked: int | None = None
) -> dict[int, dict[int, int]] | None:
    """`count_keys`' counts of the `wanted` facets (under every filter in force but `excluded`) read from the kept
    pairs, or None for filters they cannot say. With `ranked`, the participants among them are only those that can
    be among the `ranked` with most events (`rankable`), each counted exactly: under a range, past the values
    eventkeys.ranged_sql chooses to count alone, every one is counted (since 2025, 14,500 of them), and only those
    leave the database (at 100,000 events, `?start=2025` 70 → 57 ms on PostgreSQL)."""
    paired = paired_counts_sql(filterset, wanted, excluded, ranked)
    if paired is None:
        return None
    counts: dict[int, dict[int, int]] = {facet: {} for facet in wanted}
    with connections[filterset.queryset.db].cursor() as cursor:
        cursor.execute(*paired)
        for facet, value, n in cursor.fetchall():
            counts[facet][value] = int(n)  # PostgreSQL sums bigints as numeric
    return counts


def paired_counts_sql(
    filterset, wanted: list[int], excluded: str = "", ranked: int | None = None
) -> tuple[str, list] | None:
    """SQL and parameters of (facet, value, n) reading `paired_counts` from the pairs, or None."""
    key = one_key(filterset, excluded)
    if key is not None:
        return eventkeys.paired_sql(*key, wanted)
    connection = connections[filterset.queryset.db]
    if (dated := one_key_between(filterset, excluded)) is not None:
        paired = datedkeys.paired_sql(connection.vendor, *dated, wanted)
    else:
        in_force = {name for name in filterset.in_force() if name not in ("sort", excluded)}
        start, end = filterset.cleaned.get("start"), filterset.cleaned.get("end")
        if not in_force or not in_force <= {"start", "end"} or start and end and start > end:
            return None
        paired = eventkeys.ranged_sql(connection.vendor, start, end, wanted, ranked)
    return rankable(paired, connection, ranked, wanted)


def ranked_from(counts: dict[int, int], model, limit: int, using: str) -> list[tuple[str, str, int]] | None:
    """`ranked_counts` from counts already taken: the values counting at least as many events as the `limit`-th,
    named in one query that orders them by name as readers expect (NameOrder); None when there are too many of
    those."""
    threshold = sorted(counts.values(), reverse=True)[limit - 1] if len(counts) >= limit else 0
    candidates = [value for value, n in counts.items() if n >= threshold]
    if len(candidates) > MAX_NAMED:
        return None
    if not candidates:
        return []
    label = NameOrder(localized("name") if translated(model, "name") else F("name"))
    rows = (
        model.objects.using(using)
        .filter(pk__in=candidates)
        .annotate(label=label)
        .order_by("label", "pk")
        .values_list("pk", "slug", "label")
    )
    ranked = sorted(rows, key=lambda row: -counts[row[0]])  # stable: by name within a count
    # Read past the models, so cleaned here as their text is when read (timeline.text).
    return [(slug, printable(name), counts[pk]) for pk, slug, name in ranked[:limit]]


def ranked_counts(filterset, name: str, facet: int, model, limit: int) -> list[tuple[str, str, int]]:
    """(slug, name, number of events) of the `limit` values of `facet` (ids of `model`) with most events among
    those every filter but `name` selects, most first, then by name: the name in the reader's language, for a model
    whose name is translated (a topic's), the English where it has no French yet.

    Only the values counting at least as many events as the `limit`-th are joined to their names: joining every
    counted value first sorts thousands of rows by text.
    """
    if shares(filterset, name):
        found = ranked_from(shared_counts(filterset)[facet], model, limit, filterset.queryset.db)
        if found is not None:
            return found
    counted = counts_sql(filterset, name, facet, ranked=limit)
    if counted is None:
        return []
    step = sample_step(filterset, name)
    return [
        (slug, label, scaled(n, step))
        for slug, label, n in ranked(counted, connections[filterset.queryset.db], model, limit)
    ]


def rankable(counted: tuple[str, list], connection, ranked: int | None, wanted: list[int]) -> tuple[str, list]:
    """SQL and parameters of (facet, value, n) of `counted` (of the `wanted` facets), the participants among them only
    those that can be among its `ranked` with most events, ties included; `counted` itself without `ranked` or the
    participants. Only those leave the database: a common word's events have 11,000 participants, a country's since
    1922 some 20,000, once all read into Python and sorted there to keep 32 (the latter 90 → 70 ms at 100,000
    events)."""
    if not ranked or eventkeys.RANKED_FACET not in wanted:
        return counted
    sql, params = counted
    return (
        f"WITH c AS {materialized(connection)}({sql}) SELECT facet, value, n FROM c "
        f"WHERE facet <> %s OR {among_first('WHERE facet = %s')}",
        [*params, eventkeys.RANKED_FACET, eventkeys.RANKED_FACET, ranked - 1],
    )


def among_first(ranked_rows: str = "") -> str:
    """SQL: this row of the WITH list `c` is among its most counted (of its rows `ranked_rows` keeps, a WHERE
    clause), ties included; how many, less one, is the parameter that follows."""
    return f"c.n >= COALESCE((SELECT n FROM c {ranked_rows} ORDER BY n DESC LIMIT 1 OFFSET %s), 0)"


def materialized(connection, kept: bool = True) -> str:
    """The hint of a WITH list kept once (or, with kept=False, read into the query using it), where understood."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return ""
    return "MATERIALIZED " if kept else "NOT MATERIALIZED "


def ranked(counted: tuple[str, list], connection, model, limit: int) -> list[tuple[str, str, int]]:
    """(slug, name, n) of the `limit` rows of `model` with the most n in `counted`, SQL giving (value, n) where the
    values are ids of `model`: events per value for the timeline, statements per value for the statements index."""
    sql, params = counted
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    # Ordered by name as readers expect: ORDER BY the label follows its collation.
    label, label_params = sql_of(
        NameOrder(localized("name") if translated(model, "name") else F("name")), model, connection
    )
    # Counted rows are counted once, not once per reference. Kept ones are read from their index by size
    # (timeline_facetcount_size_idx), the first `limit` only: materialized, all 20,000 of a facet were read (32 ms).
    sql = (
        f"WITH c AS {materialized(connection, sql != KEPT_COUNTS)}({sql}) SELECT {table}.slug, {label} AS label, c.n "
        f"FROM c JOIN {table} ON {table}.{pk} = c.value WHERE {among_first()} "
        f"ORDER BY c.n DESC, label, {table}.{pk} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, *label_params, limit - 1, limit))
        # Read past the models, so cleaned here as their text is when read (timeline.text).
        return [(slug, printable(name), n) for slug, name, n in cursor.fetchall()]


def translated(model, field: str) -> bool:
    return any(f.name == f"{field}_{settings.LANGUAGE_CODE}" for f in model._meta.get_fields())


def sql_of(expression, model, connection) -> tuple[str, list]:
    """An expression over `model`'s table as SQL naming the table itself, for SQL written around the ORM's."""
    query = model.objects.all().query
    sql, params = query.get_compiler(connection=connection).compile(expression.resolve_expression(query))
    return sql, list(params)


def value_counts(filterset, name: str, facet: int, together: bool = True) -> list[tuple[int, int]]:
    """(value, number of events) of every value of `facet` among those every filter but `name` selects; counted
    alone rather than with the other facets (`shared_counts`) when not `together`."""
    if together and shares(filterset, name):
        return list(shared_counts(filterset)[facet].items())
    if not name and facet == eventkeys.MONTH and (kept := paired_counts(filterset, [facet])) is not None:
        return list(kept[facet].items())
    counted = counts_sql(filterset, name, facet)
    if counted is None:
        return []
    sql, params = counted
    step = sample_step(filterset, name)
    with connections[filterset.queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [(value, scaled(n, step)) for value, n in cursor.fetchall()]


def with_selected(rows: list[FacetChoice], selected: list[FacetChoice]) -> list[FacetChoice]:
    """Top choices by count, with every selected choice present even when nothing matches it."""
    chosen = {choice.value: choice for choice in selected}
    choices = [dataclasses.replace(row, selected=row.value in chosen) for row in rows]
    present = {choice.value for choice in choices}
    choices += [choice for value, choice in chosen.items() if value not in present]
    top = [c for c in choices if not c.selected][:FACET_LIMIT]
    return [c for c in choices if c.selected or c in top]


def counted(filterset, name: str, compute, unranked=()):
    """A facet's counts, cached under every filter in force but its own: a page filtered by one topic reuses the
    topics' counts of the unfiltered timeline, a page filtered by a participant and a topic the participants'
    counts of that topic alone. With `unranked` (see `unranked`), those values' counts, under those filters and
    those values."""
    others = [(key, value) for key, value in filterset.selection() if key != name]
    if unranked:
        return cached_aggregate(f"facet:{name}:unranked", [*others, *((name, obj.slug) for obj in unranked)], compute)
    return cached_aggregate(f"facet:{name}", others, compute)


# A linked facet's counts are ranked without the selection, so that every selection under the same other filters
# shares them; a selected value the ranking leaves out is then counted on its own, with the other selected values
# left out, in one more query that reads only their counts.


def unranked(rows: list[tuple[str, str, int]], selected: list) -> list:
    """The selected values (instances with a slug) missing from `rows`, the RANKED values with most counted: none
    when the rows are fewer, since they are then every value counted (one missing counts nothing)."""
    if len(rows) < RANKED:
        return []
    ranked = {slug for slug, _, _ in rows}
    return [obj for obj in selected if obj.slug not in ranked]


def unranked_counts(filterset, name: str, rows, cache, counts_of) -> dict[int, int]:
    """{id: count} of the values selected for `name` that `rows` leave out (`unranked`), as `counts_of(ids)` reads
    them, and cached by `cache` (`counted` or `statements_counted`) under the other filters and those values; {}
    when none is left out."""
    missing = unranked(rows, filterset.cleaned.get(name) or [])
    if not missing:
        return {}
    values = [obj.pk for obj in missing]
    return cache(filterset, name, lambda: counts_of(values), missing)


def placeholders(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def of_values(counted: tuple[str, list], values: list[int] | None) -> tuple[str, list]:
    """SQL giving (value, n) of `counted`'s rows for these `values` alone (None: all). Both databases push the
    condition into `counted`, so that the kept counts and pairs are read for those values only."""
    if values is None:
        return counted
    sql, params = counted
    return f"SELECT value, n FROM ({sql}) counted WHERE value IN ({placeholders(values)})", [*params, *values]


def counts_by_value(counted: tuple[str, list] | None, using: str) -> dict[int, int]:
    if counted is None:
        return {}
    with connections[using].cursor() as cursor:
        cursor.execute(*counted)
        return {value: int(n) for value, n in cursor.fetchall()}


def linked_choices(rows, selected: list, counts: dict[int, int]) -> list[FacetChoice]:
    """The choices of a linked facet: the ranked `rows`, and every selected value, with its count in `counts` (by
    id) when the rows leave it out."""
    found = [FacetChoice(slug, label, n, False) for slug, label, n in rows]
    return with_selected(found, [FacetChoice(obj.slug, obj.name, counts.get(obj.pk, 0), True) for obj in selected])


def linked_facet(filterset, name: str, facet: int, model) -> list[FacetChoice]:
    """A facet of a table linking events to `model` (participants, topics), its choices named by slug."""
    selected = filterset.cleaned.get(name) or []
    # As many as could be shown whatever is selected: the selection is not part of the cached counts' key.
    rows = counted(filterset, name, lambda: ranked_counts(filterset, name, facet, model, RANKED))
    counts = unranked_counts(
        filterset,
        name,
        rows,
        counted,
        lambda values: counts_by_value(counts_sql(filterset, name, facet, values=values), filterset.queryset.db),
    )
    return linked_choices(rows, selected, counts)


def by_count(choices: list[FacetChoice]) -> list[FacetChoice]:
    """Most events first; as many, by name in the reader's language, as the linked facets' ties are (NameOrder)."""
    return sorted(choices, key=lambda choice: (-choice.count, name_key(choice.label)))


def type_facet(filterset) -> list[FacetChoice]:
    selected = filterset.cleaned.get("type") or []

    def compute():
        return [(eventkeys.type_of(value), n) for value, n in value_counts(filterset, "type", eventkeys.TYPE)]

    found = by_count(
        [FacetChoice(value, type_label(value), n, False) for value, n in counted(filterset, "type", compute)]
    )
    return with_selected(found, [FacetChoice(v, type_label(v), 0, True) for v in selected])


def country_facet(filterset) -> list[FacetChoice]:
    selected = filterset.cleaned.get("country") or []
    rows = counted(filterset, "country", lambda: value_counts(filterset, "country", eventkeys.COUNTRY))
    codes = [(eventkeys.country_of(value), n) for value, n in rows]
    found = by_count([FacetChoice(code, country_name(code), n, False) for code, n in codes])
    return with_selected(found, [FacetChoice(c, country_name(c), 0, True) for c in selected])


def has_statements_facet(filterset) -> list[FacetChoice]:
    selected = filterset.cleaned.get("has_statements") or ""

    def compute():
        # Every event has one of the two keys, with statements (1) or without (0): counted as any facet's values.
        counts = dict(value_counts(filterset, "has_statements", eventkeys.STATEMENTS))
        return counts.get(1, 0), counts.get(1, 0) + counts.get(0, 0)

    yes, total = counted(filterset, "has_statements", compute)
    without = Estimate(max(0, total - yes)) if isinstance(yes, Estimate) else total - yes
    return [
        FacetChoice("yes", str(STATEMENTS_CHOICES["yes"]), yes, selected == "yes"),
        FacetChoice("no", str(STATEMENTS_CHOICES["no"]), without, selected == "no"),
    ]


def counted_as(filterset):
    """The filters whose counts are those of `filterset`: the same but the search where it matches more events than
    a sample holds and every published event, and so selects none that the other filters do not. Its counts are
    then exact, and kept or read from the keys, where a sample of its matches was counted (at 100,000 events, a
    word in every event: 17 ms of the page's SQL on PostgreSQL); its events, their order and highlights are the
    search's still. One per filterset, so that its counts are read once."""
    if "_counted_as" not in filterset.__dict__:
        matches = matches_in_force(filterset, filterset.in_force())
        every = (
            matches is not None
            and len(matches) > SAMPLE_SIZE
            and len(matches) == filterset.kept_count(eventkeys.EVENT, 0)
        )
        filterset.__dict__["_counted_as"] = filterset.varied(q=None) if every else filterset
    return filterset.__dict__["_counted_as"]


def kept_count(facet: int, value: int) -> int:
    return eventkeys.kept_count(facet, value, using=Event.objects.db)


def total_except(filterset, excluded: str) -> int:
    """How many events every filter in force but `excluded` selects; read from the kept counts when none does, and
    under a search alone, the number of its matches, read already."""
    if not in_force_but(filterset, excluded):
        return kept_count(eventkeys.EVENT, 0)
    names = [name for name in filterset.in_force() if name not in ("sort", excluded)]
    # A word most events have, under keyed filters and dates: the intersection read in Python (`searched_most`) is
    # counted, not the word asked again in SQL.
    if (matches := matches_in_force(filterset, names)) is not None and (names == ["q"] or matches.most):
        if (selected := searched(filterset, excluded, keys_only=True)) is not None:
            return len(selected)
    return filtered_except(filterset, excluded).count()


def month_counts(filterset, together: bool = True) -> dict:
    """{(first day of a month, date precision): how many of the events every filter in force selects start in
    it, known to that precision}: what the overview counts (timeline.overview.period_counts), from the keys; with
    the facets' counts (`shared_counts`) unless not `together` (a page that shows no facets of these filters)."""
    filterset = counted_as(filterset)
    counts = value_counts(filterset, "", eventkeys.MONTH, together)
    return {eventkeys.month_of(value): n for value, n in counts}


def total(filterset) -> int:
    """How many events every filter in force selects: from the shared counts when the page has taken them (see
    `shared_counts`), under the filters they were counted under (`counted_as`); else counted alone (load more and
    the API need no facets)."""
    counted = filterset.__dict__.get("_counted_as", filterset)
    if "_shared_counts" in counted.__dict__ and shares(counted, ""):
        return shared_total(counted)
    return total_except(filterset, "")


def shared_total(filterset) -> int:
    """The events every filter in force selects: under a search, every one it selects (a sample's MONTH keys are
    an estimate); else their MONTH keys, one each."""
    matches = searched(filterset, "")
    if matches is not None:
        return len(matches)
    return sum(shared_counts(filterset)[eventkeys.MONTH].values())


def estimated(choices: dict[str, list[FacetChoice]], overview=None) -> bool:
    """Whether any of these facets' counts, or the overview's, is estimated from a sample (`sample_step`)."""
    columns = overview.columns if overview else []
    counts = [choice.count for facet in choices.values() for choice in facet] + [c.count for c in columns]
    return any(isinstance(count, Estimate) for count in counts)


def facets(filterset) -> dict[str, list[FacetChoice]]:
    """Choices with counts for each facet of the timeline's filters."""
    filterset = counted_as(filterset)
    return {
        "participant": linked_facet(filterset, "participant", eventkeys.PARTICIPANT, Participant),
        "topic": linked_facet(filterset, "topic", eventkeys.TOPIC, Topic),
        "type": type_facet(filterset),
        "country": country_facet(filterset),
        "has_statements": has_statements_facet(filterset),
    }


# How a chosen value is named: in a facet, and in the list of filters in force above the results.

STATEMENTS_CHOICES = {"yes": _("With statements"), "no": _("Without statements")}
ACTIVE_STATEMENTS = {"yes": _("with statements"), "no": _("without statements")}


def type_label(value: str) -> str:
    return str(dict(Event.Type.choices).get(value, value))


ACTIVE_LABELS = {
    # A search as it is searched (search_text: no control character, which a feed's XML cannot hold); one quoted
    # phrase reads as that quotation, not quoted twice ("““a phrase””", "« « … » »").
    "q": lambda v: gettext("“%(search)s”") % {"search": search.quoted_phrase(v) or search.search_text(v)},
    "dates": format_period,  # start and end together: see active_filters
    "participant": lambda v: v.name,
    "topic": lambda v: v.name,
    "type": type_label,
    "country": country_name,
    "has_statements": lambda v: str(ACTIVE_STATEMENTS[v]),
}


STATEMENT_ACTIVE_LABELS = {
    "q": ACTIVE_LABELS["q"],
    "dates": ACTIVE_LABELS["dates"],
    "speaker": lambda v: gettext("said by %(name)s") % {"name": v.name},
    "topic": ACTIVE_LABELS["topic"],
    "language": lambda v: gettext("in %(language)s") % {"language": language_label(v).lower()},
    "kind": lambda v: kind_label(v),
}


def active_filters(filterset, labels=None) -> list[dict]:
    """The filters in force, each with what a reader calls it and a link to the page without it. The From and To
    dates are one: "1 January 2024 – 31 December 2026" reads as one range, not "from 1 January 2024, to 31
    December 2026", and is removed as one."""
    active = []
    for name, label in (labels or ACTIVE_LABELS).items():
        if name == "dates":
            start, end = filterset.cleaned.get("start"), filterset.cleaned.get("end")
            if start or end:
                active.append({"name": name, "label": label(start, end), "url": filterset.url(start=None, end=None)})
            continue
        value = filterset.cleaned.get(name)
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item not in (None, ""):
                others = [other for other in values if other != item] if isinstance(value, list) else None
                active.append({"name": name, "label": str(label(item)), "url": filterset.url(**{name: others})})
    return active


# The statements index's facets: counted over the keys of the statements every other filter selects, one query
# each, read from the kept counts when no other filter is in force, and cached as long as nothing readers see
# changes (a statement's words and speaker are not in the events' facet keys).

STATEMENT_FACETS = ("speaker", "topic", "language", "kind")


def language_label(value: str) -> str:
    return str(dict(Statement.Language.choices).get(value, value))


def kind_label(value: str) -> str:
    return str(dict(Statement.Kind.choices).get(value, value))


def statements_counted(filterset, name: str, compute, unranked=()):
    """As `counted`, for the statements index."""
    others = [(key, value) for key, value in filterset.selection() if key != name]
    if unranked:
        others += [(name, obj.slug) for obj in unranked]
        return cached_aggregate(f"statement facet:{name}:unranked", others, compute, public=True)
    return cached_aggregate(f"statement facet:{name}", others, compute, public=True)


PROFILE_FILTERS = ("language", "kind")  # filters the kept counts are split by (statementkeys.PROFILE)
SAID = {"start", "end"}  # the statements index's range of days said


def statement_counts_sql(
    filterset, excluded: str, facet: int, values: list[int] | None = None
) -> tuple[str, list] | None:
    """SQL giving (value, n): how many of the statements every filter but `excluded` selects have each value of
    `facet`, from the statements' keys (timeline/statementkeys.py); None when those filters can match nothing:
    read from the kept counts where they say it (`kept_statement_counts_sql`), else counted over the keys of the
    statements those filters select. With `values`, those values' counts alone: read from the kept counts under
    no other filter, else counted over their own statements (read by profile, a language's counts of every
    speaker took 10 ms on SQLite at 300,000 statements; a speaker's, counted, 0.2)."""
    others = [name for name in filterset.in_force() if name not in (excluded, "sort")]
    if values is None or not others:
        kept = kept_statement_counts_sql(filterset, others, facet)
        if kept is not None:
            return of_values(kept, values)
    statements = selected_statements(filterset, excluded, others, None if values is None else (facet, values))
    return None if statements is None else of_values(statementkeys.counts_sql(facet, statements), values)


def kept_statement_counts_sql(filterset, others: list[str], facet: int) -> tuple[str, list] | None:
    """SQL reading `facet`'s counts under the filters `others` from the kept counts, or None where they cannot say
    them: they can when those filters are at most a language and a kind (by the statements' profiles), besides
    which the counts of a language, a kind or the total may have speakers or one topic, and the speakers' counts
    one topic."""
    if not others:
        return statementkeys.counts_sql(facet)
    cleaned = filterset.cleaned
    among = statementkeys.profiles(*(cleaned[name] if name in others else [] for name in PROFILE_FILTERS))
    rest = [name for name in others if name not in PROFILE_FILTERS]
    if not rest:
        return statementkeys.profile_counts_sql(facet, among)
    one_topic = rest == ["topic"] and len(cleaned["topic"]) == 1
    of_profile = facet in statementkeys.OF_PROFILE
    if of_profile and (rest == ["speaker"] or one_topic) or facet == statementkeys.SPEAKER and one_topic:
        ids = [obj.pk for obj in cleaned[rest[0]]]
        return statementkeys.profile_counts_sql(facet, among, within=(filterset.KEYED[rest[0]][0], ids))
    return None


def selected_statements(
    filterset, excluded: str, others: list[str], keyed: tuple[int, list[int]] | None = None
) -> tuple[str, list] | None:
    """SQL of the ids of the statements the filters `others` (every filter in force but `excluded`) select, from
    the keys alone when each of those filters is one of a key (speaker, topic, language, kind); None when they can
    match nothing. With `keyed` (facet, values), of those with one of these values. Under a search, the ids
    `statements_searched` read, or past SAMPLE_SIZE of them a sample (`statements_step`), and under a date range
    alone, those `statements_dated` selects, likewise; with `keyed` (never under a search: those values are counted
    apart, `statement_value_counts`), all of them, the few statements of those values read first, each tested for
    its day (SaidWithin.of)."""
    if (found := statements_searched(filterset, excluded)) is not None:
        return sampled(found).sql(connections[filterset.queryset.db].vendor)
    if (dated := statements_dated(filterset, excluded)) is not None:
        if keyed:
            keyed_sql, keyed_params = statementkeys.statements_with(*keyed)
            sql, params = dated.of("timeline_statementkey.statement_id")
            return f"{keyed_sql} AND {sql}", [*keyed_params, *params]
        return dated.sql()
    if set(others) <= set(filterset.KEYED):
        return filterset.keys(others, keyed)
    # Only published statements have keys, so the statements are taken from all of them: the test of each one's
    # event cost every count a pass over the published events (75 ms a facet under a date range, 50 without it).
    statements = Statement.objects.all() if keyed is None else Statement.objects.keyed(*keyed)
    try:
        return filtered_except(filterset, excluded, statements).values("pk").query.sql_with_params()
    except EmptyResultSet:  # a search with no words: Django then writes no SQL
        return None


def statements_searched(filterset, excluded: str) -> search.Ids | None:
    """Under a search with none but keyed filters (speaker, topic, language, kind; but `excluded`): the ids of the
    published statements they select, else None: those of the search's matches (`statement_matches`) a speaker or
    topic has (`searched_with`) and of the language and kind asked, by their profiles. The counts of a common word's
    24,962 statements, their keys grouped as the search selected them from the statements' own rows, took 115 ms on
    PostgreSQL, where their ids take 17 and a sample's keys 13 (`statements_step`); on SQLite, "policy" in English
    took 204 ms for the page, 163 so. A word with a kind and a language, each filter evaluated over every statement
    in each of the three sets of filters the page counts under, took 219 ms for the page; 94 so. A range of dates
    with a search is counted as before: intersecting the matches with its days measured slower."""
    if (searched := searched_with(filterset, excluded)) is None:
        return None
    return searched.among(searched_profiles(filterset, excluded))


def statements_profiled(filterset, name: str, facet: int) -> dict[int, int] | None:
    """Under a search with none but keyed filters besides `name`: how many of the statements they select are in
    each language or of each kind (`facet`), exact, from their profiles; else None."""
    if facet not in statementkeys.IN_PROFILE or (searched := searched_with(filterset, name)) is None:
        return None
    return searched.counts(searched_profiles(filterset, name), facet)


def searched_with(filterset, excluded: str) -> statementkeys.Profiled | None:
    """Under a search with none but keyed filters and a range of days (but `excluded`): its matches (in the range)
    with the speakers and topics in force (not their languages and kinds), with their profiles; else None."""
    names = [name for name in filterset.in_force() if name not in ("sort", excluded)]
    if "q" not in names or not set(names) <= {"q", *SAID, *filterset.KEYED}:
        return None
    keyed = tuple(name for name in names if name not in ("q", *SAID, *PROFILE_FILTERS))
    if SAID & set(names):
        return statements_within(filterset, keyed)
    if (matches := statement_matches(filterset)) is None:
        return None
    if not keyed:
        return matches
    found = filterset.__dict__.setdefault("_statements_with", {})
    if keyed not in found:
        having = set.intersection(*(matches_with(filterset, name) for name in keyed))
        found[keyed] = matches.having(having)
    return found[keyed]


def statements_within(filterset, keyed: tuple[str, ...]) -> statementkeys.Profiled | None:
    """The published statements the search in force matches within the range of days in force, and the speakers and
    topics `keyed` select, with their profiles, read once per filterset for each set of those
    (StatementQuerySet.profiled); None for a search with nothing to look for. Their keys were grouped as the search
    and the range selected them, every one: a common word's 81,941 since 2020 at 100,000 events took 530 ms on
    PostgreSQL, 510 on SQLite; their ids take 120 and 160, and a sample's keys are grouped (`statements_step`). With a
    speaker or topic, read with them rather than taken from the range's (a speaker's few of the word's 224,513
    since 1900: 250 ms to read those)."""
    if not search.search_query(filterset.cleaned["q"]):
        return None
    within = filterset.__dict__.setdefault("_statements_within", {})
    if keyed not in within:
        names = ["q", *sorted(SAID & set(filterset.in_force())), *keyed]
        within[keyed] = filterset.narrowed(Statement.objects.published(), names).profiled()
    return within[keyed]


def matches_with(filterset, name: str) -> set[int]:
    """The ids of the statements the keyed filter `name` (speaker or topic) selects, read from its keys once per
    filterset, for `searched_with` to take those of the matches (Profiled.having): a speaker has a few, a topic
    17,000 at most at 100,000 events, where a common word matches 24,000 (sending those to the database to be
    looked up in a topic's keys took 7 ms, a speaker's 5 to 10; reading a topic's ids, 4). Each was first looked up
    among the matches, in a set of them all: for a word most statements have, building it took 12 ms."""
    found = filterset.__dict__.setdefault("_matches_with", {})
    if name not in found:
        with connections[filterset.queryset.db].cursor() as cursor:
            cursor.execute(*filterset.keys([name]))
            found[name] = {pk for (pk,) in cursor.fetchall()}
    return found[name]


def searched_profiles(filterset, excluded: str) -> list[int]:
    """The profiles of the languages and kinds in force (but `excluded`); none in force: every profile."""
    cleaned, in_force = filterset.cleaned, [name for name in filterset.in_force() if name != excluded]
    return statementkeys.profiles(*(cleaned[name] if name in in_force else [] for name in PROFILE_FILTERS))


def statements_listed(filterset) -> search.Ids | None:
    """The ids of the statements every filter in force selects, where a search and a speaker or a topic read them
    (`statements_searched`), for the page to be read by them alone (StatementListFilter.filter_queryset); else None.
    In order, the page tested each statement said for the speaker's or topic's keys, many before it found 50 of a
    few hundred (a common word and a topic, 913 of 24,000 matches: 20 ms for the page, 13 so). On SQLite, however
    many: the words' condition had it read every match again (a word most statements have, under a topic: 14,323 of
    241,712, the page's query 63 → 23 ms). On PostgreSQL, past SAMPLE_SIZE, only past the first page: walked, the
    first page of those 14,323 took 6 ms, and by their ids 15; the 41st 156 to 226, and by their ids 46 (the page's
    own query, with its joins: 197 → 116). A search alone or with a language or kind finds its few in the search's
    own index (by their ids, the planner took 1,758 for a handful and joined every one before sorting: 10 → 20
    ms). A search within a range of days too (`statements_within`): on SQLite, the page looked up each of the words'
    matches and sorted those in the range (a common word since 2020: 140 ms); its ids are walked from the range's
    first day (11), each tested against the ids where they are most of the range's statements (search.Ids.most)."""
    if not {"speaker", "topic", *SAID} & set(filterset.in_force()):
        return None
    found = statements_searched(filterset, "")
    if found is None:
        return None
    vendor = connections[filterset.queryset.db].vendor
    if vendor == "sqlite" and said_range(filterset) is not None:
        found.most = 2 * len(found) > said_total(filterset)
    walked = len(found) > SAMPLE_SIZE and vendor != "sqlite"
    return None if walked and filterset.data.get("page", "") in ("", "1") else found


def said_total(filterset) -> int:
    """How many published statements are said within the range of days in force (statementkeys.said_count), read
    once per filterset."""
    if "_said_total" not in filterset.__dict__:
        said = statementkeys.said_count(*said_range(filterset), using=filterset.queryset.db)
        filterset.__dict__["_said_total"] = said
    return filterset.__dict__["_said_total"]


def said_range(filterset) -> tuple[datetime.date | None, datetime.date | None] | None:
    """The statements index's range of days said in force, (start, end), either None for open; else None."""
    if not SAID & set(filterset.in_force()):
        return None
    return filterset.cleaned.get("start"), filterset.cleaned.get("end")


def statements_best_first(filterset) -> bool:
    """Whether the page is read from a search's documents best match first (StatementQuerySet.best_first): on
    PostgreSQL, sorted by relevance, under at most a language and a kind besides a search with something to look
    for. Known before the search's matches are read, so that the first page's ids are ranked alongside them
    (BestFirst.rank_ahead)."""
    names = {name for name in filterset.in_force() if name != "sort"}
    return (
        filterset.relevance_sorted
        and connections[filterset.queryset.db].vendor == "postgresql"
        and names <= {"q", *PROFILE_FILTERS}
        and bool(search.search_query(filterset.cleaned["q"]))
    )


def statement_matches_read(filterset) -> statementkeys.Profiled | None:
    """`statement_matches`, where the page has read them already; else None, without reading them."""
    return filterset.__dict__.get("_statement_matches")


def statement_matches(filterset) -> statementkeys.Profiled | None:
    """The published statements the search in force matches, with their profiles, read once per filterset
    (StatementQuerySet.search_matches)."""
    if "_statement_matches" not in filterset.__dict__:
        filterset.__dict__["_statement_matches"] = filterset.queryset.search_matches(filterset.cleaned["q"])
    return filterset.__dict__["_statement_matches"]


@dataclasses.dataclass(frozen=True)
class SaidWithin:
    """The published statements said within a range of days, as their keys hold them (statementkeys.SAID), or those
    of the profiles `among` (statementkeys.SAID_PROFILE): how many (`total`, exact), and SQL selecting their ids,
    past SAMPLE_SIZE of them every `step`-th by id (the same sample for every count of the page; counts read from it
    are estimates, `scaled`)."""

    start: datetime.date | None
    end: datetime.date | None
    among: tuple[int, ...] | None
    total: int
    topic: int | None = None
    by_profile: bool = False  # a topic's of some profiles read by profile, each tested for its day (statementkeys)

    @property
    def step(self) -> int:
        return step_for(self.total)

    def sql(self) -> tuple[str, list]:
        among = None if self.among is None else list(self.among)
        return statementkeys.said_sql(self.start, self.end, among, self.step, self.topic, self.by_profile)

    def in_order(self) -> tuple[str, list] | None:
        """SQL selecting their ids, every one, from one stretch of keys in the order said (a topic's: the order of
        (day, id)), for the page to be read from it (StatementQuerySet.keyed_in_order); else None."""
        if self.topic is None:
            return None
        among = None if self.among is None else list(self.among)
        return statementkeys.said_sql(self.start, self.end, among, topic=self.topic)

    def of(self, column: str) -> tuple[str, list]:
        """A condition: the statement `column` is among them, every one of them (statementkeys.said_of)."""
        sql, params = statementkeys.said_of(
            column, self.start, self.end, None if self.among is None else list(self.among)
        )
        if self.topic is None:
            return sql, params
        topical, topical_params = statementkeys.of_topic(column, self.topic)
        return f"{sql} AND {topical}", [*params, *topical_params]


def statements_dated(filterset, excluded: str) -> SaidWithin | None:
    """Under a date range alone, or with at most one topic, a language and a kind (but `excluded`): the statements
    said within it (SaidWithin); else None. Their total was known only by reading each of them for its event's
    status, and their counts by grouping the keys of every one (`?start=2025` at 100,000 events: 34,786 statements,
    83 ms; the quotes since 2020, 290); their number is one stretch of the keys now (one for each profile, or the
    topic's) and a sample's keys are grouped."""
    names = [name for name in filterset.in_force() if name not in ("sort", excluded)]
    if not SAID & set(names) or not set(names) <= {*SAID, *PROFILE_FILTERS, "topic"}:
        return None
    topic = None
    if "topic" in names:
        if len(topics := filterset.cleaned["topic"]) > 1:  # a statement on two of them is one statement
            return None
        topic = topics[0].pk
    start, end = (filterset.cleaned.get(name) if name in names else None for name in ("start", "end"))
    among = tuple(searched_profiles(filterset, excluded)) if set(PROFILE_FILTERS) & set(names) else None
    ranges = filterset.__dict__.setdefault("_statements_said", {})
    if (start, end, among, topic) not in ranges:
        using, profiles = filterset.queryset.db, None if among is None else list(among)
        by_profile = False
        if topic is not None and among is not None:
            # Whichever of the topic's statements in the range and those of the profiles are fewer, each of them
            # tested for the other (the French of a topic since 1990: 76 ms by the range, 11 by the profile).
            in_range = statementkeys.said_count(start, end, None, using, topic)
            of_profiles = statementkeys.kept_sum(
                statementkeys.TOPIC_PROFILE, [topic * statementkeys.PROFILES + profile for profile in among], using
            )
            by_profile = of_profiles < in_range
        total = statementkeys.said_count(start, end, profiles, using, topic, by_profile)
        ranges[start, end, among, topic] = SaidWithin(start, end, among, total, topic, by_profile)
    return ranges[start, end, among, topic]


def statements_step(filterset, excluded: str) -> int:
    """Every how many of the statements every filter but `excluded` selects the counts read: 1, every one, but
    under a search selecting more than SAMPLE_SIZE statements, as the timeline's (`sample_step`), or a date range
    alone selecting as many (`statements_dated`)."""
    if (dated := statements_dated(filterset, excluded)) is not None:
        return dated.step
    return step_of(statements_searched(filterset, excluded))


# Counted together, as the timeline's are (`shared_counts`): the facets whose own filter is not in force, and the
# total, are counted over the same statements, those every filter in force selects. Where the kept counts cannot
# say two or more of them, one query groups those statements' keys for all of them (each statement's keys read
# once, the filters evaluated once) rather than one query each.

STATEMENT_FACET_KEYS = {
    "speaker": statementkeys.SPEAKER,
    "topic": statementkeys.TOPIC,
    "language": statementkeys.LANGUAGE,
    "kind": statementkeys.KIND,
}


def statement_shared(filterset) -> list[int]:
    """The facets (STATEMENT for the total) counted together under every filter in force; none when fewer than two
    would be counted."""
    if "_statement_shared" not in filterset.__dict__:
        in_force = [name for name in filterset.in_force() if name != "sort"]
        own = [("", statementkeys.STATEMENT)]
        own += [(name, facet) for name, facet in STATEMENT_FACET_KEYS.items() if name not in in_force]
        counted = [
            facet
            for name, facet in own
            if kept_statement_counts_sql(filterset, in_force, facet) is None
            and statements_profiled(filterset, name, facet) is None
        ]
        filterset.__dict__["_statement_shared"] = counted if len(counted) > 1 else []
    return filterset.__dict__["_statement_shared"]


def statement_shares(filterset, name: str, facet: int) -> bool:
    """Whether `facet`'s counts under every filter but `name` are among those counted together."""
    return name not in filterset.in_force() and facet in statement_shared(filterset)


def statement_shared_counts(filterset) -> dict[int, dict[int, int]]:
    """{facet: {value: number of statements}} of the statements every filter in force selects, for the facets of
    `statement_shared`; counted once per filterset."""
    if "_statement_counts" not in filterset.__dict__:
        wanted = statement_shared(filterset)
        counts: dict[int, dict[int, int]] = {facet: {} for facet in wanted}
        in_force = [name for name in filterset.in_force() if name != "sort"]
        statements = selected_statements(filterset, "", in_force)
        if statements is not None:
            sql, params = statementkeys.grouped_counts_sql(wanted, statements)
            step = statements_step(filterset, "")
            with connections[filterset.queryset.db].cursor() as cursor:
                cursor.execute(sql, params)
                for facet, value, n in cursor.fetchall():
                    counts[facet][value] = scaled(n, step)
        filterset.__dict__["_statement_counts"] = counts
    return filterset.__dict__["_statement_counts"]


def statement_linked_facet(filterset, name: str, facet: int, model) -> list[FacetChoice]:
    """Speakers or topics (`model`) with how many statements each has among those every filter but `name` selects,
    most first."""
    selected = filterset.cleaned.get(name) or []

    def compute():
        if statement_shares(filterset, name, facet):
            found = ranked_from(statement_shared_counts(filterset)[facet], model, RANKED, filterset.queryset.db)
            if found is not None:
                return found
        counted = statement_counts_sql(filterset, name, facet)
        if counted is None:
            return []
        step = statements_step(filterset, name)
        connection = connections[filterset.queryset.db]
        return [(slug, label, scaled(n, step)) for slug, label, n in ranked(counted, connection, model, RANKED)]

    rows = statements_counted(filterset, name, compute)
    counts = unranked_counts(
        filterset, name, rows, statements_counted, lambda values: statement_value_counts(filterset, name, facet, values)
    )
    return linked_choices(rows, selected, counts)


def statement_value_counts(filterset, name: str, facet: int, values: list[int]) -> dict[int, int]:
    """{value: how many of the statements every filter but `name` selects have it} for these values of `facet` (a
    speaker's or topic's id) alone. Under a search, each value's statements are read from their keys and looked for
    among the ids the search read (`statements_searched`): sent to the database to be looked up there, a common
    word's 241,712 took 190 ms to count a speaker's 89; so, a few. Else counted as the facets are
    (`statement_counts_sql`)."""
    if (found := statements_searched(filterset, name)) is None:
        return counts_by_value(statement_counts_sql(filterset, name, facet, values), filterset.queryset.db)
    with connections[filterset.queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT value, statement_id FROM timeline_statementkey "
            f"WHERE facet = %s AND value IN ({placeholders(values)})",
            [facet, *values],
        )
        keyed = cursor.fetchall()
    selected = found.as_set()
    counts: dict[int, int] = {}
    for value, pk in keyed:
        if pk in selected:
            counts[value] = counts.get(value, 0) + 1
    return counts


def statement_choice_facet(filterset, name: str, label, facet: int, codes: tuple[str, ...]) -> list[FacetChoice]:
    """A facet of a field of the statements themselves (language, kind), in the order of its choices."""
    selected = filterset.cleaned.get(name) or []

    def compute():
        if (profiled_counts := statements_profiled(filterset, name, facet)) is not None:
            rows = profiled_counts.items()
        elif statement_shares(filterset, name, facet):
            rows = statement_shared_counts(filterset)[facet].items()
        else:
            counted = statement_counts_sql(filterset, name, facet)
            if counted is None:
                return {}
            step = statements_step(filterset, name)
            with connections[filterset.queryset.db].cursor() as cursor:
                cursor.execute(*counted)
                rows = [(value, scaled(n, step)) for value, n in cursor.fetchall()]
        return {statementkeys.code_of(codes, value): n for value, n in rows}

    counts = statements_counted(filterset, name, compute)
    values = [value for value, _ in Statement._meta.get_field(name).choices]
    return [FacetChoice(value, label(value), counts.get(value, 0), value in selected) for value in values]


def statement_total(filterset) -> int:
    """How many statements every filter in force selects: from the facets' shared counts when the page has taken
    them (`statement_shared_counts`), else counted as the facets are (`statement_counts_sql`); under a search, the
    statements it selects, all of them (`statements_searched`), and under a date range alone, the statements said in
    it (`statements_dated`)."""
    if (found := statements_searched(filterset, "")) is not None:
        return len(found)
    if (dated := statements_dated(filterset, "")) is not None:
        return dated.total
    if "_statement_counts" in filterset.__dict__ and statement_shares(filterset, "", statementkeys.STATEMENT):
        return sum(statement_shared_counts(filterset)[statementkeys.STATEMENT].values())
    counted = statement_counts_sql(filterset, "", statementkeys.STATEMENT)
    if counted is None:
        return 0
    with connections[filterset.queryset.db].cursor() as cursor:
        cursor.execute(*counted)
        return sum(n for _, n in cursor.fetchall())


def statement_facets(filterset) -> dict[str, list[FacetChoice]]:
    """Choices with counts for each facet of the statements index."""
    return {
        "speaker": statement_linked_facet(filterset, "speaker", statementkeys.SPEAKER, Participant),
        "topic": statement_linked_facet(filterset, "topic", statementkeys.TOPIC, Topic),
        "language": statement_choice_facet(
            filterset, "language", language_label, statementkeys.LANGUAGE, statementkeys.LANGUAGES
        ),
        "kind": statement_choice_facet(filterset, "kind", kind_label, statementkeys.KIND, statementkeys.KINDS),
    }
