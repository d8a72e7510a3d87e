"""The timeline as files: iCalendar, CSV and TimelineJS 3 JSON, each a plain function over a queryset, and each
also written a piece at a time (`ical_chunks`, `csv_lines`, `timelinejs_chunks`) for files of any size.

The views in export_views.py choose the rows (published, filtered); these functions only write them out.
`absolute` turns a site path into an absolute URL (usually `request.build_absolute_uri`). Text is written in the
active language (the download's address, /fr/export/... in French): titles, summaries, places and dates; column
names and codes (slugs, types, ISO dates) are the same in every language, so that programs read both alike.
"""

import csv
import datetime
import json
from collections.abc import Callable, Iterable, Iterator

import icalendar
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.translation import gettext

from timeline.dates import Precision, iso_date, period_end
from timeline.models import Event, Statement
from timeline.spreadsheets import as_text_for_csv

Absolute = Callable[[str], str]

PRODID = "-//Timeline//Timeline events//EN"


# iCalendar


def event_span(event: Event) -> tuple[datetime.date, datetime.date | None]:
    """The all-day span an event covers, as iCalendar wants it: first day, and the day after the last (exclusive),
    or None when the last is 31 December 9999, which has no day after it.

    A month-precision date covers its whole month and a year-precision date its whole year; a range ends at the
    end of the period its end date is known to.
    """
    if event.end_date:
        last = period_end(event.end_date, event.end_precision)
    else:
        last = period_end(event.start_date, event.date_precision)
    return event.start_date, (last + datetime.timedelta(days=1) if last < datetime.date.max else None)


def _precision_note(event: Event) -> str:
    if event.approximate:
        return gettext("Date approximate: %(date)s.") % {"date": event.date_display}
    if event.date_precision != Precision.DAY or (event.end_date and event.end_precision != Precision.DAY):
        return gettext("Date known only as: %(date)s.") % {"date": event.date_display}
    return ""


def events_ical(events: Iterable[Event], absolute: Absolute, name: str = "Timeline") -> bytes:
    """An iCalendar file with one all-day VEVENT per event (events need `topics` prefetched)."""
    return b"".join(ical_chunks(events, absolute, name))


def ical_chunks(events: Iterable[Event], absolute: Absolute, name: str = "Timeline") -> Iterator[bytes]:
    """The same file, a VEVENT at a time, so that a calendar of any size can be written without holding it whole."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", str(name))
    end = b"END:VCALENDAR\r\n"
    yield calendar.to_ical().removesuffix(end)
    host = absolute("/").split("//", 1)[-1].strip("/")
    for event in events:
        yield ical_event(event, absolute, host).to_ical()
    yield end


def ical_event(event: Event, absolute: Absolute, host: str) -> icalendar.Event:
    start, end = event_span(event)
    url = absolute(event.get_absolute_url())
    vevent = icalendar.Event()
    vevent.add("uid", f"event-{event.pk}@{host}")
    vevent.add("dtstamp", event.updated_at or timezone.now())
    vevent.add("last-modified", event.updated_at or timezone.now())
    vevent.add("dtstart", start)
    if end is not None:
        vevent.add("dtend", end)
    else:  # no day after 31 December 9999 to end on: the same span as a duration
        vevent.add("duration", datetime.date.max - start + datetime.timedelta(days=1))
    vevent.add("summary", event.title)
    description = "\n\n".join(part for part in [event.summary, _precision_note(event), url] if part)
    vevent.add("description", description)
    vevent.add("url", url)
    if event.location:
        vevent.add("location", event.location)
    topics = [topic.name for topic in event.listed_topics]
    if topics:
        vevent.add("categories", topics)
    # All-day entries of history should not block anyone's calendar.
    vevent.add("transp", "TRANSPARENT")
    vevent.add("class", "PUBLIC")
    return vevent


# CSV


def csv_cell(value) -> str:
    """A value as a CSV cell that no spreadsheet will evaluate: text that could start a formula gets a `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return as_text_for_csv(str(value))


class _Lines:
    """A file-like object that hands back what is written: csv.writer then returns each line it formats."""

    def write(self, line: str) -> str:
        return line


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The header and each row as a line of CSV, one at a time."""
    writer = csv.writer(_Lines(), lineterminator="\r\n")
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def write_csv(header: list[str], rows: Iterable[list]) -> str:
    return "".join(csv_lines(header, rows))


EVENT_COLUMNS = [
    "slug",
    "title",
    "date",
    "start_date",
    "date_precision",
    "end_date",
    "end_precision",
    "approximate",
    "event_type",
    "location",
    "importance",
    "topics",
    "participants",
    "summary",
    "statement_count",
    "source_count",
    "url",
    "published_at",
    "updated_at",
]


def events_csv(events: Iterable[Event], absolute: Absolute) -> str:
    """One row per event (events from `EventQuerySet.for_list()`: counts annotated, topics and people prefetched).

    Dates are ISO 8601 at their precision ("2025-05" for May 2025), so that a spreadsheet sorts them as text.
    Several topics or participants share one cell, separated by "; ".
    """
    return write_csv(EVENT_COLUMNS, event_rows(events, absolute))


def event_rows(events: Iterable[Event], absolute: Absolute) -> Iterator[list]:
    return (
        [
            event.slug,
            event.title,
            event.date_display,
            iso_date(event.start_date, event.date_precision),
            event.date_precision,
            iso_date(event.end_date, event.end_precision),
            event.end_precision if event.end_date else "",
            event.approximate,
            event.event_type,
            event.location,
            event.importance,
            "; ".join(topic.slug for topic in event.listed_topics),
            "; ".join(involvement.participant.slug for involvement in event.listed_involvements),
            event.summary,
            event.statement_count,
            event.source_count,
            absolute(event.get_absolute_url()),
            event.published_at,
            event.updated_at,
        ]
        for event in events
    )


STATEMENT_COLUMNS = [
    "slug",
    "date",
    "said_on",
    "said_precision",
    "speaker",
    "speaker_name",
    "speaker_label",
    "text",
    "kind",
    "language",
    "context",
    "event",
    "event_title",
    "sources",
    "url",
]


def statements_csv(statements: Iterable[Statement], absolute: Absolute) -> str:
    """One row per statement (with `speaker` and `event` selected and `sources` prefetched).

    `said_on` is blank when the source gives no date; `date` then shows the event's date, as the pages do.
    `sources` holds the cited URLs (or titles, for a source with no web address), separated by "; ".
    """
    return write_csv(STATEMENT_COLUMNS, statement_rows(statements, absolute))


def statement_rows(statements: Iterable[Statement], absolute: Absolute) -> Iterator[list]:
    return (
        [
            statement.slug,
            statement.date_display,
            iso_date(statement.said_on, statement.said_precision),
            statement.said_precision if statement.said_on else "",
            statement.speaker.slug,
            statement.speaker.name,
            statement.speaker_label,
            statement.text,
            statement.kind,
            statement.language,
            statement.context,
            statement.event.slug,
            statement.event.title,
            "; ".join(source.url or source.title for source in statement.sources.all()),
            absolute(statement.event.get_absolute_url()),
        ]
        for statement in statements
    )


# TimelineJS 3 (https://timeline.knightlab.com/docs/json-format.html)


def timelinejs_date(value: datetime.date, precision: str) -> dict:
    """A TimelineJS date object holding only the parts that are known: year; year and month; or all three."""
    date = {"year": value.year}
    if precision in (Precision.MONTH, Precision.DAY):
        date["month"] = value.month
    if precision == Precision.DAY:
        date["day"] = value.day
    return date


def timelinejs_event(event: Event, absolute: Absolute) -> dict:
    url = absolute(event.get_absolute_url())
    # TimelineJS renders headline and text as HTML, so our plain text is escaped here.
    item = {
        "unique_id": event.slug,
        "start_date": timelinejs_date(event.start_date, event.date_precision),
        "display_date": event.date_display,
        "text": {
            "headline": format_html('<a href="{}" target="_top">{}</a>', url, event.title),
            "text": format_html("<p>{}</p>", event.summary),
        },
        "group": event.get_event_type_display(),
    }
    if event.end_date:
        item["end_date"] = timelinejs_date(event.end_date, event.end_precision)
    return item


def events_timelinejs(events: Iterable[Event], absolute: Absolute, title: str, description: str = "") -> dict:
    """A TimelineJS 3 timeline: a title slide and one slide per event."""
    data = timelinejs_title(title, description)
    data["events"] = [timelinejs_event(event, absolute) for event in events]
    return data


def timelinejs_title(title: str, description: str = "") -> dict:
    title, description = str(title), str(description)  # a lazily translated text is read in the language now active
    data = {"title": {"text": {"headline": escape(title)}}}
    if description:
        data["title"]["text"]["text"] = format_html("<p>{}</p>", description)
    return data


def timelinejs_chunks(events: Iterable[Event], absolute: Absolute, title: str, description: str = "") -> Iterator[str]:
    """The same JSON, a slide at a time."""
    yield json.dumps(timelinejs_title(title, description), ensure_ascii=False).removesuffix("}") + ', "events": ['
    for index, event in enumerate(events):
        yield ("," if index else "") + json.dumps(timelinejs_event(event, absolute), ensure_ascii=False)
    yield "]}"
