"""Slots: at most N at once of one kind of work, across every worker process on the machine."""

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


def test_a_slot_held_by_another_process_is_taken(settings):
    """Workers are processes: the slots are shared by every one of them on the machine."""
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
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        cwd=settings.BASE_DIR,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(slots.Busy), slots.slot("test-kind", 1):
            pass
    finally:
        holder.communicate("")
    with slots.slot("test-kind", 1):
        pass
