"""Dates as editors type them, in either language: what was typed sets the precision, and a wrong date gets a
sentence saying what is wrong."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from timeline.date_input import PreciseDate, parse_date

D = datetime.date


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2025-05-06", PreciseDate(D(2025, 5, 6), "day")),
        ("2025-03", PreciseDate(D(2025, 3, 1), "month")),
        ("2025", PreciseDate(D(2025, 1, 1), "year")),
        ("March 2025", PreciseDate(D(2025, 3, 1), "month")),
        ("Mar. 2025", PreciseDate(D(2025, 3, 1), "month")),
        ("6 May 2025", PreciseDate(D(2025, 5, 6), "day")),
        ("May 6, 2025", PreciseDate(D(2025, 5, 6), "day")),
        ("mars 2025", PreciseDate(D(2025, 3, 1), "month")),
        ("1er mai 2025", PreciseDate(D(2025, 5, 1), "day")),
        ("Février 2026", PreciseDate(D(2026, 2, 1), "month")),
        ("17 août 1958", PreciseDate(D(1958, 8, 17), "day")),
        ("  1854 ", PreciseDate(D(1854, 1, 1), "year")),
        (datetime.datetime(2025, 5, 6, 0, 0), PreciseDate(D(2025, 5, 6), "day")),  # an Excel date cell
        (2025, PreciseDate(D(2025, 1, 1), "year")),  # a year typed in a number cell
        (2025.0, PreciseDate(D(2025, 1, 1), "year")),
    ],
)
def test_what_is_typed_sets_the_precision(typed, expected):
    assert parse_date(typed) == expected


@pytest.mark.parametrize("typed", [None, "", "   "])
def test_a_blank_is_no_date(typed):
    assert parse_date(typed) is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2025-02-30", "30 February 2025 does not exist."),
        ("31 April 2025", "31 April 2025 does not exist."),
        ("2024-02-29x", "\u201c2024-02-29x\u201d is not a date: write 2025-05-06, 2025-05 or 2025"),
        ("2025-13", "\u201c2025-13\u201d is not a date: there is no month 13."),
        ("Smarch 2025", "\u201cSmarch 2025\u201d is not a date: \u201csmarch\u201d is not a month."),
        ("05/06/2025", "05/06/2025 means different days in Canada and the United States"),
        ("0", "\u201c0\u201d is not a date: years run from 1 to 9999."),
    ],
)
def test_a_wrong_date_says_what_is_wrong(typed, message):
    with pytest.raises(ValidationError) as error:
        parse_date(typed)
    assert message in error.value.messages[0]


def test_a_leap_day_exists_in_a_leap_year_only():
    assert parse_date("2024-02-29").date == D(2024, 2, 29)
    with pytest.raises(ValidationError, match="29 February 2025 does not exist"):
        parse_date("2025-02-29")


def test_a_precise_date_prints_as_iso_at_its_precision():
    assert [str(parse_date(t)) for t in ["6 May 2025", "May 2025", "2025"]] == ["2025-05-06", "2025-05", "2025"]
