"""The published events' facet keys: a compact index of what every filter and facet of the timeline reads.

One row of timeline_eventkey per (facet, value, published event): the event itself (facet EVENT, value 0), the month
it starts in, its type, each of its participants, topics and participants' countries, whether it has statements
(value 1) or none (value 0: "without statements" is read as any other key), who speaks in them, and every source it
or its statements cite. Only published events have keys, so "published" needs no further condition, and the keys of
one facet value sit together in the primary key (facet, value, event): a filter reads the events of a value from it,
a count groups it without touching the 70 MB events table. timeline_facetcount holds the number of events of every
(facet, value), so the timeline's unfiltered facets, the participants' and topics' event counts and the total are
read, not counted; its SOURCE rows are the sources the public timeline cites. timeline_publishercount holds how many
of those each publisher has of each kind, so the sources' index pages through its publishers without grouping
200,000 sources. timeline_keypair holds, for every two keys of different facets that some published events share,
how many do (both ways round), for the facets the timeline's counts read (PAIRED): the counts of one topic's events,
or of the events of some months, are read rather than grouped (timeline/facets.py).

These tables are derived data, kept exact by database triggers in the same transaction as the change (an edit in
the admin, an import, a bulk update, SQL in psql), like the data versions of timeline/versions.py. They are not
models, so no dump, backup or fixture holds them: a backup restored, a fixture loaded, rebuild their rows through
the same triggers; the functions below are how the rest of the app reads them. `rebuild()` recomputes them all from
scratch (the migration that creates them, and `generate_synthetic`, which writes with the triggers suspended).
"""

import calendar
import contextlib
import datetime
import functools

from django.db import connection as default_connection
from django.db import connections
from django.db.models import BooleanField, F, Func, IntegerField
from django.db.models.functions import Coalesce

EVENT, PARTICIPANT, TOPIC, COUNTRY, STATEMENTS, MONTH, TYPE, SPEAKER, SOURCE = 0, 1, 2, 3, 4, 5, 6, 7, 8
# A participant readers can reach: in a published event, or the speaker of a published statement.
PUBLIC_PARTICIPANT = (PARTICIPANT, SPEAKER)

# An event type's key is its place among Event.Type's choices (0 for a value not among them). Changing the choices
# changes the keys: a migration that does must call rebuild() (tests/test_eventkeys.py holds this list to them).
TYPES = (
    "meeting",
    "summit",
    "tariff_action",
    "retaliation",
    "agreement",
    "legislation",
    "election",
    "appointment",
    "statement",
    "dispute",
    "negotiation",
    "other",
)


def type_code_sql(column: str) -> str:
    cases = " ".join(f"WHEN '{value}' THEN {number}" for number, value in enumerate(TYPES, start=1))
    return f"(CASE {column} {cases} ELSE 0 END)"


def type_of(value: int) -> str:
    return TYPES[value - 1] if 1 <= value <= len(TYPES) else ""


def type_value(code: str) -> int:
    return TYPES.index(code) + 1 if code in TYPES else 0


PRECISIONS = ("day", "month", "year")  # timeline.dates.Precision's values


def month_sql(vendor: str, column: str, precision: str) -> str:
    """The month an event starts in and the precision its date is known to, as one number:
    (year * 12 + month - 1) * 4 + the precision's place (an event known to the year is not counted as January's)."""
    if vendor == "postgresql":
        year, month = f"EXTRACT(YEAR FROM {column})", f"EXTRACT(MONTH FROM {column})"
    else:
        year, month = f"strftime('%Y', {column})", f"strftime('%m', {column})"
    cases = " ".join(f"WHEN '{value}' THEN {number}" for number, value in enumerate(PRECISIONS))
    months = f"(CAST({year} AS integer) * 12 + CAST({month} AS integer) - 1)"
    return f"({months} * 4 + (CASE {precision} {cases} ELSE 0 END))"


@functools.lru_cache(maxsize=16384)  # the overview decodes every month with events, on every page
def month_of(value: int) -> tuple:
    """(first day of the month, date precision) of a MONTH key."""
    months, precision = divmod(value, 4)
    return datetime.date(months // 12, months % 12 + 1, 1), PRECISIONS[precision]


# Reading the keys


# A key with at most this many events has them read by the key first (EventQuerySet.keyed, facets.searched): a
# lookup each costs less than walking the timeline, or a search's thousands of events, for them.
FEW_EVENTS = 2000


def events_with(facet: int, values) -> tuple[str, list]:
    """SQL and parameters selecting the ids of the published events with any of these values of `facet`."""
    values = list(values)
    placeholders = ", ".join(["%s"] * len(values)) or "NULL"
    return f"SELECT event_id FROM timeline_eventkey WHERE facet = %s AND value IN ({placeholders})", [facet, *values]


def kept_count(facet: int, value: int, using: str = "default") -> int:
    """How many published events have this value of `facet`, as the database keeps it."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT n FROM timeline_facetcount WHERE facet = %s AND value = %s", [facet, value])
        row = cursor.fetchone()
    return row[0] if row else 0


def kept_values(facet: int, values: list[int], using: str = "default") -> set[int]:
    """Those of `values` that some published event has as a value of `facet`, as the database keeps them."""
    if not values:
        return set()
    placeholders = ", ".join(["%s"] * len(values))
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT value FROM timeline_facetcount WHERE facet = %s AND value IN ({placeholders})", [facet, *values]
        )
        return {value for (value,) in cursor.fetchall()}


def kept_counts(facet: int, limit: int | None = None, using: str = "default") -> list[tuple[int, int]]:
    """(value, events) of `facet`, most events first."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT value, n FROM timeline_facetcount WHERE facet = %s ORDER BY n DESC, value"
            + (" LIMIT %s" if limit else ""),
            [facet, limit] if limit else [facet],
        )
        return [tuple(row) for row in cursor.fetchall()]


class _OfEachRow(Func):
    """SQL about each row of the outer query, written around its primary key as Django names it: as a column, the
    key is relabelled with the query (U0 inside a subquery), where a table's name written out would have tied the
    subquery to the outer query's rows (page 3,500 of the API's sources ran for minutes so)."""

    def __init__(self, *facets: int, of: str = "pk", **extra):
        super().__init__(F(of), facets=", ".join(str(int(facet)) for facet in facets), **extra)


class _KeptCount(_OfEachRow):
    template = "(SELECT n FROM timeline_facetcount WHERE facet = %(facets)s AND value = %(expressions)s)"
    output_field = IntegerField()


class _HasValue(_OfEachRow):
    template = "EXISTS (SELECT 1 FROM timeline_facetcount WHERE facet IN (%(facets)s) AND value = %(expressions)s)"
    output_field = BooleanField()


class _AmongKeys(_OfEachRow):
    template = (
        "%(expressions)s = ANY(ARRAY(SELECT event_id FROM timeline_eventkey WHERE facet = %(facets)s "
        "AND value IN (%(values)s)))"
    )
    output_field = BooleanField()


def among_keys_sql(facet: int, values) -> Func:
    """PostgreSQL: whether each event of the query has one of these values of `facet`, their events read first, as
    one array. For a value with few events the planner cannot see (the events without statements, where every event
    has some: its statistics know only the other value), it walked every event in the page's order looking for them
    (140 ms at 100,000 events); read first, they are a few lookups. For many events, the reverse."""
    return _AmongKeys(facet, values=", ".join(str(int(value)) for value in values) or "NULL")


def kept_count_sql(facet: int) -> Coalesce:
    """How many published events each row of the query (participants, topics) has as a value of `facet`: a
    correlated subquery on the kept counts, 0 for none."""
    return Coalesce(_KeptCount(facet), 0)


def has_value_sql(*facets: int, of: str = "pk") -> Func:
    """Whether each row of the query (participants, topics, sources) is, or its field `of` names, a value of one of
    `facets` that some published event has: a correlated EXISTS, which leaves the planner free to start from an index
    on the outer table (a slug, a page's publishers) or from the rows its other conditions keep."""
    return _HasValue(*facets, of=of)


def paired_sql(facet: int, value: int, facets: list[int]) -> tuple[str, list]:
    """SQL and parameters of (facet, value, n): how many of the published events with this value of `facet` have
    each value of `facets` (other facets, among PAIRED), as timeline_keypair keeps them."""
    placeholders = ", ".join(["%s"] * len(facets))
    return (
        f"SELECT facet_b AS facet, value_b AS value, n FROM timeline_keypair WHERE facet_a = %s AND value_a = %s "
        f"AND facet_b IN ({placeholders})",
        [facet, value, *facets],
    )


def month_number(day) -> int:
    return day.year * 12 + day.month - 1


# Ranking a large facet under a date range: only the values that can be among its first `ranked` need counting.
# A value's events in a range are at most its events in all, so once some values' counts in the range are known,
# no value with fewer events in all than the `ranked`-th of those can rank (or tie) among the first: the values
# with the most events are counted first (FIRST_ROUND per value ranked), then every value with at least as many
# events as the `ranked`-th count among them. Past MOST_CHOSEN values, the facet is counted whole, as any other.
RANKED_FACET = PARTICIPANT
FIRST_ROUND = 8
MOST_CHOSEN = 2000


def ranged_sql(vendor: str, start, end, facets: list[int], ranked: int | None = None) -> tuple[str, list]:
    """SQL and parameters of (facet, value, n): how many of the published events overlapping [start, end] (either
    None for open) have each value of `facets` (MONTH and others of PAIRED), for the values some of them have:
    the filter of EventQuerySet.between, start_date <= end AND COALESCE(end_date, start_date) >= start. With
    `ranked`, the values of RANKED_FACET (the participants) are only those that can be among its `ranked` with
    most events (ties included), each with its exact count.

    Those events are the ones starting in the range, and those starting before it and ending in or after it. Of
    the first, the events of the months wholly inside the range are read from the pairs of their MONTH keys (the
    MONTH counts themselves from timeline_facetcount), or, when those months hold more than half the events, the
    events of every month less those of the months wholly outside. Counted from their keys: the events of the
    months a day-precise bound cuts, on the range's side (or, the other way, outside it), and the events starting
    before the range that reach into it. A MONTH key is the month of start_date whatever the date's precision, so an
    event known to the year or the month counts in the month its start_date is in, as the filter reads it.
    """
    low = high = None  # the MONTH key values of the first and last months wholly in the range (None: open)
    inside, outside = [], []  # (first, last) days of start_date counted from the keys, in and out of the range
    if start is not None:
        low = (month_number(start) + (start.day != 1)) * 4
        if start.day != 1:
            inside.append((start, start.replace(day=calendar.monthrange(start.year, start.month)[1])))
            outside.append((start.replace(day=1), start - datetime.timedelta(days=1)))
    if end is not None:
        last_day = calendar.monthrange(end.year, end.month)[1]
        high = (month_number(end) - (end.day != last_day)) * 4 + 3  # every precision of the month
        if end.day != last_day:
            inside.append((end.replace(day=1), end))
            outside.append((end + datetime.timedelta(days=1), end.replace(day=last_day)))
    if inside and start is not None and end is not None and month_number(start) == month_number(end):
        inside = [(start, end)]  # one month, cut at one end or both

    def months(column: str) -> tuple[str, list]:
        bounds = [(f"{column} >= %s", low), (f"{column} <= %s", high)]
        return " AND ".join([sql for sql, bound in bounds if bound is not None] or ["1 = 1"]), [
            bound for _, bound in bounds if bound is not None
        ]

    def among(events: str) -> str:
        if vendor == "postgresql":  # an array, whose length the planner sees (facets.events_among)
            return f"= ANY(ARRAY({events}))"
        return f"IN ({events})"

    def starting(days: list[tuple]) -> tuple[str, list]:
        return " OR ".join(["start_date BETWEEN %s AND %s"] * len(days)), [day for pair in days for day in pair]

    def keyed(sign: str, condition: str, params: list, side: str, counted: list[int], values="", joined="few"):
        events = f"SELECT id FROM timeline_event WHERE status = 'published' AND ({condition})"
        wanted = ", ".join(str(facet) for facet in counted)
        # From the keys' index by event: SQLite otherwise reads every key of the facets.
        column = "facet" if vendor == "postgresql" else "+facet"
        source = f"{joined} CROSS JOIN timeline_eventkey" if joined else "timeline_eventkey"
        return (
            f"SELECT facet, value, {sign}CAST(count(*) AS integer) FROM {source} "
            f"WHERE {side} AND {column} IN ({wanted}) AND event_id {among(events)}{values} GROUP BY facet, value",
            params,
        )

    def parts(counted: list[int], gate: str = "") -> list[tuple[str, list]]:
        """The parts counting `counted` facets in full (where `gate` holds)."""
        inner, outer = f"few.inside{gate}", f"NOT few.inside{gate}"
        others = ", ".join(str(facet) for facet in counted if facet != MONTH) or "NULL"
        wanted = ", ".join(str(facet) for facet in counted)
        paired, paired_params = months("value_a")
        found = [
            (
                f"SELECT facet_b AS facet, value_b AS value, n FROM few CROSS JOIN timeline_keypair "
                f"WHERE {inner} AND facet_a = {MONTH} AND {paired} AND facet_b IN ({others})",
                paired_params,
            ),
            (
                f"SELECT facet, value, n FROM few CROSS JOIN timeline_facetcount WHERE {outer} AND facet IN ({wanted})",
                [],
            ),
        ]
        if MONTH in counted:
            found.append(
                (
                    f"SELECT facet, value, n FROM few CROSS JOIN timeline_facetcount WHERE {inner} "
                    f"AND facet = {MONTH} AND {within}",
                    within_params,
                )
            )
        # The months wholly outside the range: before the one `start` is in, after the one `end` is in.
        before = None if start is None else month_number(start) * 4
        after = None if end is None else month_number(end) * 4 + 3
        for bound, operator in ((before, "<"), (after, ">")):
            if bound is not None:
                found.append(
                    (
                        f"SELECT facet_b, value_b, -n FROM few CROSS JOIN timeline_keypair WHERE {outer} "
                        f"AND facet_a = {MONTH} AND value_a {operator} %s AND facet_b IN ({others})",
                        [bound],
                    )
                )
                if MONTH in counted:
                    found.append(
                        (
                            f"SELECT facet, value, -n FROM few CROSS JOIN timeline_facetcount WHERE {outer} "
                            f"AND facet = {MONTH} AND value {operator} %s",
                            [bound],
                        )
                    )
        if inside:
            found.append(keyed("", *starting(inside), inner, counted))
        if outside:
            found.append(keyed("-", *starting(outside), outer, counted))
        if start is not None:
            # Starting before the range and reaching into it: only an event with an end_date can (event_ranged_idx).
            found.append(keyed("", *reaching, f"1 = 1{gate}", counted))
        return found

    reaching = ("end_date >= %s AND start_date < %s AND end_date IS NOT NULL", [start, start])
    # Whether the interior months hold at most half the events, so that they are the cheaper side to read (and
    # whether the ranked facet's chosen values are few): a row that each part is joined to (computed once: it is read
    # more than once), so the side not read is not scanned (a scalar subquery in the WHERE clause leaves SQLite
    # scanning the rows to test it on each).
    within, within_params = months("value")
    ranking = ranked is not None and RANKED_FACET in facets
    ctes = chosen_ctes(RANKED_FACET, ranked, months("value_b")) if ranking else []
    small = ", (SELECT small FROM ranking) AS small" if ranking else ""
    ctes.append(
        (
            f"few AS (SELECT 2 * COALESCE(SUM(CASE WHEN {within} THEN n ELSE 0 END), 0) "
            f"<= COALESCE(SUM(n), 0) AS inside{small} FROM timeline_facetcount WHERE facet = {MONTH})",
            within_params,
        )
    )
    rest = [facet for facet in facets if not (ranking and facet == RANKED_FACET)]
    found = parts(rest) if rest else []
    if ranking:
        # Counted whole where too many values were chosen; else the chosen values' events in the months wholly
        # inside, from their pairs with the MONTH keys, and from their keys those of the cut months' days inside
        # and those reaching into the range from before it. Those read no other row: joined to one, SQLite built
        # a Bloom filter of every pair of the facet's values first (80 ms).
        found += parts([RANKED_FACET], " AND NOT few.small")
        chosen = among("SELECT value FROM chosen")
        paired, paired_params = months("value_b")
        found.append(
            (
                f"SELECT facet_a AS facet, value_a AS value, n FROM timeline_keypair WHERE facet_a = {RANKED_FACET} "
                f"AND value_a {chosen} AND facet_b = {MONTH} AND {paired}",
                paired_params,
            )
        )
        # The keys of those few events are read by event, each tested against the values chosen (SQLite's "+").
        values = f" AND {'' if vendor == 'postgresql' else '+'}value IN (SELECT value FROM chosen)"
        if inside:
            found.append(keyed("", *starting(inside), "1 = 1", [RANKED_FACET], values, joined=""))
        if start is not None:
            found.append(keyed("", *reaching, "1 = 1", [RANKED_FACET], values, joined=""))
    # Summed here rather than in Python (as integers: PostgreSQL sums bigints as numerics, slowly): a wide range
    # subtracts 200,000 rows of pairs from the counts of every month.
    sql = " UNION ALL ".join(f"SELECT * FROM ({sql}) part" for sql, _ in found)
    return (
        f"WITH {', '.join(cte for cte, _ in ctes)} SELECT facet, value, SUM(n) AS n FROM ({sql}) counted "
        f"GROUP BY facet, value HAVING SUM(n) <> 0",
        [*(param for _, params in ctes for param in params), *(param for _, params in found for param in params)],
    )


def chosen_ctes(facet: int, ranked: int, months: tuple[str, list]) -> list[tuple[str, list]]:
    """`chosen`, the values of `facet` to count under a date range (the MONTH keys `months` selects) for its first
    `ranked`, none unless they are few enough to count them alone; and `ranking`, a row saying whether they are."""
    inside, params = months
    return [
        (
            f"top AS (SELECT value FROM timeline_facetcount WHERE facet = {facet} AND n > 0 ORDER BY n DESC LIMIT %s)",
            [ranked * FIRST_ROUND],
        ),
        # The months wholly inside alone: a lower bound of each count, so a bar no higher than the true one.
        (
            f"first AS (SELECT SUM(n) AS n FROM timeline_keypair WHERE facet_a = {facet} "
            f"AND value_a IN (SELECT value FROM top) AND facet_b = {MONTH} AND {inside} GROUP BY value_a)",
            params,
        ),
        ("bar AS (SELECT COALESCE((SELECT n FROM first ORDER BY n DESC LIMIT 1 OFFSET %s), 0) AS n)", [ranked - 1]),
        (
            f"ranking AS (SELECT (SELECT n FROM bar) > 0 AND (SELECT count(*) FROM (SELECT 1 FROM timeline_facetcount "
            f"WHERE facet = {facet} AND n >= (SELECT n FROM bar) LIMIT %s) most) <= %s AS small)",
            [MOST_CHOSEN + 1, MOST_CHOSEN],
        ),
        (
            f"chosen AS (SELECT value FROM timeline_facetcount WHERE (SELECT small FROM ranking) AND facet = {facet} "
            f"AND n >= (SELECT n FROM bar) AND n > 0)",
            [],
        ),
    ]


class Publishers:
    """Every publisher of a source the public timeline cites, with its number of sources of each kind, as the kept
    counts hold them: alphabetical whatever the case, the unnamed last, read one page at a time (for a Paginator)."""

    def __init__(self, using: str = "default"):
        self.using = using
        self._summary = None

    def _rows(self, sql: str, params=()) -> list[tuple]:
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def summary(self) -> tuple[int, int, dict[str, int]]:
        """The number of publishers, of sources, and of sources of each kind, in one query."""
        if self._summary is None:
            sums = ", ".join(f"COALESCE(SUM({column}), 0)" for column in ["n", *KIND_COLUMNS.split(", ")])
            publishers, sources, *by_kind = self._rows(f"SELECT count(*), {sums} FROM timeline_publishercount")[0]
            self._summary = (publishers, sources, dict(zip(KINDS, by_kind, strict=True)))
        return self._summary

    def count(self) -> int:
        return self.summary()[0]

    def __len__(self) -> int:
        return self.count()

    def sources(self) -> int:
        """The number of sources the public timeline cites."""
        return self.summary()[1]

    def totals(self) -> dict[str, int]:
        """The number of those of each kind."""
        return self.summary()[2]

    def __getitem__(self, page: slice) -> list[dict]:
        # The named publishers of the page in readers' order of names, read from an index in that order (migration
        # 0031), then the unnamed one (''), which belongs to the page only if it is past the last named one.
        from timeline.querysets import readers_order_sql

        start, stop = page.start or 0, page.stop
        in_order = f"{readers_order_sql(connections[self.using], 'publisher_key')}, publisher_key"
        rows = self._rows(
            f"SELECT * FROM (SELECT * FROM (SELECT 0 AS part, publisher_key, n, {KIND_COLUMNS} "
            f"FROM timeline_publishercount WHERE publisher_key <> '' ORDER BY {in_order} LIMIT %s OFFSET %s) named "
            f"UNION ALL SELECT 1, publisher_key, n, {KIND_COLUMNS} FROM timeline_publishercount "
            f"WHERE publisher_key = '') page ORDER BY part, {in_order}",
            [stop - start, start],
        )
        named = sum(1 for part, *_ in rows if part == 0)
        return [
            {"publisher_key": key, "count": count, **dict(zip(KINDS, by_kind, strict=True))}
            for part, key, count, *by_kind in rows
            if part == 0 or named < stop - start
        ]


def country_code_sql(vendor: str, column: str) -> str:
    """A two-letter code as a number (first letter times 256 plus the second), which every database can compute."""
    char = "ascii" if vendor == "postgresql" else "unicode"
    return f"({char}(substr({column}, 1, 1)) * 256 + {char}(substr({column}, 2, 1)))"


def country_of(value: int) -> str:
    return chr(value // 256) + chr(value % 256)


def country_value(code: str) -> int:
    return ord(code[0]) * 256 + ord(code[1])


def keys_sql(vendor: str, events: str) -> str:
    """SELECT facet, value, event_id (so named) of the published events that the SQL condition `events` on `e`
    selects."""
    published = f"e.status = 'published' AND ({events})"
    return f"""
        SELECT {EVENT} AS facet, 0 AS value, e.id AS event_id FROM timeline_event e WHERE {published}
        UNION SELECT {MONTH}, {month_sql(vendor, "e.start_date", "e.date_precision")}, e.id
            FROM timeline_event e WHERE {published}
        UNION SELECT {TYPE}, {type_code_sql("e.event_type")}, e.id FROM timeline_event e WHERE {published}
        UNION SELECT {PARTICIPANT}, i.participant_id, i.event_id
            FROM timeline_involvement i JOIN timeline_event e ON e.id = i.event_id WHERE {published}
        UNION SELECT {TOPIC}, t.topic_id, t.event_id
            FROM timeline_event_topics t JOIN timeline_event e ON e.id = t.event_id WHERE {published}
        UNION SELECT {COUNTRY}, {country_code_sql(vendor, "p.country")}, i.event_id
            FROM timeline_involvement i JOIN timeline_participant p ON p.id = i.participant_id
            JOIN timeline_event e ON e.id = i.event_id WHERE p.country <> '' AND {published}
        UNION SELECT {STATEMENTS}, 1, s.event_id
            FROM timeline_statement s JOIN timeline_event e ON e.id = s.event_id WHERE {published}
        UNION SELECT {STATEMENTS}, 0, e.id FROM timeline_event e
            WHERE {published} AND NOT EXISTS (SELECT 1 FROM timeline_statement s WHERE s.event_id = e.id)
        UNION SELECT {SPEAKER}, s.speaker_id, s.event_id
            FROM timeline_statement s JOIN timeline_event e ON e.id = s.event_id WHERE {published}
        UNION SELECT {SOURCE}, c.source_id, c.event_id
            FROM timeline_event_sources c JOIN timeline_event e ON e.id = c.event_id WHERE {published}
        UNION SELECT {SOURCE}, c.source_id, s.event_id FROM timeline_statement_sources c
            JOIN timeline_statement s ON s.id = c.statement_id JOIN timeline_event e ON e.id = s.event_id
            WHERE {published}
    """


# What a change to each table can change, as the events whose keys must be recomputed. For PostgreSQL: a query
# over the statement's transition tables (old_rows, new_rows); for SQLite: a condition on the row, and the events.
# (operation -> SQL); UPDATE entries recompute only when a column the keys read has changed, found with EXCEPT
# rather than a join of old and new rows on the primary key: the transition tables have no index, and a nested
# loop over them (a function's cached plan can keep one from an update of one row) made bulk updates quadratic.

POSTGRESQL_AFFECTED = {
    "timeline_event": {
        "INSERT": "SELECT id FROM new_rows WHERE status = 'published'",
        "UPDATE": "SELECT id FROM (SELECT id, status, start_date, date_precision, event_type FROM new_rows "
        "EXCEPT SELECT id, status, start_date, date_precision, event_type FROM old_rows) changed "
        "WHERE status = 'published' OR id IN (SELECT id FROM old_rows WHERE status = 'published')",
        "DELETE": "SELECT id FROM old_rows WHERE status = 'published'",
    },
    "timeline_involvement": {
        "INSERT": "SELECT event_id FROM new_rows",
        "UPDATE": "SELECT event_id FROM new_rows UNION SELECT event_id FROM old_rows",
        "DELETE": "SELECT event_id FROM old_rows",
    },
    "timeline_event_topics": {
        "INSERT": "SELECT event_id FROM new_rows",
        "UPDATE": "SELECT event_id FROM new_rows UNION SELECT event_id FROM old_rows",
        "DELETE": "SELECT event_id FROM old_rows",
    },
    "timeline_statement": {
        "INSERT": "SELECT event_id FROM new_rows WHERE event_id IS NOT NULL",
        "UPDATE": "SELECT event_id FROM (SELECT id, event_id, speaker_id FROM new_rows "
        "EXCEPT SELECT id, event_id, speaker_id FROM old_rows) moved_to "
        "UNION SELECT event_id FROM (SELECT id, event_id, speaker_id FROM old_rows "
        "EXCEPT SELECT id, event_id, speaker_id FROM new_rows) moved_from",
        "DELETE": "SELECT event_id FROM old_rows WHERE event_id IS NOT NULL",
    },
    "timeline_participant": {
        "UPDATE": "SELECT i.event_id FROM timeline_involvement i WHERE i.participant_id IN "
        "(SELECT id FROM (SELECT id, country FROM new_rows EXCEPT SELECT id, country FROM old_rows) moved)",
    },
    "timeline_event_sources": {
        "INSERT": "SELECT event_id FROM new_rows",
        "UPDATE": "SELECT event_id FROM new_rows UNION SELECT event_id FROM old_rows",
        "DELETE": "SELECT event_id FROM old_rows",
    },
    "timeline_statement_sources": {
        "INSERT": "SELECT s.event_id FROM timeline_statement s WHERE s.id IN (SELECT statement_id FROM new_rows)",
        "UPDATE": "SELECT s.event_id FROM timeline_statement s WHERE s.id IN "
        "(SELECT statement_id FROM new_rows UNION SELECT statement_id FROM old_rows)",
        "DELETE": "SELECT s.event_id FROM timeline_statement s WHERE s.id IN (SELECT statement_id FROM old_rows)",
    },
}

SQLITE_AFFECTED = {
    "timeline_event": {
        "INSERT": ("NEW.status = 'published'", "NEW.id"),
        "UPDATE": (
            "OLD.status IS NOT NEW.status OR NEW.status = 'published' AND "
            "(OLD.start_date IS NOT NEW.start_date OR OLD.date_precision IS NOT NEW.date_precision "
            "OR OLD.event_type IS NOT NEW.event_type)",
            "NEW.id",
        ),
        "DELETE": ("OLD.status = 'published'", "OLD.id"),
    },
    "timeline_involvement": {
        "INSERT": ("1 = 1", "NEW.event_id"),
        "UPDATE": ("1 = 1", "NEW.event_id, OLD.event_id"),
        "DELETE": ("1 = 1", "OLD.event_id"),
    },
    "timeline_event_topics": {
        "INSERT": ("1 = 1", "NEW.event_id"),
        "UPDATE": ("1 = 1", "NEW.event_id, OLD.event_id"),
        "DELETE": ("1 = 1", "OLD.event_id"),
    },
    "timeline_statement": {
        "INSERT": ("NEW.event_id IS NOT NULL", "NEW.event_id"),
        "UPDATE": (
            "NEW.event_id IS NOT OLD.event_id OR NEW.speaker_id IS NOT OLD.speaker_id",
            "NEW.event_id, OLD.event_id",
        ),
        "DELETE": ("OLD.event_id IS NOT NULL", "OLD.event_id"),
    },
    "timeline_participant": {
        "UPDATE": (
            "NEW.country IS NOT OLD.country",
            "SELECT event_id FROM timeline_involvement WHERE participant_id = NEW.id",
        ),
    },
    "timeline_event_sources": {
        "INSERT": ("1 = 1", "NEW.event_id"),
        "UPDATE": ("1 = 1", "NEW.event_id, OLD.event_id"),
        "DELETE": ("1 = 1", "OLD.event_id"),
    },
    "timeline_statement_sources": {
        "INSERT": ("1 = 1", "SELECT event_id FROM timeline_statement WHERE id = NEW.statement_id"),
        "UPDATE": ("1 = 1", "SELECT event_id FROM timeline_statement WHERE id IN (NEW.statement_id, OLD.statement_id)"),
        "DELETE": ("1 = 1", "SELECT event_id FROM timeline_statement WHERE id = OLD.statement_id"),
    },
}


def postgresql_count_functions(name: str, counts: str) -> str:
    """`{name}_added()` and `{name}_removed()`, trigger functions keeping `counts` the number of rows of a keys
    table per (facet, value), from the rows a statement inserted or deleted (also timeline/statementkeys.py)."""
    return f"""
CREATE OR REPLACE FUNCTION {name}_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- In key order, so that two transactions counting the same values lock their rows in the same order.
    INSERT INTO {counts} (facet, value, n)
    SELECT facet, value, count(*) FROM new_rows GROUP BY facet, value ORDER BY facet, value
    ON CONFLICT (facet, value) DO UPDATE SET n = {counts}.n + EXCLUDED.n;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION {name}_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {counts} c SET n = c.n - d.n
    FROM (SELECT facet, value, count(*) AS n FROM old_rows GROUP BY facet, value) d
    WHERE c.facet = d.facet AND c.value = d.value;
    -- No row for a value no key has: the counts are a function of the keys alone.
    DELETE FROM {counts} c USING (SELECT DISTINCT facet, value FROM old_rows) d
    WHERE c.facet = d.facet AND c.value = d.value AND c.n <= 0;
    RETURN NULL;
END
$$;"""


POSTGRESQL_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION timeline_refresh_keys(events bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(events) = 0 THEN
        RETURN;
    END IF;
    -- Only the keys that change: one kept is neither deleted nor inserted again, so its counts and its pairs
    -- (some seventy rows an event) are not written for nothing (the types of 5,000 of 100,000 events changed in
    -- 39 s, now 5).
    DELETE FROM timeline_eventkey k USING (
        SELECT facet, value, event_id FROM timeline_eventkey WHERE event_id = ANY(events)
        EXCEPT SELECT * FROM ({keys_sql("postgresql", "e.id = ANY(events)")}) fresh
    ) gone WHERE k.facet = gone.facet AND k.value = gone.value AND k.event_id = gone.event_id;
    INSERT INTO timeline_eventkey (facet, value, event_id)
    SELECT * FROM ({keys_sql("postgresql", "e.id = ANY(events)")}) fresh
    EXCEPT SELECT facet, value, event_id FROM timeline_eventkey WHERE event_id = ANY(events);
END
$$;
{postgresql_count_functions("timeline_count_keys", "timeline_facetcount")}
CREATE OR REPLACE FUNCTION timeline_keys_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM timeline_eventkey;
    DELETE FROM timeline_facetcount;
    DELETE FROM timeline_publishercount;
    RETURN NULL;
END
$$;
"""


# The pairs of keys: timeline_keypair (facet_a, value_a, facet_b, value_b, n) holds how many published events have
# both keys, for every two keys of different facets among PAIRED, once each way round, so that the counts of the
# events of one key are the rows of its prefix. Kept by triggers on the keys themselves: the pairs a statement adds
# or removes are those of each event it touches with at least one key added or removed, found per event by grouping
# the event's keys into arrays (never by joining a transition table to itself or to another: no index). A row no
# event has is deleted; until then its n is 0, which the partial index finds.

PAIRED = (PARTICIPANT, TOPIC, COUNTRY, STATEMENTS, MONTH, TYPE)
PAIRED_SQL = f"facet IN ({', '.join(str(facet) for facet in sorted(PAIRED))})"


def postgresql_pair_changes(rows: str) -> str:
    """SELECT facet_a, value_a, facet_b, value_b, n: the pairs of each event `rows` (a transition table) touches
    with at least one key among `rows`; the event's other keys are read from timeline_eventkey."""
    # An added key is in timeline_eventkey too: each key once, marked if it is one of `rows`.
    return f"""
    SELECT a.f, a.v, b.f, b.v, count(*) FROM (
        SELECT event_id, array_agg(facet) AS f, array_agg(value) AS v, array_agg(marked) AS m FROM (
            SELECT facet, value, event_id, bool_or(marked) AS marked FROM (
                SELECT facet, value, event_id, true AS marked FROM {rows} WHERE {PAIRED_SQL}
                UNION ALL SELECT facet, value, event_id, false FROM timeline_eventkey
                WHERE {PAIRED_SQL} AND event_id IN (SELECT event_id FROM {rows})
            ) keys GROUP BY facet, value, event_id
        ) keys GROUP BY event_id
    ) per_event, unnest(per_event.f, per_event.v, per_event.m) a(f, v, m),
        unnest(per_event.f, per_event.v, per_event.m) b(f, v, m)
    WHERE a.f <> b.f AND (a.m OR b.m) GROUP BY a.f, a.v, b.f, b.v"""


POSTGRESQL_PAIRS = f"""
CREATE OR REPLACE FUNCTION timeline_pair_keys_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO timeline_keypair AS p (facet_a, value_a, facet_b, value_b, n)
    {postgresql_pair_changes("new_rows")} ORDER BY 1, 2, 3, 4
    ON CONFLICT (facet_a, value_a, facet_b, value_b) DO UPDATE SET n = p.n + EXCLUDED.n;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION timeline_pair_keys_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE timeline_keypair p SET n = p.n - d.n
    FROM ({postgresql_pair_changes("old_rows")}) d(facet_a, value_a, facet_b, value_b, n)
    WHERE p.facet_a = d.facet_a AND p.value_a = d.value_a AND p.facet_b = d.facet_b AND p.value_b = d.value_b;
    DELETE FROM timeline_keypair WHERE n <= 0;
    RETURN NULL;
END
$$;"""


# The publishers' counts follow the SOURCE rows of timeline_facetcount: a source enters its publisher's count when
# its first public citation appears and leaves it with its last; a cited source that changes publisher or kind moves.
# One row per publisher: its name in lower case without surrounding spaces (as SourceQuerySet.with_publisher_key()
# groups them), its number of sources `n`, and a column per kind (Source.Kind's values, held to them by
# tests/test_eventkeys.py; a migration that changes them must add the column and rebuild). `rows` is a FROM item of
# sources (publisher, kind).
KINDS = ("primary", "transcript", "wire", "news", "other")
KIND_COLUMNS = ", ".join(f"kind_{kind}" for kind in KINDS)


def postgresql_count_publishers(rows: str, sign: str) -> str:
    by_kind = ", ".join(f"{sign}count(*) FILTER (WHERE r.kind = '{kind}')" for kind in KINDS)
    added = ", ".join(f"{column} = p.{column} + EXCLUDED.{column}" for column in ["n", *KIND_COLUMNS.split(", ")])
    return f"""
    INSERT INTO timeline_publishercount AS p (publisher_key, n, {KIND_COLUMNS})
    SELECT LOWER(TRIM(r.publisher)), {sign}count(*), {by_kind} FROM {rows} r GROUP BY 1 ORDER BY 1
    ON CONFLICT (publisher_key) DO UPDATE SET {added};
    DELETE FROM timeline_publishercount p WHERE p.n <= 0
    AND p.publisher_key IN (SELECT LOWER(TRIM(r.publisher)) FROM {rows} r);"""


CITED = f"id IN (SELECT value FROM timeline_facetcount WHERE facet = {SOURCE})"
POSTGRESQL_PUBLISHERS = {
    # (trigger, table, operation, transition tables, body)
    "timeline_publishers_cited": (
        "timeline_facetcount",
        "INSERT",
        "NEW TABLE AS new_rows",
        postgresql_count_publishers(
            f"(SELECT publisher, kind FROM timeline_source WHERE id IN "
            f"(SELECT value FROM new_rows WHERE facet = {SOURCE}))",
            "",
        ),
    ),
    "timeline_publishers_uncited": (
        "timeline_facetcount",
        "DELETE",
        "OLD TABLE AS old_rows",
        postgresql_count_publishers(
            f"(SELECT publisher, kind FROM timeline_source WHERE id IN "
            f"(SELECT value FROM old_rows WHERE facet = {SOURCE}))",
            "-",
        ),
    ),
    "timeline_publishers_source_changed": (
        "timeline_source",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        postgresql_count_publishers(
            "(SELECT * FROM (SELECT id, publisher, kind FROM old_rows "
            f"EXCEPT SELECT id, publisher, kind FROM new_rows) moved WHERE {CITED})",
            "-",
        )
        + postgresql_count_publishers(
            "(SELECT * FROM (SELECT id, publisher, kind FROM new_rows "
            f"EXCEPT SELECT id, publisher, kind FROM old_rows) moved WHERE {CITED})",
            "",
        ),
    ),
}


def sqlite_count_publishers(rows: str, sign: str) -> str:
    """For one source (`rows` holds one row, or none if the source itself is already gone, as in a flush)."""
    key = f"(SELECT LOWER(TRIM(r.publisher)) FROM {rows} r)"
    by_kind = ", ".join(f"kind_{kind} = kind_{kind} {sign} (SELECT r.kind = '{kind}' FROM {rows} r)" for kind in KINDS)
    zeros = ", ".join("0" for _ in KINDS)
    return (
        f"INSERT INTO timeline_publishercount (publisher_key, n, {KIND_COLUMNS}) SELECT {key}, 0, {zeros} "
        f"WHERE {key} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM timeline_publishercount WHERE publisher_key = {key}); "
        f"UPDATE timeline_publishercount SET n = n {sign} 1, {by_kind} WHERE publisher_key = {key}; "
        f"DELETE FROM timeline_publishercount WHERE n <= 0 AND publisher_key = {key};"
    )


SQLITE_PUBLISHERS = {
    "timeline_publishers_cited": (
        f"AFTER INSERT ON timeline_facetcount WHEN NEW.facet = {SOURCE}",
        sqlite_count_publishers("(SELECT publisher, kind FROM timeline_source WHERE id = NEW.value)", "+"),
    ),
    "timeline_publishers_uncited": (
        f"AFTER DELETE ON timeline_facetcount WHEN OLD.facet = {SOURCE}",
        sqlite_count_publishers("(SELECT publisher, kind FROM timeline_source WHERE id = OLD.value)", "-"),
    ),
    "timeline_publishers_source_changed": (
        "AFTER UPDATE ON timeline_source WHEN (OLD.publisher IS NOT NEW.publisher OR OLD.kind IS NOT NEW.kind) "
        f"AND EXISTS (SELECT 1 FROM timeline_facetcount WHERE facet = {SOURCE} AND value = NEW.id)",
        sqlite_count_publishers("(SELECT OLD.publisher AS publisher, OLD.kind AS kind)", "-")
        + " "
        + sqlite_count_publishers("(SELECT NEW.publisher AS publisher, NEW.kind AS kind)", "+"),
    ),
}


def sqlite_count_pairs(key: str, sign: str) -> str:
    """For one key (NEW or OLD) of a PAIRED facet: the pairs it makes with every other key of its event (`o`), both
    ways round, counted up or down one; a row at 0 deleted."""
    others = (
        f"SELECT k.facet, k.value FROM timeline_eventkey k WHERE k.event_id = {key}.event_id AND k.{PAIRED_SQL} "
        f"AND k.facet <> {key}.facet"
    )
    this, other = f"{key}.facet, {key}.value", "o.facet, o.value"
    statements = []
    for first, second, known, paired in (
        (this, other, ("facet_a", "value_a"), ("facet_b", "value_b")),
        (other, this, ("facet_b", "value_b"), ("facet_a", "value_a")),
    ):
        if sign == "+":
            statements.append(
                f"INSERT INTO timeline_keypair (facet_a, value_a, facet_b, value_b, n) SELECT {first}, {second}, 0 "
                f"FROM ({others}) o WHERE NOT EXISTS (SELECT 1 FROM timeline_keypair p WHERE (p.facet_a, p.value_a, "
                f"p.facet_b, p.value_b) = ({first}, {second}))"
            )
        # The key's own columns by equality, the other keys' by IN: both read from the primary key.
        where = f"({', '.join(known)}) = ({this}) AND ({', '.join(paired)}) IN ({others})"
        statements.append(f"UPDATE timeline_keypair SET n = n {sign} 1 WHERE {where}")
        if sign == "-":
            statements.append(f"DELETE FROM timeline_keypair WHERE n <= 0 AND {where}")
    return "; ".join(statements) + ";"


SQLITE_PAIRS = {
    "timeline_pair_keys_insert": (
        f"AFTER INSERT ON timeline_eventkey WHEN NEW.{PAIRED_SQL}",
        sqlite_count_pairs("NEW", "+"),
    ),
    "timeline_pair_keys_delete": (
        f"AFTER DELETE ON timeline_eventkey WHEN OLD.{PAIRED_SQL}",
        sqlite_count_pairs("OLD", "-"),
    ),
}


PAIR_TRIGGERS = {
    "timeline_pair_keys_added": ("INSERT", "NEW TABLE AS new_rows"),
    "timeline_pair_keys_removed": ("DELETE", "OLD TABLE AS old_rows"),
    "timeline_pairs_truncated": ("TRUNCATE", ""),
}


def refresh_trigger_name(prefix: str, table: str, operation: str) -> str:
    return f"{prefix}{operation.lower()}_{table}"[:63]


def refresh_trigger_names(prefix: str, affected: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    """(name, table) of each trigger `refresh_triggers` creates."""
    return [
        (refresh_trigger_name(prefix, table, operation), table)
        for table, operations in affected.items()
        for operation in operations
    ]


def refresh_triggers(prefix: str, refresh: str, affected: dict[str, dict[str, str]]) -> list[str]:
    """PostgreSQL: for each table and operation of `affected` ({table: {operation: SQL over the statement's
    transition tables, old_rows and new_rows, selecting the ids it touches}}), a statement-level trigger named
    `prefix` + operation + table that passes those ids to the function `refresh(ids bigint[])`: the keys here, the
    statements' keys, the search documents."""
    statements = []
    for table, operations in affected.items():
        for operation, ids in operations.items():
            name = refresh_trigger_name(prefix, table, operation)
            tables = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows"}.get(
                operation, "OLD TABLE AS old_rows NEW TABLE AS new_rows"
            )
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"PERFORM {refresh}(ARRAY(SELECT DISTINCT a FROM ({ids}) affected(a) WHERE a IS NOT NULL)); "
                "RETURN NULL; END $$",
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"CREATE TRIGGER {name} AFTER {operation} ON {table} REFERENCING {tables} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ]
    return statements


def postgresql_statements(publishers: bool = True, pairs: bool = True) -> list[str]:
    statements = [
        POSTGRESQL_FUNCTIONS,
        *refresh_triggers("timeline_keys_", "timeline_refresh_keys", POSTGRESQL_AFFECTED),
    ]
    statements += [
        "DROP TRIGGER IF EXISTS timeline_keys_truncated ON timeline_event",
        "CREATE TRIGGER timeline_keys_truncated AFTER TRUNCATE ON timeline_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION timeline_keys_truncated()",
        "DROP TRIGGER IF EXISTS timeline_count_keys_added ON timeline_eventkey",
        "CREATE TRIGGER timeline_count_keys_added AFTER INSERT ON timeline_eventkey REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION timeline_count_keys_added()",
        "DROP TRIGGER IF EXISTS timeline_count_keys_removed ON timeline_eventkey",
        "CREATE TRIGGER timeline_count_keys_removed AFTER DELETE ON timeline_eventkey REFERENCING OLD TABLE AS "
        "old_rows FOR EACH STATEMENT EXECUTE FUNCTION timeline_count_keys_removed()",
    ]
    if pairs:
        statements += [
            POSTGRESQL_PAIRS,
            "CREATE OR REPLACE FUNCTION timeline_pairs_truncated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "DELETE FROM timeline_keypair; RETURN NULL; END $$",
        ]
        for name, (operation, tables) in PAIR_TRIGGERS.items():
            function = "timeline_pairs_truncated" if operation == "TRUNCATE" else name
            table = "timeline_event" if operation == "TRUNCATE" else "timeline_eventkey"
            references = f"REFERENCING {tables} " if tables else ""
            statements += [
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"CREATE TRIGGER {name} AFTER {operation} ON {table} {references}"
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
            ]
    for name, (table, operation, tables, body) in POSTGRESQL_PUBLISHERS.items() if publishers else ():
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} "
            "RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER {operation} ON {table} REFERENCING {tables} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return statements


def postgresql_trigger_names() -> list[tuple[str, str]]:
    names = refresh_trigger_names("timeline_keys_", POSTGRESQL_AFFECTED)
    return (
        names
        + [
            ("timeline_keys_truncated", "timeline_event"),
            ("timeline_count_keys_added", "timeline_eventkey"),
            ("timeline_count_keys_removed", "timeline_eventkey"),
        ]
        + [(name, table) for name, (table, *_) in POSTGRESQL_PUBLISHERS.items()]
        + [
            (name, "timeline_event" if operation == "TRUNCATE" else "timeline_eventkey")
            for name, (operation, _) in PAIR_TRIGGERS.items()
        ]
    )


def sqlite_refresh(events: str) -> str:
    """Statements of a trigger body recomputing the keys of the events `events` (a list of values or a SELECT).

    Only the keys that change are deleted and inserted (as in timeline_refresh_keys). No INSERT OR REPLACE: a
    statement in a trigger takes on the conflict clause of the statement firing it."""
    fresh = f"SELECT * FROM ({keys_sql('sqlite', f'e.id IN ({events})')}) fresh"
    return (
        f"DELETE FROM timeline_eventkey WHERE event_id IN ({events}) AND (facet, value, event_id) NOT IN ({fresh}); "
        f"INSERT INTO timeline_eventkey (facet, value, event_id) {fresh} WHERE (facet, value, event_id) NOT IN "
        f"(SELECT facet, value, event_id FROM timeline_eventkey WHERE event_id IN ({events}));"
    )


SQLITE_COUNTS = {
    "INSERT": (
        "INSERT INTO timeline_facetcount (facet, value, n) SELECT NEW.facet, NEW.value, 0 WHERE NOT EXISTS "
        "(SELECT 1 FROM timeline_facetcount WHERE facet = NEW.facet AND value = NEW.value); "
        "UPDATE timeline_facetcount SET n = n + 1 WHERE facet = NEW.facet AND value = NEW.value;"
    ),
    "DELETE": (
        "UPDATE timeline_facetcount SET n = n - 1 WHERE facet = OLD.facet AND value = OLD.value; "
        "DELETE FROM timeline_facetcount WHERE facet = OLD.facet AND value = OLD.value AND n <= 0;"
    ),
}


def sqlite_triggers(publishers: bool = True, pairs: bool = True) -> dict[str, str]:
    triggers = {}
    for table, operations in SQLITE_AFFECTED.items():
        for operation, (when, events) in operations.items():
            name = f"timeline_keys_{operation.lower()}_{table}"
            triggers[name] = (
                f"CREATE TRIGGER {name} AFTER {operation} ON {table} WHEN {when} BEGIN {sqlite_refresh(events)} END"
            )
    for operation, body in SQLITE_COUNTS.items():
        name = f"timeline_count_keys_{operation.lower()}"
        triggers[name] = f"CREATE TRIGGER {name} AFTER {operation} ON timeline_eventkey BEGIN {body} END"
    for name, (when, body) in SQLITE_PUBLISHERS.items() if publishers else ():
        triggers[name] = f"CREATE TRIGGER {name} {when} BEGIN {body} END"
    for name, (when, body) in SQLITE_PAIRS.items() if pairs else ():
        triggers[name] = f"CREATE TRIGGER {name} {when} BEGIN {body} END"
    return triggers


def installed(connection) -> bool:
    return "timeline_eventkey" in connection.introspection.table_names()


def counts_publishers(connection) -> bool:
    # Migrations before the publishers' counts (0019) keep the keys without them.
    return "timeline_publishercount" in connection.introspection.table_names()


def counts_pairs(connection) -> bool:
    # Nor those before the pairs' counts (0021).
    return "timeline_keypair" in connection.introspection.table_names()


def install(using=None, connection=None, **kwargs) -> None:
    """(Re)create the triggers that keep the keys; idempotent, run after every migrate (see apps.py)."""
    if connection is None:
        from django.db import connections

        connection = connections[using] if using else default_connection
    if not installed(connection):
        return  # migrated back before the keys existed
    with connection.cursor() as cursor:
        publishers, pairs = counts_publishers(connection), counts_pairs(connection)
        if connection.vendor == "postgresql":
            for statement in postgresql_statements(publishers, pairs):
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            for name, statement in sqlite_triggers(publishers, pairs).items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(statement)
    from timeline import datedkeys

    datedkeys.install(connection)


def uninstall(connection=None) -> None:
    connection = connection or default_connection
    from timeline import datedkeys

    datedkeys.uninstall(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, table in postgresql_trigger_names():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        elif connection.vendor == "sqlite":
            for name in sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild(connection=None) -> None:
    """Recompute every key and count from the events, a statement each, with the triggers out of the way."""
    connection = connection or default_connection
    uninstall(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM timeline_eventkey")
        cursor.execute("DELETE FROM timeline_facetcount")
        cursor.execute(f"INSERT INTO timeline_eventkey (facet, value, event_id) {keys_sql(connection.vendor, '1 = 1')}")
        cursor.execute(
            "INSERT INTO timeline_facetcount (facet, value, n) "
            "SELECT facet, value, count(*) FROM timeline_eventkey GROUP BY facet, value"
        )
        if counts_publishers(connection):
            by_kind = ", ".join(f"SUM(CASE WHEN kind = '{kind}' THEN 1 ELSE 0 END)" for kind in KINDS)
            cursor.execute("DELETE FROM timeline_publishercount")
            cursor.execute(
                f"INSERT INTO timeline_publishercount (publisher_key, n, {KIND_COLUMNS}) "
                f"SELECT LOWER(TRIM(publisher)), count(*), {by_kind} FROM timeline_source WHERE {CITED} GROUP BY 1"
            )
        if counts_pairs(connection):
            cursor.execute("DELETE FROM timeline_keypair")
            cursor.execute(
                "INSERT INTO timeline_keypair (facet_a, value_a, facet_b, value_b, n) "
                "SELECT a.facet, a.value, b.facet, b.value, count(*) FROM timeline_eventkey a "
                "JOIN timeline_eventkey b ON b.event_id = a.event_id AND b.facet <> a.facet "
                f"WHERE a.{PAIRED_SQL} AND b.{PAIRED_SQL} GROUP BY a.facet, a.value, b.facet, b.value "
                # Written in the order they are read, a value's rows together: PostgreSQL read the 48,000 pairs
                # of three years' months from as many places in the table (33 ms; in order, 8).
                "ORDER BY a.facet, a.value, b.facet, b.value"
            )
    from timeline import datedkeys

    datedkeys.rebuild(connection)
    install(connection=connection)


@contextlib.contextmanager
def rebuilt_once(uninstall, rebuild, connection, installed=lambda connection: True):
    """Write in bulk without the triggers' work per row, then rebuild what they keep once (generate_synthetic):
    `uninstall`, `rebuild` and `installed` are those of one kind of derived rows (keys, documents, full-text
    indexes); where they are not installed on this database, nothing is suspended."""
    if not installed(connection):
        yield
        return
    uninstall(connection)
    try:
        yield
    finally:
        rebuild(connection)


def suspended(connection=None):
    """The keys rebuilt once after a bulk write (`rebuilt_once`)."""
    return rebuilt_once(uninstall, rebuild, connection or default_connection)
