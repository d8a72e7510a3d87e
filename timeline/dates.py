"""Dates with a precision: "6 May 2025", "May 2025", "2025", "c. 2019", and ranges between them.

A date known only to the month or year is stored as its first day (2025-05-01, 2025-01-01) beside a
precision, so that it sorts and filters like any date and is shown no more precisely than it is known.
"""

import datetime

from django.db import models


class Precision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


MONTHS = [
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
]


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
        next_month = (value.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return next_month - datetime.timedelta(days=1)
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


def format_date(value: datetime.date | None, precision: str = Precision.DAY, approximate: bool = False) -> str:
    if value is None:
        return ""
    if precision == Precision.YEAR:
        text = str(value.year)
    elif precision == Precision.MONTH:
        text = f"{MONTHS[value.month - 1]} {value.year}"
    else:
        text = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return f"c. {text}" if approximate else text


def format_range(
    start: datetime.date,
    start_precision: str,
    end: datetime.date | None = None,
    end_precision: str = Precision.DAY,
    approximate: bool = False,
) -> str:
    """A date or a range, written as compactly as reads naturally: "16–17 June 2025", "1854–1866"."""
    if end is None or (end == start and end_precision == start_precision):
        return format_date(start, start_precision, approximate)
    prefix = "c. " if approximate else ""
    dash = "\u2013"
    if start_precision == end_precision == Precision.DAY and start.year == end.year:
        if start.month == end.month:
            return f"{prefix}{start.day}{dash}{end.day} {MONTHS[end.month - 1]} {end.year}"
        return f"{prefix}{start.day} {MONTHS[start.month - 1]}{dash}{end.day} {MONTHS[end.month - 1]} {end.year}"
    if start_precision == end_precision == Precision.MONTH and start.year == end.year:
        return f"{prefix}{MONTHS[start.month - 1]}{dash}{MONTHS[end.month - 1]} {end.year}"
    separator = dash if start_precision == end_precision == Precision.YEAR else f" {dash} "
    return f"{prefix}{format_date(start, start_precision)}{separator}{format_date(end, end_precision)}"
