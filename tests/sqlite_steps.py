"""How much work SQLite does for something: the steps of its virtual machine, which, unlike a timing, can be
compared between two sizes of data in a test."""

from django.db import connection


def sqlite_steps(call) -> int:
    """The steps SQLite's virtual machine takes while `call()` runs."""
    steps = 0

    def count():
        nonlocal steps
        steps += 1

    connection.ensure_connection()
    connection.connection.set_progress_handler(count, 1)  # called at every step
    try:
        call()
    finally:
        connection.connection.set_progress_handler(None, 1)
    return steps
