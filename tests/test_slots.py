"""Slots: at most N at once of one kind of work, across every worker process on the machine."""

import os
import subprocess
import sys
import textwrap

import pytest

from timeline import slots


def test_a_kind_has_as_many_slots_as_asked_and_no_more():
    with slots.slot("test-kind", 2) as first, slots.slot("test-kind", 2) as second:
        assert {first, second} == {0, 1}
        with pytest.raises(slots.Busy), slots.slot("test-kind", 2):
            pass
        with slots.slot("other-kind", 1):  # another kind has its own
            pass
    with slots.slot("test-kind", 1) as again:  # released when the block ends
        assert again == 0


def test_a_slot_is_released_when_its_block_fails():
    with pytest.raises(RuntimeError), slots.slot("test-kind", 1):
        raise RuntimeError
    with slots.slot("test-kind", 1):
        pass


def hold_a_slot(base_dir, **environment) -> subprocess.Popen:
    """Another process of the site (or, with another DATABASE_URL, of another site) holding the one test slot."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import sys, django
                django.setup()
                from timeline import slots
                with slots.slot("test-kind", 1):
                    print("held", flush=True)
                    sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **environment},
        cwd=base_dir,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_slot_held_by_another_process_is_taken(settings):
    """Workers are processes: the slots are shared by every one of them on the machine."""
    holder = hold_a_slot(settings.BASE_DIR)
    try:
        with pytest.raises(slots.Busy), slots.slot("test-kind", 1):
            pass
    finally:
        holder.communicate("")
    with slots.slot("test-kind", 1):
        pass


def test_a_site_on_another_database_has_slots_of_its_own(settings, tmp_path):
    """A test run or a benchmark on another database, from the same code, took the site's slots: its downloads were
    told to come back while the other's were built."""
    holder = hold_a_slot(settings.BASE_DIR, DATABASE_URL=f"sqlite:///{tmp_path / 'another.sqlite3'}")
    try:
        with slots.slot("test-kind", 1) as number:
            assert number == 0
    finally:
        holder.communicate("")
