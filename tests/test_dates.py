import datetime

import pytest

from timeline.dates import format_date, format_range, period_end

D = datetime.date


@pytest.mark.parametrize(
    ("value", "precision", "approximate", "expected"),
    [
        (D(2025, 5, 6), "day", False, "6 May 2025"),
        (D(2025, 5, 1), "month", False, "May 2025"),
        (D(2025, 1, 1), "year", False, "2025"),
        (D(2019, 1, 1), "year", True, "c. 2019"),
    ],
)
def test_format_date_shows_only_the_known_precision(value, precision, approximate, expected):
    assert format_date(value, precision, approximate) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((D(2025, 6, 16), "day", D(2025, 6, 17), "day"), "16–17 June 2025"),
        ((D(2025, 6, 30), "day", D(2025, 7, 2), "day"), "30 June–2 July 2025"),
        ((D(1854, 6, 5), "day", D(1866, 1, 1), "year"), "5 June 1854 – 1866"),
        ((D(2006, 1, 1), "year", D(2015, 1, 1), "year"), "2006–2015"),
        ((D(2025, 3, 1), "month", D(2025, 6, 1), "month"), "March–June 2025"),
        ((D(2025, 5, 6), "day", None, "day"), "6 May 2025"),
    ],
)
def test_format_range(args, expected):
    assert format_range(*args) == expected


def test_period_end():
    assert period_end(D(2024, 2, 1), "month") == D(2024, 2, 29)
    assert period_end(D(2025, 12, 1), "month") == D(2025, 12, 31)
    assert period_end(D(1866, 1, 1), "year") == D(1866, 12, 31)
    assert period_end(D(2025, 5, 6), "day") == D(2025, 5, 6)
