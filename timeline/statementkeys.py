"""What the statements index reads instead of computing it for every statement: the date each statement is read
under (its `sort_date`), and the published statements' facet keys with their counts.

A statement is read under the day it was said, or, where the sources give none, its event's first day: the order
of the statements index and what its date filters compare. As an expression over two tables no index can serve it,
and ordering 300,000 statements by it took 440 ms for a page of 50; kept in the statement's own column, the index
(sort_date, id) hands the page over in order.

The column is derived data, kept exact by database triggers in the same transaction as the change (an edit in the
admin, an import, a bulk update, SQL in psql), like the facet keys of timeline/eventkeys.py: on a statement written
(whatever value the write carried) and on its event's first day changed. `rebuild()` recomputes it from scratch.

The keys are to the statements what timeline/eventkeys.py's are to the events: one row of timeline_statementkey per
(facet, value, published statement): the statement itself (facet STATEMENT, value 0), its speaker, each topic of
its event, its language, its kind and the day it is read under. Only statements of published events have keys, so
a draft's statement never
counts; timeline_statementcount holds the number of statements of every (facet, value), so the index's unfiltered
facets and total are read, not counted over 300,000 statements, and a filtered facet groups keys, never the
statements table. Like the events' keys they are tables, not models: no dump, backup or fixture holds them, and
whatever writes statements, events or their topics rewrites the keys of the statements it touched, in the same
transaction, through the triggers below.
"""

import itertools

from django.db import connection as default_connection
from django.db import connections

from timeline.eventkeys import (
    postgresql_count_functions,
    rebuilt_once,
    refresh_trigger_name,
    refresh_trigger_names,
    refresh_triggers,
)
from timeline.search import Ids

STATEMENT, SPEAKER, TOPIC, LANGUAGE, KIND = 0, 1, 2, 3, 4
# A language's or kind's key is its place among Statement.Language's or Statement.Kind's choices (0 for a value not
# among them): a migration changing the choices must call rebuild() (tests/test_statementkeys.py holds these to them).
LANGUAGES = ("en", "fr")
KINDS = ("quote", "paraphrase")

# The same keys, each with the statement's profile, its language and kind as one number (language * 4 + kind), so
# that the counts under a language or kind filter, the commonest and the broadest (one statement in six is French,
# two in three are quotes), are read from the kept counts too: PROFILE's value is the profile; SPEAKER_PROFILE's and
# TOPIC_PROFILE's, the speaker's or topic's id * 16 + the profile.
PROFILE, SPEAKER_PROFILE, TOPIC_PROFILE = 5, 6, 7
PROFILES = 16
# And each speaker of a topic with the profile, for the speakers of one topic (the commonest way into quotes): the
# topic's id * 2**32 + the speaker's id, * 16 + the profile.
TOPIC_SPEAKER_PROFILE = 8
SPEAKERS = 2**32
# And the day each is read under (its sort_date) as the number YYYYMMDD: the published statements of a range of days
# are one stretch of the keys' primary key, their number and ids read without reading a statement or its event.
SAID = 9
# And, for the API's statements of the events of a date range (which a statement's own day does not select), the
# first and last day of its event as YYYYMMDD after its profile (profile * DAYS + the day), so that their number, in
# any languages, is read from the kept counts, a stretch of days for each profile (the statements of the events since
# 1935 at 100,000 events: 249,876 counted over the statements, 54 ms); and, for a statement read before its event's
# first day, by how many days (LEAD): such statements are few, and a range's page reads those of its events apart
# rather than walk the order from the earliest of them (timeline/events_dated.py).
EVENT_FIRST, EVENT_LAST, LEAD = 10, 11, 12
DAYS = 10**8
# And the day each is read under after its profile (profile * DAYS + the day as SAID's), so that the statements of a
# language or kind said within a range of days are one stretch of the keys for each profile: their number and ids
# read without reading a statement (the quotes since 2020 at 100,000 events: their counts grouped from every one,
# 290 ms).
SAID_PROFILE = 13
# And the day each is read under after each topic of its event (the topic's id * DAYS + the day), so that a topic's
# statements said within a range of days are one stretch of the keys, in the order the index lists them: their number
# and ids read without reading a statement (a topic's since 1950 at 100,000 events, 14,443 of its 16,858, were found
# by testing each statement's day: 73 ms for their number, 282 for their counts).
TOPIC_SAID = 14
# The facets keyed with a profile: for each facet of one value per statement, its value as SQL over the profile P
# (run with parameters, so a modulo is written %%); speakers and topics are keyed with it by SPEAKER_PROFILE and
# TOPIC_PROFILE.
OF_PROFILE = {STATEMENT: "0", LANGUAGE: "(P) / 4", KIND: "(P) %% 4"}
IN_PROFILE = {LANGUAGE: lambda profile: profile // 4, KIND: lambda profile: profile % 4}  # the same, in Python
WITH_PROFILE = {SPEAKER: SPEAKER_PROFILE, TOPIC: TOPIC_PROFILE}


def code_sql(column: str, values: tuple[str, ...]) -> str:
    cases = " ".join(f"WHEN '{value}' THEN {number}" for number, value in enumerate(values, start=1))
    return f"(CASE {column} {cases} ELSE 0 END)"


def profile_sql(row: str) -> str:
    """A statement's profile as SQL over its row `row`."""
    return f"({code_sql(f'{row}.language', LANGUAGES)} * 4 + {code_sql(f'{row}.kind', KINDS)})"


def code_of(values: tuple[str, ...], value: int) -> str:
    return values[value - 1] if 1 <= value <= len(values) else ""


def value_of(values: tuple[str, ...], code: str) -> int:
    return values.index(code) + 1 if code in values else 0


def profiles(languages: list[str], kinds: list[str]) -> list[int]:
    """The profiles of the statements in any of these languages and of any of these kinds (none given: any)."""
    language_values = [value_of(LANGUAGES, code) for code in languages] or range(len(LANGUAGES) + 1)
    kind_values = [value_of(KINDS, code) for code in kinds] or range(len(KINDS) + 1)
    return sorted(language * 4 + kind for language in language_values for kind in kind_values)


# Reading the keys


def counts_sql(facet: int, statements: tuple[str, list] | None = None):
    """SQL and parameters giving (value, n): how many published statements have each value of `facet`, as kept;
    or, given the SQL of a set of statement ids (`statements`), how many of those statements, counted."""
    if statements is None:
        return "SELECT value, n FROM timeline_statementcount WHERE facet = %s AND n > 0", [facet]
    sql, params = statements
    return (
        f"SELECT value, count(*) AS n FROM timeline_statementkey WHERE facet = %s AND statement_id IN ({sql}) "
        "GROUP BY value",
        [facet, *params],
    )


def said_sql(
    start, end, among: list[int] | None = None, step: int = 1, topic: int | None = None, by_profile: bool = False
) -> tuple[str, list]:
    """SQL and parameters selecting the ids of the published statements read under a day from `start` to `end`
    (either None for open): one stretch of the keys' primary key; of the profiles `among`, one stretch for each; at
    an event on the topic `topic`, that topic's stretch (of those profiles: each tested for its profile), or, `by
    profile`, the topic's statements of those profiles (TOPIC_PROFILE), each tested for its day. With `step`, every
    `step`-th of them by id."""
    sampled = f" AND statement_id %% {step} = 0" if step > 1 else ""
    if topic is not None and among is not None and by_profile:
        values = [topic * PROFILES + profile for profile in among]
        dated, dated_params = said_of("timeline_statementkey.statement_id", start, end)
        return (
            f"SELECT statement_id FROM timeline_statementkey WHERE facet = {TOPIC_PROFILE} "
            f"AND value IN ({', '.join(['%s'] * len(values)) or 'NULL'}){sampled} AND {dated}",
            [*values, *dated_params],
        )
    if topic is not None:
        first, last = (said_value(start) if start else 0), (said_value(end) if end else DAYS - 1)
        sql = (
            f"SELECT statement_id FROM timeline_statementkey WHERE facet = {TOPIC_SAID} AND value BETWEEN %s AND %s"
            + sampled
        )
        params = [topic * DAYS + first, topic * DAYS + last]
        if among is None:
            return sql, params
        profiled, profiled_params = of_profiles("timeline_statementkey.statement_id", among)
        return f"{sql} AND {profiled}", [*params, *profiled_params]
    if among is None:
        sql, params = f"SELECT statement_id FROM timeline_statementkey WHERE facet = {SAID}", []
        if start is not None:
            sql, params = f"{sql} AND value >= %s", [*params, said_value(start)]
        if end is not None:
            sql, params = f"{sql} AND value <= %s", [*params, said_value(end)]
        return sql + sampled, params
    first, last = (said_value(start) if start else 0), (said_value(end) if end else DAYS - 1)
    stretch = f"SELECT statement_id FROM timeline_statementkey WHERE facet = {SAID_PROFILE} AND value BETWEEN %s AND %s"
    return (
        " UNION ALL ".join([stretch + sampled] * len(among)) or "SELECT NULL WHERE 1 = 0",
        [bound for profile in among for bound in (profile * DAYS + first, profile * DAYS + last)],
    )


def said_of(column: str, start, end, among: list[int] | None = None) -> tuple[str, list]:
    """SQL and parameters of a condition: the published statement whose id is `column` is read under a day from
    `start` to `end` (of the profiles `among`), as `said_sql` selects, tested by its own key (the keys' index by
    statement). For a few statements in a long range: `IN (said_sql)` had SQLite gather the whole range first (a
    speaker's statements since 1900, 190,000 keys: 311 ms; so, under a millisecond)."""
    if among is None:
        sql, params = f"said.facet = {SAID}", []
        if start is not None:
            sql, params = f"{sql} AND said.value >= %s", [*params, said_value(start)]
        if end is not None:
            sql, params = f"{sql} AND said.value <= %s", [*params, said_value(end)]
    else:
        first, last = (said_value(start) if start else 0), (said_value(end) if end else DAYS - 1)
        stretches = " OR ".join(["said.value BETWEEN %s AND %s"] * len(among)) or "1 = 0"
        sql = f"said.facet = {SAID_PROFILE} AND ({stretches})"
        params = [bound for profile in among for bound in (profile * DAYS + first, profile * DAYS + last)]
    return (
        f"EXISTS (SELECT 1 FROM timeline_statementkey said WHERE said.statement_id = {column} AND {sql})",
        params,
    )


def of_profiles(column: str, among: list[int]) -> tuple[str, list]:
    """SQL and parameters of a condition: the published statement whose id is `column` is of one of the profiles
    `among`, tested by its own key."""
    return (
        f"EXISTS (SELECT 1 FROM timeline_statementkey profiled WHERE profiled.statement_id = {column} "
        f"AND profiled.facet = {PROFILE} AND profiled.value IN ({', '.join(['%s'] * len(among)) or 'NULL'}))",
        list(among),
    )


def of_topic(column: str, topic: int) -> tuple[str, list]:
    """SQL and parameters of a condition: the published statement whose id is `column` was said at an event on the
    topic `topic`, tested by its own key."""
    return (
        f"EXISTS (SELECT 1 FROM timeline_statementkey topical WHERE topical.statement_id = {column} "
        f"AND topical.facet = {TOPIC} AND topical.value = %s)",
        [topic],
    )


def kept_sum(facet: int, values: list[int], using: str = "default") -> int:
    """How many published statements have any of these values of `facet` (one each), as kept."""
    if not values:
        return 0
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(sum(n), 0) FROM timeline_statementcount WHERE facet = %s "
            f"AND value IN ({', '.join(['%s'] * len(values))})",
            [facet, *values],
        )
        return int(cursor.fetchone()[0])


def said_count(
    start,
    end,
    among: list[int] | None = None,
    using: str = "default",
    topic: int | None = None,
    by_profile: bool = False,
) -> int:
    """How many published statements are read under a day from `start` to `end` (`said_sql`): the kept counts of
    the days' keys summed (since 1950 at 100,000 events: 28,194 days' counts, 6 ms on PostgreSQL, where counting
    their 243,082 keys took 41), but for a topic's of some profiles, each tested for its profile."""
    first, last = (said_value(start) if start else 0), (said_value(end) if end else DAYS - 1)
    if topic is not None and among is None:
        facet, stretches = TOPIC_SAID, [(topic * DAYS + first, topic * DAYS + last)]
    elif topic is None and among is None:
        facet, stretches = SAID, [(first, last)]
    elif topic is None:
        facet, stretches = SAID_PROFILE, [(profile * DAYS + first, profile * DAYS + last) for profile in among]
    else:
        facet, stretches = None, []
    if facet is not None:
        if not stretches:
            return 0
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"SELECT COALESCE(sum(n), 0) FROM timeline_statementcount WHERE facet = {facet} AND ("
                + " OR ".join(["value BETWEEN %s AND %s"] * len(stretches))
                + ")",
                [bound for stretch in stretches for bound in stretch],
            )
            return int(cursor.fetchone()[0])
    sql, params = said_sql(start, end, among, topic=topic, by_profile=by_profile)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) said", params)
        return cursor.fetchone()[0]


def grouped_counts_sql(facets: list[int], statements: tuple[str, list]):
    """SQL and parameters giving (facet, value, n): `counts_sql`'s counts of several facets at once, over the
    statements the SQL `statements` selects."""
    sql, params = statements
    placeholders = ", ".join(["%s"] * len(facets))
    return (
        f"SELECT facet, value, count(*) FROM timeline_statementkey WHERE facet IN ({placeholders}) "
        f"AND statement_id IN ({sql}) GROUP BY facet, value",
        [*facets, *params],
    )


def profile_counts_sql(facet: int, among: list[int], within: tuple[int, list[int]] | None = None):
    """SQL and parameters giving (value, n): how many published statements of the profiles `among` have each value
    of `facet`, as kept. `within`, (SPEAKER or TOPIC, ids): only those of these speakers or of this topic (a
    statement on two topics would count twice: one topic at most), for a facet of one value per statement
    (OF_PROFILE), or the speakers of a topic."""
    profile = f"value %% {PROFILES}"
    if within is None:
        source, ranges, span = WITH_PROFILE.get(facet, PROFILE), [], 0
        value = f"value / {PROFILES}" if facet in WITH_PROFILE else OF_PROFILE[facet].replace("P", "value")
        profile = profile if facet in WITH_PROFILE else "value"
    elif facet == SPEAKER and within[0] == TOPIC:
        source, ranges, span = TOPIC_SPEAKER_PROFILE, within[1], SPEAKERS * PROFILES
        value = f"(value / {PROFILES}) %% {SPEAKERS}"
    else:
        source, ranges, span = WITH_PROFILE[within[0]], within[1], PROFILES
        value = OF_PROFILE[facet].replace("P", profile)
    profiles = ", ".join(["%s"] * len(among)) or "NULL"
    condition, params = f"{profile} IN ({profiles})", []
    if within is not None:
        # Each id's range of values, so that the primary key serves it.
        condition = "(" + (" OR ".join(["value BETWEEN %s AND %s"] * len(ranges)) or "1 = 0") + f") AND {condition}"
        params = [bound for pk in ranges for bound in (pk * span, pk * span + span - 1)]
    return (
        # GROUP BY 1: the value, which may be a constant
        f"SELECT {value} AS value, sum(n) AS n FROM timeline_statementcount WHERE facet = %s AND {condition} "
        "GROUP BY 1 HAVING sum(n) > 0",
        [source, *params, *among],
    )


def statements_with(facet: int, values) -> tuple[str, list]:
    """SQL and parameters selecting the ids of the published statements with any of these values of `facet`."""
    values = list(values)
    placeholders = ", ".join(["%s"] * len(values)) or "NULL"
    return (
        f"SELECT statement_id FROM timeline_statementkey WHERE facet = %s AND value IN ({placeholders})",
        [facet, *values],
    )


def published_among(statements, walked: bool = False) -> tuple[str, list]:
    """SQLite: SQL and parameters selecting (profile, ids as a JSON array) of the published statements among those
    `statements` (an expression with `sql` and `params`, such as a RawSQL) selects, from their keys, one row per
    profile. `walked`, when they are most of the published statements: every profile's key is read, each tested
    against them, rather than each looked up (a common word's 241,712: 175 → 117 ms, and 186 as a row each)."""
    walk = "+" if walked else ""
    return (
        f"SELECT value, json_group_array(statement_id) FROM timeline_statementkey WHERE facet = {PROFILE} "
        f"AND {walk}statement_id IN ({statements.sql}) GROUP BY value",
        list(statements.params),
    )


def most_among(statements, least: int, using: str) -> bool:
    """SQLite: whether `statements` (an expression with `sql` and `params`: a search's, drafts' included) are more
    than `least` and than half the published statements, counted before they are read (10 ms for a common word's
    255,000) to choose how to read them (`published_among`)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT count(*) FROM ({statements.sql}) found), "
            f"(SELECT n FROM timeline_statementcount WHERE facet = {STATEMENT} AND value = 0)",
            list(statements.params),
        )
        found, published = cursor.fetchone()
    return found > least and 2 * found > (published or 0)


class Profiled:
    """Published statements' ids by profile: what a search matched, read once, from which the matches of each
    language and kind are taken, and counted by language and kind, without another query. Held as they are read, a
    list of ids per profile: a dict of each statement's profile took 20 ms to build for a common word's 241,712, and
    its counts 6 more. `most` (SQLite): they are most of the published statements, and are walked
    (StatementQuerySet.search)."""

    most = False

    def __init__(self, groups: dict[int, list[int]] | None = None):
        self.groups = {profile: ids for profile, ids in (groups or {}).items() if ids}

    @classmethod
    def of_groups(cls, rows, ids=lambda ids: ids) -> "Profiled":
        """From rows of (profile, its statements' ids: read by `ids`), one per profile."""
        return cls({profile: ids(of_profile) for profile, of_profile in rows})

    def __len__(self) -> int:
        return sum(self.profiles.values())

    def having(self, kept: set[int]) -> "Profiled":
        """Those of them among `kept`."""
        return Profiled({profile: [pk for pk in ids if pk in kept] for profile, ids in self.groups.items()})

    @property
    def ids(self) -> Ids:
        """All of them, the same list each time (its parameter is written once)."""
        return self.among(range(PROFILES))

    @property
    def profiles(self) -> dict[int, int]:
        """{profile: how many}."""
        return {profile: len(ids) for profile, ids in self.groups.items()}

    def among(self, wanted) -> Ids:
        """The ids of those of the profiles `wanted`, the same list each time (a page's counts sample it)."""
        chosen = self.__dict__.setdefault("_among", {})
        key = frozenset(wanted).intersection(self.groups)
        if key not in chosen:
            chosen[key] = Ids(itertools.chain.from_iterable(self.groups[profile] for profile in sorted(key)))
        return chosen[key]

    def counts(self, wanted, facet: int) -> dict[int, int]:
        """{value of `facet` (LANGUAGE or KIND): how many} of those of the profiles `wanted`."""
        counts: dict[int, int] = {}
        for profile, n in self.profiles.items():
            if profile in wanted:
                value = IN_PROFILE[facet](profile)
                counts[value] = counts.get(value, 0) + n
        return counts


def kept_count(facet: int = STATEMENT, value: int = 0, using: str = "default") -> int:
    """How many published statements have this value of `facet` (by default: how many there are), as kept."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT n FROM timeline_statementcount WHERE facet = %s AND value = %s", [facet, value])
        row = cursor.fetchone()
    return row[0] if row else 0


# Writing the keys


def said_value(day) -> int:
    """The value of a day's SAID key."""
    return day.year * 10000 + day.month * 100 + day.day


# The value of a SAID key as SQL over a date column.
SAID_SQL = {
    "postgresql": "CAST(to_char({column}, 'YYYYMMDD') AS bigint)",
    "sqlite": "CAST(replace({column}, '-', '') AS INTEGER)",
}


# The days a statement read on `s.sort_date` leads its event's first day `e.start_date`.
LEAD_SQL = {
    "postgresql": "e.start_date - s.sort_date",
    "sqlite": "CAST(julianday(e.start_date) - julianday(s.sort_date) AS INTEGER)",
}


def keys_sql(vendor: str, statements: str) -> str:
    """SELECT facet, value, statement_id of the published statements that the SQL condition `statements` on `s`
    selects."""
    source = "FROM timeline_statement s JOIN timeline_event e ON e.id = s.event_id"
    profile = profile_sql("s")
    where = f"WHERE e.status = 'published' AND ({statements})"
    said = SAID_SQL[vendor].format(column="s.sort_date")
    first = f"{profile} * {DAYS} + " + SAID_SQL[vendor].format(column="e.start_date")
    last = f"{profile} * {DAYS} + " + SAID_SQL[vendor].format(column="COALESCE(e.end_date, e.start_date)")
    lead = LEAD_SQL[vendor]
    return f"""
        SELECT {STATEMENT}, 0, s.id {source} {where}
        UNION ALL SELECT {SPEAKER}, s.speaker_id, s.id {source} {where}
        UNION ALL SELECT {TOPIC}, t.topic_id, s.id {source} JOIN timeline_event_topics t ON t.event_id = e.id {where}
        UNION ALL SELECT {LANGUAGE}, {code_sql("s.language", LANGUAGES)}, s.id {source} {where}
        UNION ALL SELECT {KIND}, {code_sql("s.kind", KINDS)}, s.id {source} {where}
        UNION ALL SELECT {PROFILE}, {profile}, s.id {source} {where}
        UNION ALL SELECT {SPEAKER_PROFILE}, s.speaker_id * {PROFILES} + {profile}, s.id {source} {where}
        UNION ALL SELECT {TOPIC_PROFILE}, t.topic_id * {PROFILES} + {profile}, s.id {source}
            JOIN timeline_event_topics t ON t.event_id = e.id {where}
        UNION ALL SELECT {TOPIC_SPEAKER_PROFILE}, (t.topic_id * {SPEAKERS} + s.speaker_id) * {PROFILES} + {profile},
            s.id {source} JOIN timeline_event_topics t ON t.event_id = e.id {where}
        UNION ALL SELECT {SAID}, {said}, s.id {source} {where} AND s.sort_date IS NOT NULL
        UNION ALL SELECT {SAID_PROFILE}, {profile} * {DAYS} + {said}, s.id {source} {where} AND s.sort_date IS NOT NULL
        UNION ALL SELECT {TOPIC_SAID}, t.topic_id * {DAYS} + {said}, s.id {source}
            JOIN timeline_event_topics t ON t.event_id = e.id {where} AND s.sort_date IS NOT NULL
        UNION ALL SELECT {EVENT_FIRST}, {first}, s.id {source} {where}
        UNION ALL SELECT {EVENT_LAST}, {last}, s.id {source} {where}
        UNION ALL SELECT {LEAD}, {lead}, s.id {source} {where} AND s.sort_date < e.start_date
    """


# What a change to each table can change, as the statements whose keys must be written anew. PostgreSQL: a query
# over the statement's transition tables (old_rows, new_rows), UPDATE entries finding changed rows with EXCEPT
# (see eventkeys.py); SQLite: a condition on the row, and the statements.
KEYED_COLUMNS = "id, event_id, speaker_id, language, kind, sort_date"
OF_EVENTS = "SELECT id FROM timeline_statement WHERE event_id IN ({events})"
EVENT_COLUMNS = "id, status, start_date, end_date"  # what of an event its statements' keys hold
POSTGRESQL_AFFECTED = {
    "timeline_statement": {
        "INSERT": "SELECT id FROM new_rows",
        "UPDATE": f"SELECT id FROM (SELECT {KEYED_COLUMNS} FROM new_rows EXCEPT SELECT {KEYED_COLUMNS} FROM old_rows) "
        "changed",
        "DELETE": "SELECT id FROM old_rows",
    },
    "timeline_event": {
        "UPDATE": OF_EVENTS.format(
            events=f"SELECT id FROM (SELECT {EVENT_COLUMNS} FROM new_rows EXCEPT SELECT {EVENT_COLUMNS} FROM old_rows) "
            "changed"
        ),
    },
    "timeline_event_topics": {
        "INSERT": OF_EVENTS.format(events="SELECT event_id FROM new_rows"),
        "UPDATE": OF_EVENTS.format(events="SELECT event_id FROM new_rows UNION SELECT event_id FROM old_rows"),
        "DELETE": OF_EVENTS.format(events="SELECT event_id FROM old_rows"),
    },
}
SQLITE_AFFECTED = {
    "timeline_statement": {
        "INSERT": ("1 = 1", "NEW.id"),
        "UPDATE": (
            " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in KEYED_COLUMNS.split(", ")),
            "NEW.id, OLD.id",
        ),
        "DELETE": ("1 = 1", "OLD.id"),
    },
    "timeline_event": {
        "UPDATE": (
            " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in EVENT_COLUMNS.split(", ")[1:]),
            OF_EVENTS.format(events="NEW.id"),
        )
    },
    "timeline_event_topics": {
        "INSERT": ("1 = 1", OF_EVENTS.format(events="NEW.event_id")),
        "UPDATE": ("1 = 1", OF_EVENTS.format(events="NEW.event_id, OLD.event_id")),
        "DELETE": ("1 = 1", OF_EVENTS.format(events="OLD.event_id")),
    },
}

POSTGRESQL_KEY_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION timeline_refresh_statement_keys(statements bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(statements) = 0 THEN
        RETURN;
    END IF;
    DELETE FROM timeline_statementkey WHERE statement_id = ANY(statements);
    INSERT INTO timeline_statementkey (facet, value, statement_id) {keys_sql("postgresql", "s.id = ANY(statements)")};
END
$$;
{postgresql_count_functions("timeline_count_statement_keys", "timeline_statementcount")}
CREATE OR REPLACE FUNCTION timeline_statement_keys_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM timeline_statementkey;
    DELETE FROM timeline_statementcount;
    RETURN NULL;
END
$$;
"""


KEY_TRIGGERS = "timeline_statement_keys_"


def key_trigger_name(table: str, operation: str) -> str:
    return refresh_trigger_name(KEY_TRIGGERS, table, operation)


def postgresql_key_statements() -> list[str]:
    statements = [
        POSTGRESQL_KEY_FUNCTIONS,
        *refresh_triggers(KEY_TRIGGERS, "timeline_refresh_statement_keys", POSTGRESQL_AFFECTED),
    ]
    return statements + [
        "DROP TRIGGER IF EXISTS timeline_statement_keys_truncated ON timeline_statement",
        "CREATE TRIGGER timeline_statement_keys_truncated AFTER TRUNCATE ON timeline_statement "
        "FOR EACH STATEMENT EXECUTE FUNCTION timeline_statement_keys_truncated()",
        "DROP TRIGGER IF EXISTS timeline_count_statement_keys_added ON timeline_statementkey",
        "CREATE TRIGGER timeline_count_statement_keys_added AFTER INSERT ON timeline_statementkey "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION timeline_count_statement_keys_added()",
        "DROP TRIGGER IF EXISTS timeline_count_statement_keys_removed ON timeline_statementkey",
        "CREATE TRIGGER timeline_count_statement_keys_removed AFTER DELETE ON timeline_statementkey "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION timeline_count_statement_keys_removed()",
    ]


def postgresql_key_triggers() -> list[tuple[str, str]]:
    names = refresh_trigger_names(KEY_TRIGGERS, POSTGRESQL_AFFECTED)
    return names + [
        ("timeline_statement_keys_truncated", "timeline_statement"),
        ("timeline_count_statement_keys_added", "timeline_statementkey"),
        ("timeline_count_statement_keys_removed", "timeline_statementkey"),
    ]


def sqlite_key_triggers() -> dict[str, str]:
    """The keys' triggers, as SQLITE_TRIGGERS: name -> what follows CREATE TRIGGER name."""
    triggers = {}
    for table, operations in SQLITE_AFFECTED.items():
        for operation, (when, statements) in operations.items():
            # No INSERT OR REPLACE: a statement in a trigger takes on the conflict clause of the statement firing it.
            refresh = (
                f"DELETE FROM timeline_statementkey WHERE statement_id IN ({statements}); "
                "INSERT INTO timeline_statementkey (facet, value, statement_id) "
                f"{keys_sql('sqlite', f's.id IN ({statements})')};"
            )
            triggers[key_trigger_name(table, operation)] = (
                f"AFTER {operation} ON {table} WHEN {when} BEGIN {refresh} END"
            )
    triggers["timeline_count_statement_keys_insert"] = (
        "AFTER INSERT ON timeline_statementkey BEGIN "
        "INSERT INTO timeline_statementcount (facet, value, n) SELECT NEW.facet, NEW.value, 0 WHERE NOT EXISTS "
        "(SELECT 1 FROM timeline_statementcount WHERE facet = NEW.facet AND value = NEW.value); "
        "UPDATE timeline_statementcount SET n = n + 1 WHERE facet = NEW.facet AND value = NEW.value; END"
    )
    triggers["timeline_count_statement_keys_delete"] = (
        "AFTER DELETE ON timeline_statementkey BEGIN "
        "UPDATE timeline_statementcount SET n = n - 1 WHERE facet = OLD.facet AND value = OLD.value; "
        "DELETE FROM timeline_statementcount WHERE facet = OLD.facet AND value = OLD.value AND n <= 0; END"
    )
    return triggers


# The sort date

# The date a statement is read under, as SQL over the statement row ROW.
SORT_DATE = "COALESCE(ROW.said_on, (SELECT e.start_date FROM timeline_event e WHERE e.id = ROW.event_id))"

POSTGRESQL_STATEMENTS = [
    # A statement's own row, before it is written: whatever value the write carried, the kept one is written.
    f"""
    CREATE OR REPLACE FUNCTION timeline_statement_sort_date() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.sort_date := {SORT_DATE.replace("ROW.", "NEW.")};
        RETURN NEW;
    END
    $$""",
    "DROP TRIGGER IF EXISTS timeline_statement_sort_date ON timeline_statement",
    "CREATE TRIGGER timeline_statement_sort_date BEFORE INSERT OR UPDATE ON timeline_statement "
    "FOR EACH ROW EXECUTE FUNCTION timeline_statement_sort_date()",
    # Events whose first day changed, found with EXCEPT rather than a join of old and new rows (see eventkeys.py),
    # pass it on to their statements that have no date of their own.
    """
    CREATE OR REPLACE FUNCTION timeline_event_sort_dates() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE timeline_statement s SET sort_date = moved.start_date
        FROM (SELECT id, start_date FROM new_rows EXCEPT SELECT id, start_date FROM old_rows) moved
        WHERE s.event_id = moved.id AND s.said_on IS NULL AND s.sort_date IS DISTINCT FROM moved.start_date;
        RETURN NULL;
    END
    $$""",
    "DROP TRIGGER IF EXISTS timeline_event_sort_dates ON timeline_event",
    "CREATE TRIGGER timeline_event_sort_dates AFTER UPDATE ON timeline_event "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION timeline_event_sort_dates()",
]
POSTGRESQL_TRIGGERS = [
    ("timeline_statement_sort_date", "timeline_statement"),
    ("timeline_event_sort_dates", "timeline_event"),
]

# SQLite cannot change the row being written: the row is put right after it is, when it is not right already (the
# correcting UPDATE does not fire the triggers again: SQLite's triggers are not recursive).
SQLITE_STATEMENT_ROW = (
    "WHEN NEW.sort_date IS NOT {sort_date} BEGIN "
    "UPDATE timeline_statement SET sort_date = {sort_date} WHERE id = NEW.id; END"
).format(sort_date=SORT_DATE.replace("ROW.", "NEW."))
SQLITE_TRIGGERS = {
    "timeline_statement_sort_date_insert": f"AFTER INSERT ON timeline_statement {SQLITE_STATEMENT_ROW}",
    "timeline_statement_sort_date_update": f"AFTER UPDATE ON timeline_statement {SQLITE_STATEMENT_ROW}",
    "timeline_event_sort_dates": (
        "AFTER UPDATE OF start_date ON timeline_event WHEN NEW.start_date IS NOT OLD.start_date BEGIN "
        "UPDATE timeline_statement SET sort_date = NEW.start_date WHERE event_id = NEW.id AND said_on IS NULL; END"
    ),
}


def has_keys(connection) -> bool:
    return "timeline_statementkey" in connection.introspection.table_names()


def installed(connection) -> bool:
    columns = connection.introspection.get_table_description(connection.cursor(), "timeline_statement")
    return any(column.name == "sort_date" for column in columns)


def install(using=None, connection=None, **kwargs) -> None:
    """(Re)create the triggers; idempotent, run after every migrate (see apps.py)."""
    if connection is None:
        connection = connections[using] if using else default_connection
    if "timeline_statement" not in connection.introspection.table_names() or not installed(connection):
        return  # migrated back before the column existed
    keys = has_keys(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in POSTGRESQL_STATEMENTS + (postgresql_key_statements() if keys else []):
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            triggers = {**SQLITE_TRIGGERS, **(sqlite_key_triggers() if keys else {})}
            for name, body in triggers.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {body}")


def uninstall(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, table in POSTGRESQL_TRIGGERS + postgresql_key_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        elif connection.vendor == "sqlite":
            for name in [*SQLITE_TRIGGERS, *sqlite_key_triggers()]:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild(connection=None) -> None:
    """Recompute every statement's sort date, and every key and count, with the triggers out of the way."""
    connection = connection or default_connection
    uninstall(connection)
    sort_date = SORT_DATE.replace("ROW.", "timeline_statement.")
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"  # older SQLite lacks the former
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE timeline_statement SET sort_date = {sort_date} WHERE sort_date {differs} {sort_date}")
        if has_keys(connection):
            cursor.execute("DELETE FROM timeline_statementkey")
            cursor.execute("DELETE FROM timeline_statementcount")
            keys = keys_sql(connection.vendor, "1 = 1")
            cursor.execute(f"INSERT INTO timeline_statementkey (facet, value, statement_id) {keys}")
            cursor.execute(
                "INSERT INTO timeline_statementcount (facet, value, n) "
                "SELECT facet, value, count(*) FROM timeline_statementkey GROUP BY facet, value"
            )
            if connection.vendor == "postgresql":
                # Every key written anew: until autovacuum came by, the planner read the keys by the old statistics
                # (at 100,000 events, the French statements since 2020: 45 ms of SQL, 153 meanwhile).
                cursor.execute("ANALYZE timeline_statementkey")
                cursor.execute("ANALYZE timeline_statementcount")
    install(connection=connection)


def suspended(connection=None):
    """The keys rebuilt once after a bulk write (eventkeys.rebuilt_once)."""
    return rebuilt_once(uninstall, rebuild, connection or default_connection)
