"""Dates with a precision, written as each language writes them.

English: "6 May 2025", "May 2025", "2025", "c. 2019", "16–17 June 2025". French, as Canadian editors write it:
"6 mai 2025", "1er mai 2025", "mai 2025", "vers 2019", "du 16 au 17 juin 2025", "d'avril à juin 2025".

A date known only to the month or year is stored as its first day (2025-05-01, 2025-01-01) beside a
precision, so that it sorts and filters like any date and is shown no more precisely than it is known.
Every date a reader sees goes through `format_date`, `format_range`, `format_tenure` or `format_period`, in the
active language unless one is given.
"""

import calendar
import datetime

from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}
# Month names for narrow spaces (the overview's columns), as each language abbreviates them.
MONTH_ABBREVIATIONS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "fr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juill.", "août", "sept.", "oct.", "nov.", "déc."],
}
DASH = "\u2013"


def truncate(value: datetime.date, precision: str) -> datetime.date:
    """The first day of the period that `value` falls in, at `precision`."""
    if precision == Precision.YEAR:
        return value.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return value.replace(day=1)
    return value


def is_truncated(value: datetime.date, precision: str) -> bool:
    return truncate(value, precision) == value


def period_end(value: datetime.date, precision: str) -> datetime.date:
    """The last day of the period that starts at `value`: 31 December for a year, the month's last day."""
    if precision == Precision.YEAR:
        return value.replace(month=12, day=31)
    if precision == Precision.MONTH:
        # Not "the day before next month", which does not exist after December 9999.
        return value.replace(day=calendar.monthrange(value.year, value.month)[1])
    return value


def iso_date(value: datetime.date | None, precision: str = Precision.DAY) -> str:
    """ISO 8601 at the precision the date is known to: "2025-05-06", "2025-05" or "2025"."""
    if value is None:
        return ""
    if precision == Precision.YEAR:
        return f"{value.year:04d}"
    if precision == Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def language_of(language: str | None = None) -> str:
    """ "en" or "fr": the one given, or the active language."""
    code = language or translation.get_language() or "en"
    return "fr" if code.startswith("fr") else "en"


def month_name(value: datetime.date, language: str | None = None) -> str:
    return MONTHS[language_of(language)][value.month - 1]


def month_abbreviation(value: datetime.date, language: str | None = None) -> str:
    """ "May", "Sep"; "mai", "sept." """
    return MONTH_ABBREVIATIONS[language_of(language)][value.month - 1]


def format_decade(value: datetime.date, short: bool = False, language: str | None = None) -> str:
    """ "1850s"; "années 1850", or "1850" where space is short (a column headed by "par décennie")."""
    decade = value.year - value.year % 10
    if language_of(language) == "fr":
        return str(decade) if short else f"années {decade}"
    return f"{decade}s"


def _day(value: datetime.date, language: str) -> str:
    # French writes the first of the month as an ordinal: "1er mai".
    return "1er" if language == "fr" and value.day == 1 else str(value.day)


def format_date(
    value: datetime.date | None, precision: str = Precision.DAY, approximate: bool = False, language: str | None = None
) -> str:
    """ "6 May 2025", "May 2025", "2025", "c. 2019"; "6 mai 2025", "1er mai 2025", "mai 2025", "vers 2019"."""
    if value is None:
        return ""
    language = language_of(language)
    if precision == Precision.YEAR:
        text = str(value.year)
    elif precision == Precision.MONTH:
        text = f"{month_name(value, language)} {value.year}"
    else:
        text = f"{_day(value, language)} {month_name(value, language)} {value.year}"
    if approximate:
        return f"vers {text}" if language == "fr" else f"c. {text}"
    return text


def format_range(
    start: datetime.date,
    start_precision: str,
    end: datetime.date | None = None,
    end_precision: str = Precision.DAY,
    approximate: bool = False,
    language: str | None = None,
) -> str:
    """A date or a range, written as compactly as reads naturally: "16–17 June 2025", "1854–1866", "5 June 1854 –
    1866"; "du 16 au 17 juin 2025", "de 1854 à 1866", "du 5 juin 1854 à 1866"."""
    language = language_of(language)
    if end is None or (end == start and end_precision == start_precision):
        return format_date(start, start_precision, approximate, language)
    if language == "fr":
        text = _range_fr(start, start_precision, end, end_precision)
        return f"{text} (dates approximatives)" if approximate else text
    return ("c. " if approximate else "") + _range_en(start, start_precision, end, end_precision)


def _range_en(start: datetime.date, start_precision: str, end: datetime.date, end_precision: str) -> str:
    month = MONTHS["en"]
    if start_precision == end_precision == Precision.DAY and start.year == end.year:
        if start.month == end.month:
            return f"{start.day}{DASH}{end.day} {month[end.month - 1]} {end.year}"
        return f"{start.day} {month[start.month - 1]}{DASH}{end.day} {month[end.month - 1]} {end.year}"
    if start_precision == end_precision == Precision.MONTH and start.year == end.year:
        return f"{month[start.month - 1]}{DASH}{month[end.month - 1]} {end.year}"
    separator = DASH if start_precision == end_precision == Precision.YEAR else f" {DASH} "
    first, last = format_date(start, start_precision, language="en"), format_date(end, end_precision, language="en")
    return f"{first}{separator}{last}"


def _of(text: str) -> str:
    """French "de", elided before a vowel: "d'avril", "de mai"."""
    return f"d\u2019{text}" if text[0] in "aeiouyéè" else f"de {text}"


def _range_fr(start: datetime.date, start_precision: str, end: datetime.date, end_precision: str) -> str:
    if start_precision == end_precision == Precision.DAY:
        last = format_date(end, Precision.DAY, language="fr")
        if start.year != end.year:
            return f"du {format_date(start, Precision.DAY, language='fr')} au {last}"
        if start.month != end.month:
            return f"du {_day(start, 'fr')} {month_name(start, 'fr')} au {last}"
        return f"du {_day(start, 'fr')} au {last}"
    if start_precision == end_precision == Precision.MONTH:
        same_year = start.year == end.year
        first = month_name(start, "fr") if same_year else format_date(start, Precision.MONTH, language="fr")
        return f"{_of(first)} à {format_date(end, Precision.MONTH, language='fr')}"
    if start_precision == end_precision == Precision.YEAR:
        return f"de {start.year} à {end.year}"
    # Precisions that differ: each end keeps the preposition its own precision takes, "du 5 juin 1854 à 1866",
    # "de 1854 au 5 juin 1866", "d’avril 1854 à 1866".
    first, last = format_date(start, start_precision, language="fr"), format_date(end, end_precision, language="fr")
    opening = f"du {first}" if start_precision == Precision.DAY else _of(first)
    return f"{opening} au {last}" if end_precision == Precision.DAY else f"{opening} à {last}"


def format_period(start: datetime.date | None, end: datetime.date | None) -> str:
    """The days a reader's From and To dates keep, in the active language: "1 January 2024 – 31 December 2026",
    "from 1 April 2025", "to 31 March 2025"; "du 1er janvier 2024 au 31 décembre 2026", "à partir du 1er avril
    2025", "jusqu’au 31 mars 2025"."""
    if start and end:
        return format_range(start, Precision.DAY, end, Precision.DAY)
    if start:
        return gettext("from %(date)s") % {"date": format_date(start)}
    return gettext("to %(date)s") % {"date": format_date(end)}


def format_tenure(
    start: datetime.date | None,
    start_precision: str,
    end: datetime.date | None,
    end_precision: str,
    attested_on: datetime.date | None = None,
    attested_precision: str = Precision.DAY,
    language: str | None = None,
) -> str:
    """How long a role was held: "1 July 2013 – 15 March 2020", "14 March 2025 – present", "as of May 2025";
    "du 1er juillet 2013 au 15 mars 2020", "depuis le 14 mars 2025", "en mai 2025"."""
    language = language_of(language)
    if start is None and end is None:
        attested = format_date(attested_on, attested_precision, language=language)
        if language == "fr":
            return f"au {attested}" if attested_precision == Precision.DAY else f"en {attested}"
        return f"as of {attested}"
    if language == "en":
        first = format_date(start, start_precision, language="en") if start else "?"
        last = format_date(end, end_precision, language="en") if end else "present"
        return f"{first} {DASH} {last}"
    if start and end:
        return _range_fr(start, start_precision, end, end_precision)
    if start:
        first = format_date(start, start_precision, language="fr")
        return f"depuis le {first}" if start_precision == Precision.DAY else f"depuis {first}"
    last = format_date(end, end_precision, language="fr")
    return f"jusqu\u2019au {last}" if end_precision == Precision.DAY else f"jusqu\u2019en {last}"
