"""The querysets' helpers that need no database."""

import pytest

from timeline.querysets import search_query


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("-" * 33, ""),
        ("- - - -", ""),
        ('"" or -- ((( ))) !&| <->', ""),
        ("tariffs ---lumber", "tariffs -lumber"),
        ('"softwood lumber" OR -duties', '"softwood lumber" or -duties'),
        ('-"trade war"  -""', '-"trade war"'),
        ("or tariffs or or lumber or", "tariffs or lumber"),
        ("AT&T (Canada) \\ -(x)", "AT T Canada x"),
        ('"an unfinished phrase', '"an unfinished phrase"'),
        ("l'Amérique -É.-U.", "l'Amérique -É.-U."),
        ("tariffs\x00\x0b lumber", "tariffs lumber"),
        (
            "“trade war” «guerre commerciale» « droits » „Zölle“ -“x”",
            '"trade war" "guerre commerciale" "droits" "Zölle" -"x"',
        ),
    ],
)
def test_a_search_is_rebuilt_so_that_any_shape_of_it_runs(typed, query):
    assert search_query(typed) == query
