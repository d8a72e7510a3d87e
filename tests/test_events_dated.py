"""The API's statements of the events of a date range alone (timeline/events_dated.py): counted from the statements'
keys and paged from the order said, they are exactly those of every published event overlapping the range, in the
order said, page after page, whatever the events' spans and however early a statement was said."""

import datetime

import pytest

from tests.factories import DraftEventFactory, EventFactory, ParticipantFactory, StatementFactory
from tests.plans import recorded
from timeline import events_dated
from timeline.models import Event, Statement

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def world():
    """Events of every shape around 2025: one running into it from 2010, one ending on its first day, one said of
    long before it began, one whose statement came after it ended, a draft, one in 2026, and one day of 2015; some
    said in French."""
    speaker = ParticipantFactory(slug="speaker")

    def said(event, slug, on, language="en"):
        StatementFactory(event=event, speaker=speaker, slug=slug, text=f"Said: {slug}.", said_on=on, language=language)

    dispute = EventFactory(slug="dispute", start_date=D(2010, 1, 1), end_date=D(2025, 3, 1))
    said(dispute, "dispute-opened", None)  # read on the event's first day
    said(dispute, "dispute-2018", D(2018, 4, 2))
    said(dispute, "dispute-2025", D(2025, 2, 2))
    said(dispute, "dispute-fr", D(2011, 3, 3), "fr")
    said(EventFactory(slug="old-day", start_date=D(2015, 6, 1)), "old-day", None)
    new_year = EventFactory(slug="new-year", start_date=D(2024, 12, 20), end_date=D(2025, 1, 1))
    said(new_year, "new-year-eve", D(2024, 12, 31))
    # Said five years before the event it belongs to: read under 2020, the event in 2025.
    summit = EventFactory(slug="summit", start_date=D(2025, 5, 10))
    said(summit, "summit-foreseen", D(2020, 5, 10))
    said(summit, "summit-day", None)
    said(summit, "summit-after", D(2025, 5, 12))
    said(summit, "summit-fr-foreseen", D(2021, 1, 1), "fr")
    # An event of 2024 whose statement came in 2025: its event is not in 2025.
    said(EventFactory(slug="autumn", start_date=D(2024, 10, 1)), "autumn-late", D(2025, 1, 15))
    june = EventFactory(slug="june", start_date=D(2025, 6, 1))
    said(june, "june-day", None)
    said(june, "june-fr", None, "fr")
    draft = DraftEventFactory(slug="draft", start_date=D(2025, 6, 2))
    said(draft, "draft-day", None)
    said(draft, "draft-fr", None, "fr")
    said(EventFactory(slug="next-year", start_date=D(2026, 1, 5)), "next-year-day", None)


def expected(start, end, languages=("en", "fr")) -> list[str]:
    """The statements in `languages` of the published events overlapping [start, end], in the order said, worked
    out here from the rows themselves."""
    events = [
        event
        for event in Event.objects.filter(status="published")
        if (start is None or (event.end_date or event.start_date) >= start) and (end is None or event.start_date <= end)
    ]
    statements = Statement.objects.filter(event__in=events, language__in=languages).select_related("event")
    return [s.slug for s in sorted(statements, key=lambda s: (s.said_on or s.event.start_date, s.pk))]


def every_page(client, query: str, page_size: int) -> tuple[list[int], list[str]]:
    counts, slugs, page = [], [], 1
    while True:
        data = client.get(f"/api/statements?{query}&page_size={page_size}&page={page}").json()
        counts.append(data["count"])
        slugs += [s["slug"] for s in data["results"]]
        if data["next"] is None:
            return counts, slugs
        page += 1


RANGES = {
    "start=2025": (D(2025, 1, 1), None),
    "start=2025-01-02": (D(2025, 1, 2), None),
    "start=2025&end=2025-05": (D(2025, 1, 1), D(2025, 5, 31)),
    "start=2024-12-31&end=2025-01-01": (D(2024, 12, 31), D(2025, 1, 1)),
    "start=2018&end=2018": (D(2018, 1, 1), D(2018, 12, 31)),
    # The first day of an event of one day, below the middle day said (2018): counted as all but the days before.
    "start=2015-06-01&end=2015-06-30": (D(2015, 6, 1), D(2015, 6, 30)),
    "start=2026": (D(2026, 1, 1), None),
    "end=2024": (None, D(2024, 12, 31)),
    "end=2025-05-10": (None, D(2025, 5, 10)),
    "start=2027": (D(2027, 1, 1), None),
    "start=2025&language=fr": (D(2025, 1, 1), None, ["fr"]),
    "start=2025&end=2025-05&language=en": (D(2025, 1, 1), D(2025, 5, 31), ["en"]),
    "end=2024&language=fr": (None, D(2024, 12, 31), ["fr"]),
    "start=2024-12-31&end=2025-01-01&language=fr&language=en": (D(2024, 12, 31), D(2025, 1, 1), ["fr", "en"]),
}


@pytest.mark.parametrize("page_size", [2, 3, 50])
@pytest.mark.parametrize("query", RANGES, ids=RANGES.keys())
def test_the_statements_of_a_range_walked_in_the_order_said_are_those_of_its_events(
    client, world, monkeypatch, query, page_size
):
    monkeypatch.setattr(events_dated, "WALKED_PAST", 0)  # walked, however few
    want = expected(*RANGES[query])
    counts, slugs = every_page(client, query, page_size)
    assert slugs == want
    assert set(counts) == {len(want)}
    assert "draft-day" not in slugs and "draft-fr" not in slugs


def test_the_range_s_total_is_read_from_the_kept_counts_and_its_page_walked(client, world, monkeypatch):
    monkeypatch.setattr(events_dated, "WALKED_PAST", 0)
    with recorded() as queries:
        data = client.get("/api/statements?start=2025&page_size=3").json()
    assert data["count"] == 12
    assert [s["slug"] for s in data["results"]] == ["dispute-opened", "dispute-fr", "dispute-2018"]
    sql = [sql for sql, _ in queries]
    assert not [query for query in sql if "COUNT(" in query.upper() and "timeline_statementcount" not in query]
    # The first and last days said, then the total and the lead.
    assert len([query for query in sql if "timeline_statementcount" in query]) == 2
    assert len([query for query in sql if "UNION ALL" in query]) == 1  # the page's ids: walked, and the running
    # The data versions, those two, the ids, the statements and their sources: as many for a longer page.
    assert len(queries) == 6
    with recorded() as queries:
        data = client.get("/api/statements?start=2018&page_size=50").json()
    assert len(data["results"]) == 13 and len(queries) == 6


def test_a_few_are_read_from_their_events_and_a_statement_said_early_still_leads(client, world):
    """Under WALKED_PAST, the page is read from the events and sorted (as before): the same statements, counted
    from the keys all the same."""
    with recorded() as queries:
        data = client.get("/api/statements?start=2025").json()
    assert [s["slug"] for s in data["results"]] == expected(D(2025, 1, 1), None)
    assert data["results"][3]["slug"] == "summit-foreseen"  # said in 2020, of an event of 2025
    assert not [sql for sql, _ in queries if "UNION ALL" in sql]
    assert not [sql for sql, _ in queries if "COUNT(" in sql.upper() and "timeline_statementcount" not in sql]
    assert len(queries) == 5  # the data versions, the days said, the total, the page, its sources


def test_an_event_moved_or_lengthened_moves_its_statements_in_or_out_of_a_range(client, world, monkeypatch):
    """The keys follow the events' days: the total and the page change with them at once."""
    monkeypatch.setattr(events_dated, "WALKED_PAST", 0)
    assert "autumn-late" not in every_page(client, "start=2025", 2)[1]
    Event.objects.filter(slug="autumn").update(end_date=D(2025, 1, 5))  # now runs into 2025
    counts, slugs = every_page(client, "start=2025", 2)
    assert "autumn-late" in slugs and slugs == expected(D(2025, 1, 1), None)
    assert set(counts) == {13}
    summit = Event.objects.get(slug="summit")
    summit.start_date = D(2026, 2, 1)
    summit.save()
    counts, slugs = every_page(client, "start=2025&end=2025-12-31", 2)
    assert "summit-day" not in slugs and slugs == expected(D(2025, 1, 1), D(2025, 12, 31))
    assert set(counts) == {len(slugs)}
    Event.objects.filter(slug="june").update(status="draft")
    assert "june-day" not in every_page(client, "start=2025", 2)[1]
