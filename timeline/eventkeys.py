"""The published events' facet keys: a compact index of what every filter and facet of the timeline reads.

One row of timeline_eventkey per (facet, value, published event): the event itself (facet EVENT, value 0), the
month it starts in, its type, each of its participants, topics and participants' countries, whether it has
statements, and who speaks in them. Only published events have
keys, so "published" needs no further condition, and the keys of one facet value sit together in the primary key
(facet, value, event): a filter reads the events of a value from it, a count groups it without touching the
70 MB events table. timeline_facetcount holds the number of events of every (facet, value), so the timeline's
unfiltered facets, the participants' and topics' event counts and the total are read, not counted.

Both tables are derived data, kept exact by database triggers in the same transaction as the change (an edit in
the admin, an import, a bulk update, SQL in psql), like the data versions of timeline/versions.py. They are not
models, so no dump, backup or fixture holds them: a backup restored, a fixture loaded, rebuild their rows through
the same triggers; the functions below are how the rest of the app reads them. `rebuild()` recomputes both from
scratch (the migration that creates them, and `generate_synthetic`, which writes with the triggers suspended).
"""

import contextlib

from django.db import connection as default_connection
from django.db import connections
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

EVENT, PARTICIPANT, TOPIC, COUNTRY, STATEMENTS, MONTH, TYPE, SPEAKER = 0, 1, 2, 3, 4, 5, 6, 7

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


def month_of(value: int) -> tuple:
    """(first day of the month, date precision) of a MONTH key."""
    import datetime

    months, precision = divmod(value, 4)
    return datetime.date(months // 12, months % 12 + 1, 1), PRECISIONS[precision]


# Reading the keys


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


def kept_counts_of(facets: list[int], using: str = "default") -> list[tuple[int, int]]:
    """(facet, events) of facets with one value each (EVENT, STATEMENTS), in one query."""
    with connections[using].cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(facets))
        cursor.execute(f"SELECT facet, n FROM timeline_facetcount WHERE facet IN ({placeholders})", facets)
        return [tuple(row) for row in cursor.fetchall()]


def kept_counts(facet: int, limit: int | None = None, using: str = "default") -> list[tuple[int, int]]:
    """(value, events) of `facet`, most events first."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT value, n FROM timeline_facetcount WHERE facet = %s ORDER BY n DESC, value"
            + (" LIMIT %s" if limit else ""),
            [facet, limit] if limit else [facet],
        )
        return [tuple(row) for row in cursor.fetchall()]


def kept_count_sql(model, facet: int) -> RawSQL:
    """How many published events each row of `model` (participants, topics) has as a value of `facet`: a
    correlated subquery on the kept counts, 0 for none. For a query whose outer table is `model`'s own."""
    table, pk = model._meta.db_table, model._meta.pk.column
    return Coalesce(
        RawSQL(
            f'SELECT n FROM timeline_facetcount WHERE facet = %s AND value = "{table}"."{pk}"',
            [facet],
            output_field=IntegerField(),
        ),
        0,
    )


def values_sql(*facets: int) -> RawSQL:
    """The values of these facets that any published event has (the ids of the public participants, say)."""
    placeholders = ", ".join(["%s"] * len(facets))
    return RawSQL(f"SELECT value FROM timeline_facetcount WHERE facet IN ({placeholders})", list(facets))


def country_code_sql(vendor: str, column: str) -> str:
    """A two-letter code as a number (first letter times 256 plus the second), which every database can compute."""
    char = "ascii" if vendor == "postgresql" else "unicode"
    return f"({char}(substr({column}, 1, 1)) * 256 + {char}(substr({column}, 2, 1)))"


def country_of(value: int) -> str:
    return chr(value // 256) + chr(value % 256)


def country_value(code: str) -> int:
    return ord(code[0]) * 256 + ord(code[1])


def keys_sql(vendor: str, events: str) -> str:
    """SELECT facet, value, event_id of the published events that the SQL condition `events` on `e` selects."""
    published = f"e.status = 'published' AND ({events})"
    return f"""
        SELECT {EVENT}, 0, e.id FROM timeline_event e WHERE {published}
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
        UNION SELECT {SPEAKER}, s.speaker_id, s.event_id
            FROM timeline_statement s JOIN timeline_event e ON e.id = s.event_id WHERE {published}
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
}

POSTGRESQL_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION timeline_refresh_keys(events bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(events) = 0 THEN
        RETURN;
    END IF;
    DELETE FROM timeline_eventkey WHERE event_id = ANY(events);
    INSERT INTO timeline_eventkey (facet, value, event_id) {keys_sql("postgresql", "e.id = ANY(events)")};
END
$$;
CREATE OR REPLACE FUNCTION timeline_count_keys_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- In key order, so that two transactions counting the same values lock their rows in the same order.
    INSERT INTO timeline_facetcount (facet, value, n)
    SELECT facet, value, count(*) FROM new_rows GROUP BY facet, value ORDER BY facet, value
    ON CONFLICT (facet, value) DO UPDATE SET n = timeline_facetcount.n + EXCLUDED.n;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION timeline_count_keys_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE timeline_facetcount c SET n = c.n - d.n
    FROM (SELECT facet, value, count(*) AS n FROM old_rows GROUP BY facet, value) d
    WHERE c.facet = d.facet AND c.value = d.value;
    -- No row for a value no event has: the counts are a function of the keys alone.
    DELETE FROM timeline_facetcount c USING (SELECT DISTINCT facet, value FROM old_rows) d
    WHERE c.facet = d.facet AND c.value = d.value AND c.n <= 0;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION timeline_keys_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM timeline_eventkey;
    DELETE FROM timeline_facetcount;
    RETURN NULL;
END
$$;
"""


def postgresql_statements() -> list[str]:
    statements = [POSTGRESQL_FUNCTIONS]
    for table, operations in POSTGRESQL_AFFECTED.items():
        for operation, affected in operations.items():
            name = f"timeline_keys_{operation.lower()}_{table}"[:63]
            tables = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows"}.get(
                operation, "OLD TABLE AS old_rows NEW TABLE AS new_rows"
            )
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"PERFORM timeline_refresh_keys(ARRAY(SELECT DISTINCT a FROM ({affected}) affected(a) "
                f"WHERE a IS NOT NULL)); RETURN NULL; END $$",
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"CREATE TRIGGER {name} AFTER {operation} ON {table} REFERENCING {tables} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
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
    return statements


def postgresql_trigger_names() -> list[tuple[str, str]]:
    names = [
        (f"timeline_keys_{operation.lower()}_{table}"[:63], table)
        for table, operations in POSTGRESQL_AFFECTED.items()
        for operation in operations
    ]
    return names + [
        ("timeline_keys_truncated", "timeline_event"),
        ("timeline_count_keys_added", "timeline_eventkey"),
        ("timeline_count_keys_removed", "timeline_eventkey"),
    ]


def sqlite_refresh(events: str) -> str:
    """Statements of a trigger body recomputing the keys of the events `events` (a list of values or a SELECT).

    No INSERT OR REPLACE: a statement in a trigger takes on the conflict clause of the statement firing it."""
    return (
        f"DELETE FROM timeline_eventkey WHERE event_id IN ({events}); "
        f"INSERT INTO timeline_eventkey (facet, value, event_id) {keys_sql('sqlite', f'e.id IN ({events})')};"
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


def sqlite_triggers() -> dict[str, str]:
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
    return triggers


def installed(connection) -> bool:
    return "timeline_eventkey" in connection.introspection.table_names()


def install(using=None, connection=None, **kwargs) -> None:
    """(Re)create the triggers that keep the keys; idempotent, run after every migrate (see apps.py)."""
    if connection is None:
        from django.db import connections

        connection = connections[using] if using else default_connection
    if not installed(connection):
        return  # migrated back before the keys existed
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in postgresql_statements():
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            for name, statement in sqlite_triggers().items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(statement)


def uninstall(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, table in postgresql_trigger_names():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        elif connection.vendor == "sqlite":
            for name in sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild(connection=None) -> None:
    """Recompute every key and count from the events, in three statements, with the triggers out of the way."""
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
    install(connection=connection)


@contextlib.contextmanager
def suspended(connection=None):
    """Write in bulk without the triggers' work per statement, then rebuild the keys once (generate_synthetic)."""
    connection = connection or default_connection
    uninstall(connection)
    try:
        yield
    finally:
        rebuild(connection)
