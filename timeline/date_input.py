"""Dates as editors type them: "2025-05-06", "2025-05", "2025", "6 May 2025", "May 2025", "mars 2025".

What was typed sets the precision: a month typed is a date known to the month, stored as its first day (see
timeline/dates.py). The admin's date fields and every import read dates through `parse_date`, so a date typed in
a form and the same date in a spreadsheet mean the same thing, and a wrong one gets the same sentence.
"""

import datetime
import re
import unicodedata
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from timeline.dates import Precision, format_date, iso_date

# Month names and their usual abbreviations in both of the site's languages, accents and case ignored.
MONTH_NAMES = {
    1: ["january", "jan", "janvier", "janv"],
    2: ["february", "feb", "fevrier", "fev", "fevr"],
    3: ["march", "mar", "mars"],
    4: ["april", "apr", "avril", "avr"],
    5: ["may", "mai"],
    6: ["june", "jun", "juin"],
    7: ["july", "jul", "juillet", "juil"],
    8: ["august", "aug", "aout"],
    9: ["september", "sep", "sept", "septembre"],
    10: ["october", "oct", "octobre"],
    11: ["november", "nov", "novembre"],
    12: ["december", "dec", "decembre"],
}
MONTH_NUMBERS = {name: number for number, names in MONTH_NAMES.items() for name in names}

ISO = re.compile(r"^(?P<year>\d{1,4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?$")
# "6 May 2025", "1er mai 2025", "May 2025", "May 6, 2025", "Sept. 2025"
DAY_MONTH_YEAR = re.compile(r"^(?P<day>\d{1,2})(?:er)? (?P<month>[a-z]+)\.? (?P<year>\d{1,4})$")
MONTH_DAY_YEAR = re.compile(r"^(?P<month>[a-z]+)\.? (?P<day>\d{1,2}),? (?P<year>\d{1,4})$")
MONTH_YEAR = re.compile(r"^(?P<month>[a-z]+)\.? (?P<year>\d{1,4})$")


class PreciseDate(NamedTuple):
    """A date and how precisely it is known: (2025-03-01, "month") is March 2025."""

    date: datetime.date
    precision: str

    def __str__(self) -> str:
        return iso_date(self.date, self.precision)


def _plain(text: str) -> str:
    """Lower case, accents and commas' spacing normalised: "Févr. 2025" -> "fevr. 2025"."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.replace(",", ", ")).replace(" ,", ",").strip()


def _month(name: str, typed) -> int:
    number = MONTH_NUMBERS.get(name)
    if number is None:
        raise ValidationError(
            _("“%(value)s” is not a date: “%(name)s” is not a month.") % {"value": typed, "name": name},
            code="invalid",
        )
    return number


def _build(typed, year: int, month: int | None = None, day: int | None = None) -> PreciseDate:
    if not 1 <= year <= 9999:
        raise ValidationError(
            _("“%(value)s” is not a date: years run from 1 to 9999.") % {"value": typed}, code="invalid"
        )
    if month is not None and not 1 <= month <= 12:
        raise ValidationError(
            _("“%(value)s” is not a date: there is no month %(month)s.") % {"value": typed, "month": month},
            code="invalid",
        )
    if day is None:
        precision = Precision.YEAR if month is None else Precision.MONTH
        return PreciseDate(datetime.date(year, month or 1, 1), precision)
    try:
        return PreciseDate(datetime.date(year, month, day), Precision.DAY)
    except ValueError:
        month_name = format_date(datetime.date(year, month, 1), Precision.MONTH)
        raise ValidationError(
            _("%(day)s %(month)s does not exist.") % {"day": day, "month": month_name}, code="impossible"
        ) from None


def parse_date(value) -> PreciseDate | None:
    """`value` as typed (text, or a date, datetime or number from a spreadsheet cell), or None when blank.

    Raises ValidationError with one sentence saying what is wrong and how to write it."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return PreciseDate(value.date(), Precision.DAY)
    if isinstance(value, datetime.date):
        return PreciseDate(value, Precision.DAY)
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a year typed into a spreadsheet cell comes back as 2025.0
    if isinstance(value, int):
        return _build(value, value)
    typed = str(value).strip()
    if not typed:
        return None
    text = _plain(typed)
    if match := ISO.match(text):
        year, month, day = (int(match[name]) if match[name] else None for name in ("year", "month", "day"))
        return _build(typed, year, month, day)
    if match := DAY_MONTH_YEAR.match(text):
        return _build(typed, int(match["year"]), _month(match["month"], typed), int(match["day"]))
    if match := MONTH_DAY_YEAR.match(text):
        return _build(typed, int(match["year"]), _month(match["month"], typed), int(match["day"]))
    if match := MONTH_YEAR.match(text):
        return _build(typed, int(match["year"]), _month(match["month"], typed))
    raise ValidationError(
        _(
            "“%(value)s” is not a date: write 2025-05-06, 2025-05 or 2025 (or 6 May 2025, May 2025); "
            "05/06/2025 means different days in Canada and the United States."
        )
        % {"value": typed},
        code="invalid",
    )
