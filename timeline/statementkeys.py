"""What the statements index reads instead of computing it for every statement: the date each statement is read
under (its `sort_date`).

A statement is read under the day it was said, or, where the sources give none, its event's first day: the order
of the statements index and what its date filters compare. As an expression over two tables no index can serve it,
and ordering 300,000 statements by it took 440 ms for a page of 50; kept in the statement's own column, the index
(sort_date, id) hands the page over in order.

The column is derived data, kept exact by database triggers in the same transaction as the change (an edit in the
admin, an import, a bulk update, SQL in psql), like the facet keys of timeline/eventkeys.py: on a statement written
(whatever value the write carried) and on its event's first day changed. `rebuild()` recomputes it from scratch.
"""

from django.db import connection as default_connection
from django.db import connections

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


def installed(connection) -> bool:
    columns = connection.introspection.get_table_description(connection.cursor(), "timeline_statement")
    return any(column.name == "sort_date" for column in columns)


def install(using=None, connection=None, **kwargs) -> None:
    """(Re)create the triggers; idempotent, run after every migrate (see apps.py)."""
    if connection is None:
        connection = connections[using] if using else default_connection
    if "timeline_statement" not in connection.introspection.table_names() or not installed(connection):
        return  # migrated back before the column existed
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in POSTGRESQL_STATEMENTS:
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            for name, body in SQLITE_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {body}")


def uninstall(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, table in POSTGRESQL_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild(connection=None) -> None:
    """Recompute every statement's sort date, in one statement, with the triggers out of the way."""
    connection = connection or default_connection
    uninstall(connection)
    sort_date = SORT_DATE.replace("ROW.", "timeline_statement.")
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"  # older SQLite lacks the former
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE timeline_statement SET sort_date = {sort_date} WHERE sort_date {differs} {sort_date}")
    install(connection=connection)
