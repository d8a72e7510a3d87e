"""The export serialisers as plain functions: iCalendar spans, CSV cells and rows, TimelineJS date objects."""

import csv
import datetime
import io

import icalendar
import pytest

from tests.factories import EventFactory, InvolvementFactory, SourceFactory, StatementFactory, TopicFactory
from timeline import exports
from timeline.models import Event, Statement

D = datetime.date


def absolute(path):
    return f"https://timeline.example{path}"


def event(**kwargs):
    return Event(**{"slug": "e", "title": "E", "summary": "S", **kwargs})


@pytest.mark.parametrize(
    ("fields", "span"),
    [
        ({"start_date": D(2025, 5, 6)}, (D(2025, 5, 6), D(2025, 5, 7))),
        ({"start_date": D(2025, 5, 1), "date_precision": "month"}, (D(2025, 5, 1), D(2025, 6, 1))),
        ({"start_date": D(2024, 2, 1), "date_precision": "month"}, (D(2024, 2, 1), D(2024, 3, 1))),
        ({"start_date": D(2025, 12, 1), "date_precision": "month"}, (D(2025, 12, 1), D(2026, 1, 1))),
        ({"start_date": D(2019, 1, 1), "date_precision": "year"}, (D(2019, 1, 1), D(2020, 1, 1))),
        ({"start_date": D(2025, 6, 16), "end_date": D(2025, 6, 17)}, (D(2025, 6, 16), D(2025, 6, 18))),
        (
            {
                "start_date": D(2025, 3, 1),
                "date_precision": "month",
                "end_date": D(2025, 6, 1),
                "end_precision": "month",
            },
            (D(2025, 3, 1), D(2025, 7, 1)),
        ),
        (
            {"start_date": D(1854, 1, 1), "date_precision": "year", "end_date": D(1866, 1, 1), "end_precision": "year"},
            (D(1854, 1, 1), D(1867, 1, 1)),
        ),
        (
            {"start_date": D(2025, 3, 4), "end_date": D(2025, 1, 1).replace(year=2026), "end_precision": "year"},
            (D(2025, 3, 4), D(2027, 1, 1)),
        ),
        ({"start_date": D(9999, 1, 1), "date_precision": "year"}, (D(9999, 1, 1), None)),
        ({"start_date": D(9999, 12, 1), "date_precision": "month"}, (D(9999, 12, 1), None)),
        ({"start_date": D(9999, 12, 30)}, (D(9999, 12, 30), D(9999, 12, 31))),
    ],
)
def test_event_span_covers_the_whole_known_period_with_an_exclusive_end(fields, span):
    assert exports.event_span(event(**fields)) == span


@pytest.mark.django_db
def test_events_ical_is_a_calendar_of_all_day_events():
    trade = TopicFactory(name="Trade")
    day = EventFactory(
        title="Meeting, at last; in Washington", start_date=D(2025, 5, 6), location="White House", topics=[trade]
    )
    month = EventFactory(start_date=D(2025, 3, 1), date_precision="month", approximate=True)
    content = exports.events_ical(Event.objects.filter(pk__in=[day.pk, month.pk]).order_by("pk"), absolute, "Cal")

    calendar = icalendar.Calendar.from_ical(content)
    assert calendar["X-WR-CALNAME"] == "Cal"
    assert calendar["VERSION"] == "2.0"
    first, second = calendar.walk("VEVENT")
    assert first["SUMMARY"] == "Meeting, at last; in Washington"
    assert first.decoded("DTSTART") == D(2025, 5, 6)
    assert first["DTSTART"].params["VALUE"] == "DATE"
    assert first.decoded("DTEND") == D(2025, 5, 7)
    assert first["LOCATION"] == "White House"
    assert first["URL"] == f"https://timeline.example/events/{day.slug}/"
    assert first["UID"] == f"event-{day.pk}@timeline.example"
    assert [str(c) for c in first["CATEGORIES"].cats] == ["Trade"]
    assert second.decoded("DTSTART") == D(2025, 3, 1)
    assert second.decoded("DTEND") == D(2025, 4, 1)
    assert "c. March 2025" in second["DESCRIPTION"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1 cmd", "'+1 cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("'-5%", "''-5%"),  # its own apostrophe kept: reading removes only the one added
        ("'Twas", "'Twas"),
        ("Canada = 1", "Canada = 1"),
        ("", ""),
        (None, ""),
        (3, "3"),
        (True, "true"),
    ],
)
def test_csv_cell_defuses_formulas(value, cell):
    assert exports.csv_cell(value) == cell


@pytest.mark.django_db
def test_events_csv_has_a_header_and_one_row_per_event():
    topic = TopicFactory(slug="trade")
    first = EventFactory(title="=cmd|' /C calc'!A0", summary='Tariffs, "quoted",\nand a new line; é', topics=[topic])
    InvolvementFactory(event=first, participant__slug="mark-carney")
    EventFactory(start_date=D(2019, 1, 1), date_precision="year")
    content = exports.events_csv(Event.objects.for_list().order_by("pk"), absolute)

    rows = list(csv.DictReader(io.StringIO(content)))
    assert list(rows[0]) == exports.EVENT_COLUMNS
    assert len(rows) == 2
    assert rows[0]["title"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["summary"] == 'Tariffs, "quoted",\nand a new line; é'
    assert rows[0]["topics"] == "trade"
    assert rows[0]["participants"] == "mark-carney"
    assert rows[0]["start_date"] == "2025-05-06"
    assert rows[0]["url"] == f"https://timeline.example/events/{first.slug}/"
    assert rows[1]["start_date"] == "2019"
    assert rows[1]["date_precision"] == "year"
    assert rows[1]["end_date"] == ""


@pytest.mark.django_db
def test_statements_csv_has_a_header_and_one_row_per_statement():
    source = SourceFactory(url="https://news.example.org/a")
    StatementFactory(
        text="@everyone: we will not sell",
        sources=[source],
        said_on=D(2025, 5, 1),
        said_precision="month",
        speaker__slug="mark-carney",
        speaker__name="Mark Carney",
    )
    content = exports.statements_csv(
        Statement.objects.select_related("speaker", "event").prefetch_related("sources"), absolute
    )

    (row,) = csv.DictReader(io.StringIO(content))
    assert row["text"] == "'@everyone: we will not sell"
    assert row["speaker"] == "mark-carney"
    assert row["speaker_name"] == "Mark Carney"
    assert row["said_on"] == "2025-05"
    assert row["date"] == "May 2025"
    assert row["sources"] == "https://news.example.org/a"


@pytest.mark.parametrize(
    ("precision", "expected"),
    [
        ("day", {"year": 2025, "month": 5, "day": 6}),
        ("month", {"year": 2025, "month": 5}),
        ("year", {"year": 2025}),
    ],
)
def test_timelinejs_date_holds_only_the_known_parts(precision, expected):
    assert exports.timelinejs_date(D(2025, 5, 6), precision) == expected


def test_timelinejs_event_escapes_text_and_keeps_ranges():
    item = exports.timelinejs_event(
        event(
            title="<b>Bold</b> & co",
            start_date=D(2025, 3, 1),
            date_precision="month",
            end_date=D(2025, 6, 17),
            event_type="summit",
        ),
        absolute,
    )
    assert item["start_date"] == {"year": 2025, "month": 3}
    assert item["end_date"] == {"year": 2025, "month": 6, "day": 17}
    assert item["text"]["headline"] == (
        '<a href="https://timeline.example/events/e/" target="_top">&lt;b&gt;Bold&lt;/b&gt; &amp; co</a>'
    )
    assert item["text"]["text"] == "<p>S</p>"
    assert item["group"] == "Summit"
    assert item["display_date"] == "March 2025 – 17 June 2025"
