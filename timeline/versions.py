"""Data versions: two tokens that say when what readers can see has changed, kept by the database itself.

Each is a random token in a row of the timeline_dataversion table (migration 0005) that database triggers replace
in the same transaction as the change calling for it, however the change was made (the admin, an import, a bulk
update, SQL typed into psql):

- PUBLIC (row 1) changes with anything a reader can see: a published event and what hangs from it (statements,
  involvements, topics, sources, corrections), and a participant, role, topic or source of the public record.
  A draft saved, a participant or a source that no published event has yet: no change, so no cached page is
  retired and no validator changes (a reader cannot tell when the newsroom is working).
- SELECTION (row 2) changes only with what decides which events a filter selects, how many there are and what the
  facets call them: a published event's status, dates or type, its participants, topics and statements, a
  public participant's or topic's name, slug or country. A corrected title or summary leaves it as it was, so
  the facet counts, charts and totals of every filter without a search survive such an edit.

A table the rules below do not name changes both versions on any change: correct, if coarse. `install_triggers`
runs after every `migrate`, so tables added later are covered too. timeline/caching.py keys everything it stores
by these versions.
"""

import contextvars
import dataclasses
import datetime
import uuid

from django.apps import apps
from django.db import connection as default_connection

PUBLIC, SELECTION = 1, 2  # the rows of timeline_dataversion
# What a change must touch to change a version. For each table: when a row `r` belongs to the public record,
# as SQL on both databases; and the columns whose change can change a selection (None: any column).


def published(event: str) -> str:
    """SQL: the event whose id is the SQL `event` is published."""
    return f"EXISTS (SELECT 1 FROM timeline_event e WHERE e.id = {event} AND e.status = 'published')"


# A link is found by its own key, then its event by primary key. Written as a join of the links with the events,
# SQLite without statistics started from the published events and looked each one up among the links: every
# source added at 70,000 events read them all (63 ms), and generating that many took 53 minutes rather than two.
# ROW stands for the changed row: NEW or OLD in SQLite, a row of a transition table in PostgreSQL.
PUBLIC_PARTICIPANT = (
    "(EXISTS (SELECT 1 FROM timeline_involvement i WHERE i.participant_id = {participant} AND "
    + published("i.event_id")
    + ") OR EXISTS (SELECT 1 FROM timeline_statement s WHERE s.speaker_id = {participant} AND "
    + published("s.event_id")
    + "))"
)


@dataclasses.dataclass(frozen=True)
class Rule:
    public: str  # SQL: whether the row ROW is part of what readers see
    selecting: tuple[str, ...] | None = None  # columns a selection depends on; None: all of them
    selects: bool = True  # False: no change to this table changes a selection


RULES = {
    "timeline_event": Rule(
        "ROW.status = 'published'", ("status", "start_date", "end_date", "date_precision", "event_type", "slug")
    ),
    "timeline_involvement": Rule(published("ROW.event_id"), ("event_id", "participant_id")),
    "timeline_event_topics": Rule(published("ROW.event_id")),
    "timeline_event_sources": Rule(published("ROW.event_id"), selects=False),
    "timeline_statement": Rule(published("ROW.event_id"), ("event_id",)),
    "timeline_statement_sources": Rule(
        "EXISTS (SELECT 1 FROM timeline_statement s WHERE s.id = ROW.statement_id AND " + published("s.event_id") + ")",
        selects=False,
    ),
    "timeline_correction": Rule(published("ROW.event_id"), selects=False),
    "timeline_participant": Rule(PUBLIC_PARTICIPANT.format(participant="ROW.id"), ("name", "slug", "country")),
    "timeline_role": Rule(PUBLIC_PARTICIPANT.format(participant="ROW.participant_id"), selects=False),
    "timeline_topic": Rule(
        "EXISTS (SELECT 1 FROM timeline_event_topics t WHERE t.topic_id = ROW.id AND " + published("t.event_id") + ")",
        None,  # any column: a topic's name is what its facet shows, in every language it is written in
    ),
    "timeline_source": Rule(
        "(EXISTS (SELECT 1 FROM timeline_event_sources x WHERE x.source_id = ROW.id AND "
        + published("x.event_id")
        + ") OR EXISTS (SELECT 1 FROM timeline_statement_sources x JOIN timeline_statement s ON s.id = x.statement_id "
        "WHERE x.source_id = ROW.id AND "
        + published("s.event_id")
        + ") OR EXISTS (SELECT 1 FROM timeline_role o WHERE o.source_id = ROW.id AND "
        + PUBLIC_PARTICIPANT.format(participant="o.participant_id")
        + "))",
        selects=False,
    ),
    # The editors' list of weak publishers: warnings in the admin, shown on no public surface.
    "timeline_weakpublisher": (NEVER_PUBLIC := Rule("1 = 0", selects=False)),
    # Files waiting for an import's confirmation (timeline/importing.py): what they hold is not written yet.
    "timeline_importupload": NEVER_PUBLIC,
    # Changes waiting for review (timeline/review.py): readers see them only once approved, written to the item.
    "timeline_revision": NEVER_PUBLIC,
}
EVERYTHING = Rule("1 = 1")  # a table no rule names: any change counts


def tracked_tables() -> list[str]:
    """Every table of the timeline app whose rows can reach a public page: not the history tables (a change
    there always comes with one in the table it records) nor the versions themselves."""
    tables = []
    for model in apps.get_app_config("timeline").get_models(include_auto_created=True):
        if hasattr(model, "instance_type"):  # simple_history's historical models
            continue
        if not model._meta.managed:  # derived from the others by triggers of their own (timeline/eventkeys.py)
            continue
        tables.append(model._meta.db_table)
    return sorted(tables)


# The triggers

POSTGRESQL_BUMP = """
CREATE OR REPLACE FUNCTION timeline_bump_version(version integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO timeline_dataversion (id, token, changed_at)
    VALUES (version, replace(gen_random_uuid()::text, '-', ''), clock_timestamp())
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, changed_at = EXCLUDED.changed_at
$$
"""
# Statement-level triggers with transition tables: a bulk update of 100,000 rows is one check and one new version.
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {public} THEN
        IF {selection} THEN
            PERFORM timeline_bump_version({selection_row});
        END IF;
        PERFORM timeline_bump_version({public_row});
    END IF;
    RETURN NULL;
END
$$
"""
POSTGRESQL_TRIGGER = (
    "CREATE TRIGGER {name} AFTER {operation} ON {table} REFERENCING {tables} "
    "FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
)
# SQLite has no statement-level triggers: one per changed row, cheap for the few rows an edit touches.
# An UPDATE of the row install_triggers made: an INSERT OR REPLACE here would take on the conflict clause of the
# statement firing it, and Django adds many-to-many links with INSERT OR IGNORE, which would then leave it be.
SQLITE_BUMP = (
    "UPDATE timeline_dataversion SET token = lower(hex(randomblob(16))), "
    "changed_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = {row};"
)
SQLITE_TRIGGER = "CREATE TRIGGER {name} AFTER {operation} ON {table} WHEN {when} BEGIN {bump} END"


def _any(rows: str, condition: str) -> str:
    return f"EXISTS (SELECT 1 FROM {rows} r WHERE {condition.replace('ROW.', 'r.')})"


def _changed(columns: tuple[str, ...], old: str = "o", new: str = "n") -> str:
    return " OR ".join(f"{new}.{column} IS DISTINCT FROM {old}.{column}" for column in columns)


def _selecting_changed(rule: Rule) -> str:
    """Whether an UPDATE changed a selecting column of a row public before or after it: a public row's primary key
    and selecting columns on one side that the other side lacks.

    Written as EXCEPT rather than as a join of the two transition tables on the primary key: those tables have no
    index, and a nested-loop plan (which a function's cached plan can keep from an update of one row) reads one of
    them once per row of the other, hours for an update of 100,000 events. EXCEPT hashes or sorts each side once."""
    columns = ", ".join(("id", *rule.selecting))

    def side(rows: str, other: str) -> str:
        public = rule.public.replace("ROW.", "r.")
        return f"EXISTS (SELECT {columns} FROM {rows} r WHERE {public} EXCEPT SELECT {columns} FROM {other})"

    return f"({side('old_rows', 'new_rows')} OR {side('new_rows', 'old_rows')})"


def postgresql_statements(table: str, rule: Rule, quote) -> list[str]:
    """The functions and triggers that keep the versions for `table`."""
    statements = [f"DROP TRIGGER IF EXISTS timeline_data_changed ON {quote(table)}"]  # the first edition's
    for operation in ("INSERT", "UPDATE", "DELETE"):
        name = f"timeline_{operation.lower()}_{table}"[:63]
        rows = {"INSERT": ["new_rows"], "UPDATE": ["old_rows", "new_rows"], "DELETE": ["old_rows"]}[operation]
        public = " OR ".join(_any(r, rule.public) for r in rows)
        if not rule.selects:
            selection = "FALSE"
        elif operation == "UPDATE" and rule.selecting is not None:
            selection = _selecting_changed(rule)
        else:
            selection = "TRUE"
        tables = " ".join(f"{'OLD' if r == 'old_rows' else 'NEW'} TABLE AS {r}" for r in rows)
        statements += [
            POSTGRESQL_FUNCTION.format(
                function=name, public=public, selection=selection, selection_row=SELECTION, public_row=PUBLIC
            ),
            f"DROP TRIGGER IF EXISTS {name} ON {quote(table)}",
            POSTGRESQL_TRIGGER.format(name=name, operation=operation, table=quote(table), tables=tables, function=name),
        ]
    name = f"timeline_truncate_{table}"[:63]
    statements += [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"PERFORM timeline_bump_version({SELECTION}); PERFORM timeline_bump_version({PUBLIC}); RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {name} ON {quote(table)}",
        f"CREATE TRIGGER {name} AFTER TRUNCATE ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]
    return statements


def sqlite_statements(table: str, rule: Rule, quote) -> list[str]:
    statements = []
    for operation in ("INSERT", "UPDATE", "DELETE"):
        for kind in ("insert", "update", "delete"):  # the first edition's names
            statements.append(f"DROP TRIGGER IF EXISTS {quote(f'timeline_data_changed_{table}_{kind}')}")
        rows = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}[operation]
        public = " OR ".join(f"({rule.public.replace('ROW.', f'{r}.')})" for r in rows)
        for row, selects in ((PUBLIC, None), (SELECTION, rule)):
            if selects is None:
                when = f"({public})"
            elif not rule.selects:
                continue
            elif operation == "UPDATE" and rule.selecting is not None:
                when = (
                    f"({public}) AND ({_changed(rule.selecting, 'OLD', 'NEW').replace('IS DISTINCT FROM', 'IS NOT')})"
                )
            else:
                when = f"({public})"
            name = quote(f"timeline_v{row}_{table}_{operation.lower()}")
            statements += [
                f"DROP TRIGGER IF EXISTS {name}",
                SQLITE_TRIGGER.format(
                    name=name, operation=operation, table=quote(table), when=when, bump=SQLITE_BUMP.format(row=row)
                ),
            ]
    return statements


def install_triggers(using=None, connection=None, **kwargs) -> None:
    """(Re)create the triggers on every tracked table; idempotent, run after every migrate (see apps.py)."""
    if connection is None:
        from django.db import connections

        connection = connections[using] if using else default_connection
    quote = connection.ops.quote_name
    existing = set(connection.introspection.table_names())
    if "timeline_dataversion" not in existing:
        return  # migrated back before the version table existed
    with connection.cursor() as cursor:
        # The selection version's row, for databases migrated before it existed.
        for row in (PUBLIC, SELECTION):
            cursor.execute(
                "INSERT INTO timeline_dataversion (id, token, changed_at) SELECT %s, %s, CURRENT_TIMESTAMP "
                "WHERE NOT EXISTS (SELECT 1 FROM timeline_dataversion WHERE id = %s)",
                [row, uuid.uuid4().hex, row],
            )
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_BUMP)
            cursor.execute("DROP FUNCTION IF EXISTS timeline_data_changed() CASCADE")
            write = postgresql_statements
        elif connection.vendor == "sqlite":
            write = sqlite_statements
        else:
            return
        for table in (t for t in tracked_tables() if t in existing):
            for statement in write(table, RULES.get(table, EVERYTHING), quote):
                cursor.execute(statement)


# Reading the versions


@dataclasses.dataclass(frozen=True)
class DataVersion:
    token: str
    changed_at: datetime.datetime


@dataclasses.dataclass(frozen=True)
class Versions:
    public: DataVersion
    selection: DataVersion


def _aware(value) -> datetime.datetime:
    if isinstance(value, str):  # SQLite keeps it as text, in UTC
        value = datetime.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def current_versions(connection=None) -> Versions | None:
    """Both versions, in one query; None (nothing is cached) if a row is missing."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, token, changed_at FROM timeline_dataversion WHERE id IN (%s, %s)", [PUBLIC, SELECTION]
        )
        rows = {row: DataVersion(token, _aware(changed_at)) for row, token, changed_at in cursor.fetchall()}
    if PUBLIC not in rows or SELECTION not in rows:
        return None
    return Versions(rows[PUBLIC], rows[SELECTION])


def current_version(connection=None) -> DataVersion | None:
    """The public version."""
    versions = current_versions(connection)
    return versions.public if versions else None


# The versions read during the current request, so that the page and its aggregates read them once.
request_versions: contextvars.ContextVar[dict | None] = contextvars.ContextVar("timeline_data_version", default=None)


def data_versions() -> Versions | None:
    """The versions: read once per request served through `cache_public_page`, else every time."""
    memo = request_versions.get()
    if memo is None:
        return current_versions()
    if "versions" not in memo:
        memo["versions"] = current_versions()
    return memo["versions"]


def data_version() -> DataVersion | None:
    """The public version (see data_versions)."""
    versions = data_versions()
    return versions.public if versions else None
