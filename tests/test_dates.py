import datetime

import pytest
from django.utils import translation

from timeline.dates import format_date, format_range, format_tenure, period_end

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
        ((D(1854, 4, 1), "month", D(1866, 1, 1), "year"), "April 1854 – 1866"),
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


@pytest.mark.parametrize(
    ("value", "precision", "approximate", "expected"),
    [
        (D(2025, 5, 6), "day", False, "6 mai 2025"),
        (D(2025, 5, 1), "day", False, "1er mai 2025"),
        (D(2025, 5, 1), "month", False, "mai 2025"),
        (D(2025, 8, 1), "month", False, "août 2025"),
        (D(2025, 1, 1), "year", False, "2025"),
        (D(2019, 1, 1), "year", True, "vers 2019"),
    ],
)
def test_format_date_in_french(value, precision, approximate, expected):
    assert format_date(value, precision, approximate, language="fr") == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((D(2025, 6, 16), "day", D(2025, 6, 17), "day"), "du 16 au 17 juin 2025"),
        ((D(2025, 6, 1), "day", D(2025, 6, 3), "day"), "du 1er au 3 juin 2025"),
        ((D(2025, 6, 30), "day", D(2025, 7, 2), "day"), "du 30 juin au 2 juillet 2025"),
        ((D(2024, 12, 30), "day", D(2025, 1, 2), "day"), "du 30 décembre 2024 au 2 janvier 2025"),
        ((D(2025, 3, 1), "month", D(2025, 6, 1), "month"), "de mars à juin 2025"),
        ((D(2025, 4, 1), "month", D(2025, 6, 1), "month"), "d’avril à juin 2025"),
        ((D(2024, 10, 1), "month", D(2025, 2, 1), "month"), "d’octobre 2024 à février 2025"),
        ((D(2006, 1, 1), "year", D(2015, 1, 1), "year"), "de 2006 à 2015"),
        ((D(1854, 6, 5), "day", D(1866, 1, 1), "year"), "du 5 juin 1854 à 1866"),
        ((D(1854, 1, 1), "year", D(1866, 6, 5), "day"), "de 1854 au 5 juin 1866"),
        ((D(1854, 4, 1), "month", D(1866, 1, 1), "year"), "d’avril 1854 à 1866"),
        ((D(2025, 6, 5), "day", D(2025, 8, 1), "month"), "du 5 juin 2025 à août 2025"),
        ((D(2025, 5, 6), "day", None, "day"), "6 mai 2025"),
    ],
)
def test_format_range_in_french(args, expected):
    assert format_range(*args, language="fr") == expected


def test_an_approximate_range_says_so():
    assert format_range(D(2006, 1, 1), "year", D(2015, 1, 1), "year", True, language="en") == "c. 2006–2015"
    assert format_range(D(2006, 1, 1), "year", D(2015, 1, 1), "year", True, language="fr") == (
        "de 2006 à 2015 (dates approximatives)"
    )


@pytest.mark.parametrize(
    ("args", "english", "french"),
    [
        (
            (D(2013, 7, 1), "day", D(2020, 3, 15), "day"),
            "1 July 2013 – 15 March 2020",
            "du 1er juillet 2013 au 15 mars 2020",
        ),
        ((D(2025, 3, 14), "day", None, "day"), "14 March 2025 – present", "depuis le 14 mars 2025"),
        ((D(2025, 3, 1), "month", None, "day"), "March 2025 – present", "depuis mars 2025"),
        ((None, "day", D(2020, 3, 15), "day"), "? – 15 March 2020", "jusqu’au 15 mars 2020"),
        ((None, "day", D(2020, 1, 1), "year"), "? – 2020", "jusqu’en 2020"),
        ((None, "day", None, "day", D(2025, 5, 6), "day"), "as of 6 May 2025", "au 6 mai 2025"),
        ((None, "day", None, "day", D(2025, 5, 1), "month"), "as of May 2025", "en mai 2025"),
    ],
)
def test_format_tenure(args, english, french):
    assert format_tenure(*args, language="en") == english
    assert format_tenure(*args, language="fr") == french


def test_the_active_language_is_the_default():
    with translation.override("fr"):
        assert format_date(D(2025, 5, 6)) == "6 mai 2025"
    with translation.override("en"):
        assert format_date(D(2025, 5, 6)) == "6 May 2025"


def test_period_end_at_the_edges_of_the_calendar():
    assert period_end(D(9999, 12, 1), "month") == D(9999, 12, 31)
    assert period_end(D(9999, 1, 1), "year") == D(9999, 12, 31)
    assert period_end(D(1, 1, 1), "month") == D(1, 1, 31)
