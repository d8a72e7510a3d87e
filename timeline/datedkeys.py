"""The facet keys a reader filters by, with their events' dates: what a filter and a date range select together,
read from one index.

timeline_datedkey holds a row per key of timeline_eventkey (timeline/eventkeys.py) of the facets readers choose
values of (participants, topics, countries, types, having statements), with the first and last day of its event,
indexed by (facet, value, first day). The events of a topic over ten years are then one range of that index, where
before they were the topic's keys merged with the dates of every published event: at 100,000 events, a topic's 5,562
events and 95,000 dates, 9 ms, to find 2,557 events in 0.8 ms. Every count of the page under the topic and the range
(the other facets', the total, the months) began with that merge.

Derived data like the keys themselves, kept by triggers in the same transaction: a key added or removed adds or
removes its row, and an event's new dates are written to its rows. `rebuild()` recomputes them from the keys.
"""

from timeline import eventkeys

FACETS = (eventkeys.PARTICIPANT, eventkeys.TOPIC, eventkeys.COUNTRY, eventkeys.TYPE, eventkeys.STATEMENTS)
FACETS_SQL = ", ".join(str(facet) for facet in FACETS)

# Keyed by event first, so that an event's rows are found to remove or redate them; then read by value and day.
TABLE = (
    "CREATE TABLE timeline_datedkey (event_id bigint NOT NULL, facet smallint NOT NULL, value bigint NOT NULL, "
    "start_date date NOT NULL, last_date date NOT NULL, PRIMARY KEY (event_id, facet, value)){without_rowid}"
)
INDEX = {
    "postgresql": "CREATE INDEX timeline_datedkey_range_idx ON timeline_datedkey (facet, value, start_date) "
    "INCLUDE (last_date, event_id)",
    "sqlite": "CREATE INDEX timeline_datedkey_range_idx ON timeline_datedkey (facet, value, start_date, last_date)",
}

# The rows of keys, from the keys and their events (`keys`: a table or transition table of timeline_eventkey).
DATED = (
    "SELECT k.event_id, k.facet, k.value, e.start_date, COALESCE(e.end_date, e.start_date) FROM {keys} k "
    "JOIN timeline_event e ON e.id = k.event_id WHERE k.facet IN ({facets})"
)


def dated_sql(keys: str) -> str:
    return DATED.format(keys=keys, facets=FACETS_SQL)


def events_with(facet: int, values, start=None, end=None) -> tuple[str, list]:
    """SQL and parameters selecting the ids of the published events with any of these values of `facet` that
    overlap [start, end] (either None for open), as EventQuerySet.between reads a range."""
    values = list(values)
    placeholders = ", ".join(["%s"] * len(values)) or "NULL"
    sql = f"SELECT event_id FROM timeline_datedkey WHERE facet = %s AND value IN ({placeholders})"
    params = [facet, *values]
    if end is not None:
        sql += " AND start_date <= %s"
        params.append(end)
    if start is not None:
        sql += " AND last_date >= %s"
        params.append(start)
    return sql, params


def paired_sql(vendor: str, facet: int, value: int, start, end, facets: list[int]) -> tuple[str, list]:
    """SQL and parameters of (facet, value, n): how many of the published events with this key that overlap
    [start, end] have each value of `facets` (among eventkeys.PAIRED). Where the range leaves out at most half of the
    key's events, their counts are the key's pairs (eventkeys.paired_sql) less the keys of the events it leaves out;
    else the keys of the events inside are counted. At 100,000 events, a country's counts since 1922 read 7,461
    events' keys rather than 66,415 (283 → 66 ms).

    The side not read is not scanned: each part is joined to a row (`few`) saying which side is read, computed once,
    as eventkeys.ranged_sql does."""
    among = "= ANY(ARRAY({}))" if vendor == "postgresql" else "IN ({})"
    wanted = ", ".join(str(int(facet)) for facet in facets)
    # Ended before the range (and so started before it too: the index's bound) or started after it.
    bounds = [("start_date < %s AND last_date < %s", [start, start]), ("start_date > %s", [end])]
    outside = " OR ".join(sql for sql, params in bounds if params[0] is not None)
    outside_params = [param for _, params in bounds if params[0] is not None for param in params]
    inside_sql, inside_params = events_with(facet, [value], start, end)
    left_out = among.format("SELECT event_id FROM left_out")
    parts = [
        (
            "SELECT facet_b AS facet, value_b AS value, n FROM few CROSS JOIN timeline_keypair "
            f"WHERE few.outside AND facet_a = %s AND value_a = %s AND facet_b IN ({wanted})",
            [facet, value],
        ),
        (
            f"SELECT facet, value, -count(*) AS n FROM few CROSS JOIN timeline_eventkey WHERE few.outside "
            f"AND facet IN ({wanted}) AND event_id {left_out} GROUP BY facet, value",
            [],
        ),
        (
            f"SELECT facet, value, count(*) AS n FROM few CROSS JOIN timeline_eventkey WHERE NOT few.outside "
            f"AND facet IN ({wanted}) AND event_id {among.format(inside_sql)} GROUP BY facet, value",
            inside_params,
        ),
    ]
    ctes = (
        "left_out AS MATERIALIZED (SELECT event_id FROM timeline_datedkey WHERE facet = %s AND value = %s "
        f"AND ({outside})), few AS (SELECT 2 * (SELECT count(*) FROM left_out) "
        "<= COALESCE((SELECT n FROM timeline_facetcount WHERE facet = %s AND value = %s), 0) AS outside)"
    )
    if vendor != "postgresql":
        ctes = ctes.replace("MATERIALIZED ", "")
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) part" for sql, _ in parts)
    return (
        f"WITH {ctes} SELECT facet, value, SUM(n) AS n FROM ({union}) counted GROUP BY facet, value HAVING SUM(n) <> 0",
        [facet, value, *outside_params, facet, value, *(param for _, params in parts for param in params)],
    )


def installed(connection) -> bool:
    # Migrations before 0032 keep the keys without their dates.
    return "timeline_datedkey" in connection.introspection.table_names()


POSTGRESQL_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION timeline_dated_keys_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO timeline_datedkey (event_id, facet, value, start_date, last_date) {dated_sql("new_rows")};
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION timeline_dated_keys_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM timeline_datedkey d USING old_rows k
    WHERE d.event_id = k.event_id AND d.facet = k.facet AND d.value = k.value;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION timeline_dated_keys_redated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only the events whose dates changed: a transition table has no index, so it is narrowed before the join.
    UPDATE timeline_datedkey d SET start_date = e.start_date, last_date = COALESCE(e.end_date, e.start_date)
    FROM (SELECT id, start_date, end_date FROM new_rows EXCEPT SELECT id, start_date, end_date FROM old_rows) e
    WHERE d.event_id = e.id;
    RETURN NULL;
END
$$;
"""

POSTGRESQL_TRIGGERS = {
    "timeline_dated_keys_added": ("INSERT", "timeline_eventkey", "NEW TABLE AS new_rows"),
    "timeline_dated_keys_removed": ("DELETE", "timeline_eventkey", "OLD TABLE AS old_rows"),
    "timeline_dated_keys_redated": ("UPDATE", "timeline_event", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
}

SQLITE_TRIGGERS = {
    "timeline_dated_keys_added": (
        f"AFTER INSERT ON timeline_eventkey WHEN NEW.facet IN ({FACETS_SQL})",
        "INSERT INTO timeline_datedkey (event_id, facet, value, start_date, last_date) "
        "SELECT NEW.event_id, NEW.facet, NEW.value, e.start_date, COALESCE(e.end_date, e.start_date) "
        "FROM timeline_event e WHERE e.id = NEW.event_id;",
    ),
    "timeline_dated_keys_removed": (
        f"AFTER DELETE ON timeline_eventkey WHEN OLD.facet IN ({FACETS_SQL})",
        "DELETE FROM timeline_datedkey WHERE event_id = OLD.event_id AND facet = OLD.facet AND value = OLD.value;",
    ),
    "timeline_dated_keys_redated": (
        "AFTER UPDATE OF start_date, end_date ON timeline_event",
        "UPDATE timeline_datedkey SET start_date = NEW.start_date, last_date = COALESCE(NEW.end_date, NEW.start_date) "
        "WHERE event_id = NEW.id AND (start_date <> NEW.start_date OR last_date <> COALESCE(NEW.end_date, "
        "NEW.start_date));",
    ),
}


def install(connection) -> None:
    if not installed(connection):
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_FUNCTIONS)
            for name, (operation, table, tables) in POSTGRESQL_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(
                    f"CREATE TRIGGER {name} AFTER {operation} ON {table} REFERENCING {tables} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
                )
        elif connection.vendor == "sqlite":
            for name, (when, body) in SQLITE_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, (_, table, _) in POSTGRESQL_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild(connection) -> None:
    """Recompute every row from the keys (called by eventkeys.rebuild, with the triggers out of the way)."""
    if not installed(connection):
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM timeline_datedkey")
        cursor.execute(
            "INSERT INTO timeline_datedkey (event_id, facet, value, start_date, last_date) "
            # In the order they are read, a value's rows together.
            f"{dated_sql('timeline_eventkey')} ORDER BY k.facet, k.value, e.start_date"
        )
