"""PostgreSQL: the published events' searchable documents, in one narrow table that a search reads its matches from.

timeline_searchdocument has a row for each published event's own text and one for each of its statements:

- event_id: the published event the row finds;
- statement_id: the statement, or NULL for the event's own text;
- english, french: the stored vectors (timeline_event.search_vector and search_vector_fr; a statement's
  search_vector in the column of the language it was spoken in), each with its GIN index;
- profile: a statement's language and kind as one number (timeline/statementkeys.py), NULL for an event's own
  text, so that a statements search reads its matches' languages and kinds with them: a language's or a kind's
  matches and counts are taken from the one read (joining each match to its keys for them took 35–45 ms for a
  common word's 24,000);
- said_on: the day a statement was said, where the sources give it, so that its matches are ranked here, best match
  first and then oldest, as the statements index lists them (`ranked_statements_sql`): from the statements' own
  rows, a common word's 24,000 took 60 ms to rank for a page, sorted on disk; here, 22.

timeline_searchevent has one row per published event: the words of all its documents, English and French, without
their positions. A search of one word (the commonest) reads it there: a word is in one of an event's documents
exactly when it is in their union, and a common word's 12,500 events are read from 12,500 rows rather than from
36,000 documents made distinct (28 → 10 ms at 100,000 events). Any other search (every word of several in one
document, a phrase, a word left out) reads the documents, where each one is matched whole.

Why: the same vectors are in the events' and statements' own tables, but those rows are wide, and a draft's are there
too. Finding a common word's published events there meant two scans of wide rows, a union, then a join with every
published event: 73–94 ms for "trade" at 100,000 events. Here it is one scan of narrow rows: 30 ms. Ranking and
highlighting still read the events' own vectors, for the page's rows only.

Derived data, kept exact by statement-level triggers in the same transaction as the change (an edit in the admin, an
import, a bulk update, SQL in psql), like the facet keys of timeline/eventkeys.py: each change recomputes the rows of
the events it touches. Not a model, so no dump, backup or fixture holds it. SQLite has its own full-text index
(timeline/fulltext.py); nothing here runs there.
"""

from django.db import connection as default_connection
from django.db import connections

from timeline.eventkeys import rebuilt_once, refresh_trigger_names, refresh_triggers
from timeline.statementkeys import profile_sql

TABLE = "timeline_searchdocument"
COLUMNS = "event_id, statement_id, english, french, profile, said_on"
EVENTS = "timeline_searchevent"

CREATE = [
    f"CREATE TABLE {TABLE} (event_id bigint NOT NULL, statement_id bigint, english tsvector, french tsvector, "
    "profile smallint, said_on date)",
    f"CREATE INDEX {TABLE}_english_idx ON {TABLE} USING gin (english)",
    f"CREATE INDEX {TABLE}_french_idx ON {TABLE} USING gin (french)",
    f"CREATE INDEX {TABLE}_event_idx ON {TABLE} (event_id)",
]
CREATE_EVENTS = [
    f"CREATE TABLE {EVENTS} (event_id bigint PRIMARY KEY, english tsvector NOT NULL, french tsvector NOT NULL)",
    f"CREATE INDEX {EVENTS}_english_idx ON {EVENTS} USING gin (english)",
    f"CREATE INDEX {EVENTS}_french_idx ON {EVENTS} USING gin (french)",
]
# The union of an event's vectors: tsvector_concat is what || calls.
AGGREGATE = (
    "CREATE OR REPLACE AGGREGATE timeline_tsvector_union(tsvector) "
    "(SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '')"
)


def documents_sql(events: str) -> str:
    """SELECT the rows of the published events the SQL condition `events` on `e` selects."""
    published = f"e.status = 'published' AND ({events})"
    return f"""
        SELECT e.id, NULL::bigint, e.search_vector, e.search_vector_fr, NULL::smallint, NULL::date
        FROM timeline_event e WHERE {published}
        UNION ALL SELECT s.event_id, s.id,
            CASE WHEN s.language = 'fr' THEN NULL ELSE s.search_vector END,
            CASE WHEN s.language = 'fr' THEN s.search_vector END,
            {profile_sql("s")}, s.said_on
        FROM timeline_statement s JOIN timeline_event e ON e.id = s.event_id WHERE {published}
    """


def events_sql(documents: str) -> str:
    """SELECT the one row of each event whose documents the SQL condition `documents` selects."""
    return (
        "SELECT event_id, strip(timeline_tsvector_union(coalesce(english, ''))), "
        f"strip(timeline_tsvector_union(coalesce(french, ''))) FROM {TABLE} WHERE {documents} GROUP BY event_id"
    )


REFRESH = f"""
CREATE OR REPLACE FUNCTION timeline_refresh_search(events bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(events) = 0 THEN
        RETURN;
    END IF;
    DELETE FROM {TABLE} WHERE event_id = ANY(events);
    INSERT INTO {TABLE} ({COLUMNS}) {documents_sql("e.id = ANY(events)")};
    DELETE FROM {EVENTS} WHERE event_id = ANY(events);
    INSERT INTO {EVENTS} (event_id, english, french) {events_sql("event_id = ANY(events)")};
END
$$"""

STATEMENT_COLUMNS = "id, event_id, language, kind, said_on, search_vector"  # what a statement's document holds
# The events whose rows a statement on each table can change, over its transition tables (old_rows, new_rows). An
# UPDATE counts only rows whose searched columns changed, found with EXCEPT rather than a join of old and new rows
# (the transition tables have no index). A statement whose event is not there yet (the foreign key is checked at
# commit, so loaddata may write statements first) gets its row when the event is written.
AFFECTED = {
    "timeline_event": {
        "INSERT": "SELECT id FROM new_rows WHERE status = 'published'",
        "UPDATE": "SELECT id FROM (SELECT id, status, search_vector, search_vector_fr FROM new_rows "
        "EXCEPT SELECT id, status, search_vector, search_vector_fr FROM old_rows) changed",
        "DELETE": "SELECT id FROM old_rows WHERE status = 'published'",
    },
    "timeline_statement": {
        "INSERT": "SELECT event_id FROM new_rows",
        "UPDATE": f"SELECT event_id FROM (SELECT {STATEMENT_COLUMNS} FROM new_rows "
        f"EXCEPT SELECT {STATEMENT_COLUMNS} FROM old_rows) moved_to "
        f"UNION SELECT event_id FROM (SELECT {STATEMENT_COLUMNS} FROM old_rows "
        f"EXCEPT SELECT {STATEMENT_COLUMNS} FROM new_rows) moved_from",
        "DELETE": "SELECT event_id FROM old_rows",
    },
}
TRUNCATED = {"timeline_event": "TRUE", "timeline_statement": "statement_id IS NOT NULL"}
TRIGGERS = "timeline_search_"  # the prefix of the triggers' names


def statements() -> list[str]:
    result = [AGGREGATE, REFRESH, *refresh_triggers(TRIGGERS, "timeline_refresh_search", AFFECTED)]
    for table, rows in TRUNCATED.items():
        name = f"{TRIGGERS}truncate_{table}"
        result += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"DELETE FROM {TABLE} WHERE {rows}; DELETE FROM {EVENTS}; "
            f"INSERT INTO {EVENTS} (event_id, english, french) {events_sql('TRUE')}; RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return result


def trigger_names() -> list[tuple[str, str]]:
    return refresh_trigger_names(TRIGGERS, AFFECTED) + [(f"{TRIGGERS}truncate_{table}", table) for table in TRUNCATED]


def installed(connection) -> bool:
    return connection.vendor == "postgresql" and TABLE in connection.introspection.table_names()


def install(using=None, connection=None, **kwargs) -> None:
    """(Re)create the triggers that keep the table; idempotent, run after every migrate (see apps.py)."""
    if connection is None:
        from django.db import connections

        connection = connections[using] if using else default_connection
    if not installed(connection):
        return  # SQLite, or migrated back before the table existed
    with connection.cursor() as cursor:
        for statement in statements():
            cursor.execute(statement)


def uninstall(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        for name, table in trigger_names():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")


def rebuild(connection=None) -> None:
    """Write every published event's rows anew, in one statement, with the triggers out of the way."""
    connection = connection or default_connection
    uninstall(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE} ({COLUMNS}) {documents_sql('TRUE')}")
        cursor.execute(f"ANALYZE {TABLE}")
        if EVENTS in connection.introspection.table_names():  # not yet while migration 0023 runs
            cursor.execute(f"DELETE FROM {EVENTS}")
            cursor.execute(f"INSERT INTO {EVENTS} (event_id, english, french) {events_sql('TRUE')}")
            cursor.execute(f"ANALYZE {EVENTS}")
    install(connection=connection)


def suspended(connection=None):
    """The documents rebuilt once after a bulk write (eventkeys.rebuilt_once), where there are any."""
    return rebuilt_once(uninstall, rebuild, connection or default_connection, installed)


def matches_sql(q: str) -> tuple[str, list]:
    """SQL and parameters reading the ids of the published events whose own text or one of whose statements matches
    the websearch query `q` (any of its search.readings), read as English, then read as French: from the
    events' rows when each reading is one word (or none), from the documents otherwise. PostgreSQL works out which
    from the constants alone, while planning, and reads only that table."""
    asked, english, french = queries(q)
    one_word = f"numnode({english}) <= 1 AND numnode({french}) <= 1"
    matching = f"(english @@ {english} OR french @@ {french})"
    sql = (
        f"SELECT event_id FROM {EVENTS} WHERE {one_word} AND {matching} "
        f"UNION ALL SELECT DISTINCT event_id FROM {TABLE} WHERE NOT ({one_word}) AND {matching}"
    )
    return sql, asked * 8


def word_matches_sql(q: str, using: str) -> tuple[str, list] | None:
    """`matches_sql` read from the events' rows alone, where each reading of `q` is one word (or none), as the
    database works it out; else None. A condition asking a common word's matches again (search.Ids.found_by): as
    the two parts of `matches_sql`, the planner guessed a few hundred events and looked up each of 95,000 in
    turn (268 ms); as one table's, it estimates them from the words' statistics."""
    asked, english, french = queries(q)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT numnode({english}) <= 1 AND numnode({french}) <= 1", asked * 2)
        (one_word,) = cursor.fetchone()
    if not one_word:
        return None
    return f"SELECT event_id FROM {EVENTS} WHERE english @@ {english} OR french @@ {french}", asked * 2


def statement_matches_sql(q: str) -> tuple[str, list]:
    """SQL and parameters reading (profile, ids) of the published statements that match the websearch query `q`, as
    StatementQuerySet.search reads it (each in the language it was spoken in), one row per profile: from their
    documents, where a statement's vector is in the column of its language (a constraint holds statements to
    English and French). As a row each, a common word's 241,712 took 115 ms to read; so, 86."""
    asked, english, french = queries(q)
    return (
        f"SELECT profile, array_agg(statement_id) FROM {TABLE} WHERE statement_id IS NOT NULL "
        f"AND (english @@ {english} OR french @@ {french}) GROUP BY profile",
        asked * 2,
    )


def queries(q: str) -> tuple[list[str], str, str]:
    """The readings of `q` (search.readings), and SQL asking any of them in English and in French, each reading a
    parameter."""
    from timeline.search import SEARCH_CONFIGS, readings

    asked = readings(q)

    def query(config: str) -> str:
        return "(" + " || ".join(f"websearch_to_tsquery('{config}', %s)" for _ in asked) + ")"

    return asked, query(SEARCH_CONFIGS["en"]), query(SEARCH_CONFIGS["fr"])


def ranked_statements_sql(q: str, profiles: list[int], offset: int, limit: int) -> tuple[str, list]:
    """SQL and parameters reading the ids of `limit` of the published statements of the profiles `profiles` that
    match the websearch query `q`, from the `offset`-th, best match first, then the oldest said (a day not known
    last), then by id: as StatementQuerySet.search ranks them (ts_rank of the statement's vector, in the language
    spoken), over the documents' narrow rows."""
    asked, english, french = queries(q)
    rank = f"CASE WHEN english IS NULL THEN ts_rank(french, {french}) ELSE ts_rank(english, {english}) END"
    placeholders = ", ".join(["%s"] * len(profiles)) or "NULL"
    return (
        f"SELECT statement_id FROM {TABLE} WHERE statement_id IS NOT NULL "
        f"AND (english @@ {english} OR french @@ {french}) AND profile IN ({placeholders}) "
        f"ORDER BY {rank} DESC, said_on, statement_id LIMIT %s OFFSET %s",
        [*asked, *asked, *profiles, *asked, *asked, limit, offset],
    )
