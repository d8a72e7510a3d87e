"""What the database plans for a query, asked so that the plan shows whether an index serves its order."""

import contextlib

from django.db import connection


@contextlib.contextmanager
def recorded():
    """A list that fills, while the block runs, with the (SQL, parameters) of each query it runs, in order."""
    queries = []

    def record(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield queries


def ordered_plan(sql: str, params, analyze: str | None = None) -> str:
    """The plan of `sql`, one line per step. PostgreSQL's with sorting made dear and whole scans forbidden: sorting a
    handful of rows costs next to nothing, so whether the planner takes an index would turn on the statistics an
    earlier test left, where what is asked is whether an index can serve the order at all. SQLite weighs its indexes
    by the statistics ANALYZE keeps: `analyze` names a table to analyze first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            if analyze:
                cursor.execute(f"ANALYZE {analyze}")
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())
