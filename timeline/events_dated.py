"""The API's statements of the events of a date range alone, or with languages (`/api/statements?start=1935`):
counted from the statements' keys, and paged from the order said.

Every statement of the events selected was read twice, to be counted and then sorted for a page (since 1935 at
100,000 events: 249,876 statements, 54 and 77 ms on PostgreSQL). Their number is now the kept counts of their
events' first and last days (statementkeys.EVENT_FIRST, EVENT_LAST), and a page is read from the index of the order
said, walked from the range's first day. Two kinds of statement come before that day and are read apart, then merged
in: those said before their event began (keyed LEAD, few: a quote of 1987 recalled by an advertisement of 2025), and
those of the events that started before the range and run into it (few: event_ranged_idx).
"""

import datetime

from django.db import connections

from timeline import statementkeys
from timeline.querysets import ReadByIds

# At most this many statements, the events' own statements are read and sorted (StatementQuerySet
# .chronological_by_event): a few are found at once, where the walk through the order would pass every statement
# said after them to fill a page.
WALKED_PAST = 2_500


def counted(start: datetime.date | None, end: datetime.date | None, languages: list[str], using: str):
    """How many published statements in `languages` (none: any) the events overlapping [start, end] have (either
    bound None for open, not both), from the kept counts. An event overlaps the range when it ends on or after
    `start` and starts on or before `end`: with both, those ending on or after `start` less those starting after
    `end` (which all end after `start` too)."""
    terms = []  # (facet, first day, last day) of the days counted, the second taken from the first
    if start is not None:
        terms.append((statementkeys.EVENT_LAST, statementkeys.said_value(start), LAST_DAY))
        if end is not None:
            terms.append((statementkeys.EVENT_FIRST, statementkeys.said_value(end) + 1, LAST_DAY))
    else:
        terms.append((statementkeys.EVENT_FIRST, 0, statementkeys.said_value(end)))
    profiles = statementkeys.profiles(languages, [])
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT min(value) FROM timeline_statementcount WHERE facet = %s), "
            "(SELECT max(value) FROM timeline_statementcount WHERE facet = %s)",
            [statementkeys.SAID, statementkeys.SAID],
        )
        middle = sum(day or 0 for day in cursor.fetchone()) // 2
        sums = [days_sum(facet, first, last, profiles, middle) for facet, first, last in terms]
        params = [param for _, term_params in sums for param in term_params]
        cursor.execute(f"SELECT {' - '.join(sql for sql, _ in sums)}", params)
        return int(cursor.fetchone()[0])


LAST_DAY = statementkeys.DAYS - 1


def days_sum(facet: int, first: int, last: int, profiles: list[int], middle: int) -> tuple[str, list]:
    """SQL and parameters summing the kept counts of `facet` (EVENT_FIRST or EVENT_LAST) of these profiles over the
    days `first` to `last` (YYYYMMDD), a stretch from the first day or to the last: where it holds the middle day
    said, as every statement of these profiles less the days on the other side of it, the fewer (from 1853 to 1858 at
    100,000 events, the statements of every event ending since 1853 less those of every one starting after 1858 read
    the counts of nearly every day twice: 12 ms on PostgreSQL; 1 so). Each profile's stretch is summed apart, one
    range of the primary key each (as one condition, ORed, they were read through a bitmap: twice as slow)."""
    if 0 < first <= middle:
        return less(days_sum(facet, 0, first - 1, profiles, middle), profiles)
    if middle < last < LAST_DAY:
        return less(days_sum(facet, last + 1, LAST_DAY, profiles, middle), profiles)
    stretch = "(SELECT COALESCE(sum(n), 0) FROM timeline_statementcount WHERE facet = %s AND value BETWEEN %s AND %s)"
    params = [
        param
        for profile in profiles
        for param in (facet, profile * statementkeys.DAYS + first, profile * statementkeys.DAYS + last)
    ]
    return "(" + " + ".join([stretch] * len(profiles)) + ")", params


def less(other: tuple[str, list], profiles: list[int]) -> tuple[str, list]:
    """SQL and parameters of the number of published statements of these profiles less the sum `other`."""
    placeholders = ", ".join(["%s"] * len(profiles))
    every = f"(SELECT COALESCE(sum(n), 0) FROM timeline_statementcount WHERE facet = %s AND value IN ({placeholders}))"
    return f"({every} - {other[0]})", [statementkeys.PROFILE, *profiles, *other[1]]


def page_sql(start, end, languages: list[str], offset: int, limit: int) -> tuple[str, list]:
    """SQL and parameters of the ids of statements `offset` to `offset + limit` in `languages` (none: any) of the
    events overlapping [start, end], in the order said: those of the events starting in the range, walked in that
    order from its first day, merged with those of the same events said before it (read from their LEAD keys) and
    those of the events running into it."""
    stop = offset + limit
    order = "ORDER BY s.sort_date, s.id"
    said_in, said_in_params = "", []
    if languages:
        said_in, said_in_params = f" AND s.language IN ({', '.join(['%s'] * len(languages))})", list(languages)
    starting, params = ["e.status = 'published'"], []
    if start is not None:
        starting.append("e.start_date >= %s")
        params.append(start)
    if end is not None:
        starting.append("e.start_date <= %s")
        params.append(end)
    starting = " AND ".join(starting)
    statements = "SELECT s.id, s.sort_date FROM timeline_statement s JOIN timeline_event e ON e.id = s.event_id"
    if start is None:
        parts = [(f"{statements} WHERE {starting}{said_in} {order} LIMIT %s", [*params, *said_in_params, stop])]
    else:
        parts = [
            (
                f"{statements} WHERE s.sort_date >= %s AND {starting}{said_in} {order} LIMIT %s",
                [start, *params, *said_in_params, stop],
            ),
            (
                # Said before the range, so before their event began: the few statements with a LEAD key, read
                # from those keys. CROSS JOIN holds SQLite to that order: told the limit as a parameter, it walked
                # every statement said before the range instead (265,000 for 2025 at 100,000 events: 240 ms).
                "SELECT s.id, s.sort_date FROM timeline_statementkey k CROSS JOIN timeline_statement s "
                "CROSS JOIN timeline_event e WHERE k.facet = %s AND s.id = k.statement_id AND e.id = s.event_id "
                f"AND s.sort_date < %s AND {starting}{said_in} {order} LIMIT %s",
                [statementkeys.LEAD, start, *params, *said_in_params, stop],
            ),
        ]
        # Written as event_ranged_idx's condition, which holds the events with an end by the day they end.
        running = "e.end_date IS NOT NULL AND e.status = 'published' AND e.end_date >= %s AND e.start_date < %s"
        running_params = [start, start]
        if end is not None:
            running += " AND e.start_date <= %s"
            running_params.append(end)
        parts.append(
            (
                # Events first, as the keys above.
                "SELECT s.id, s.sort_date FROM timeline_event e CROSS JOIN timeline_statement s "
                f"WHERE s.event_id = e.id AND {running}{said_in} {order} LIMIT %s",
                [*running_params, *said_in_params, stop],
            )
        )
    # Each part in a subquery of its own: SQLite takes no ORDER BY or LIMIT on the members of a UNION.
    union = " UNION ALL ".join(f"SELECT id, sort_date FROM ({sql}) part{n}" for n, (sql, _) in enumerate(parts))
    return (
        f"SELECT id FROM ({union}) page ORDER BY sort_date, id LIMIT %s OFFSET %s",
        [*(param for _, part_params in parts for param in part_params), limit, offset],
    )


class EventsDated(ReadByIds):
    """The published statements in some languages (none: any) of the events overlapping a date range, in the order
    said, a page at a time: the page's ids from `page_sql`."""

    def __init__(self, statements, start, end, languages: list[str], count: int):
        super().__init__(statements, count)
        self.start, self.end, self.languages = start, end, languages

    def page_ids_sql(self, offset: int, limit: int) -> tuple[str, list]:
        return page_sql(self.start, self.end, self.languages, offset, limit)
