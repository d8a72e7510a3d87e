"""The overview above the timeline's results: periods that stay readable when most events sit in one year, a way in
and a way back out at every level, a table of the periods with events, and who held office, from the roles."""

import datetime
import re

import pytest

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    RoleFactory,
    TopicFactory,
)
from tests.htmlparse import Page
from timeline.models import Event
from timeline.offices import office_roles, office_terms

D = datetime.date
pytestmark = pytest.mark.django_db

TIMELINE = {"HX-Request": "true", "HX-Target": "timeline"}


def page(response) -> Page:
    assert response.status_code == 200, response.status_code
    return Page(response.content.decode())


def columns(html: Page) -> list[tuple[str, str | None]]:
    """Each column of the overview: what a screen reader hears (the link's name, or the hidden description) and
    where the column leads (None for a column that is not a link)."""
    found = []
    start = next(i for i, (tag, attrs) in enumerate(html.elements) if attrs.get("class") == "periods")
    for index in range(start + 1, len(html.elements)):
        tag, attrs = html.elements[index]
        if tag in ("details", "nav"):
            break
        if tag == "a":
            found.append((attrs["aria-label"], attrs["href"]))
        elif tag == "span" and attrs.get("class") == "visually-hidden":
            found.append((html.texts[index], None))
    return found


def trail(html: Page) -> list[tuple[str, str | None]]:
    nav = next(i for i, (tag, attrs) in enumerate(html.elements) if attrs.get("class") == "overview-trail")
    steps = []
    for index in range(nav + 1, len(html.elements)):
        tag, attrs = html.elements[index]
        if tag == "div":
            break
        if tag == "a":
            steps.append((html.texts[index], attrs["href"]))
        elif tag == "span" and "aria-current" in attrs:
            steps.append((html.texts[index], None))
    return steps


@pytest.fixture
def skewed():
    """A long history with most of its events in one year: one event each in 1854, 1958 and 2018, a month-long
    event running from April into May 2025, thirty more in 2025 (twenty in March, then three or four each in May,
    June and July, on the 6th), two in 2026; a draft in 1970."""
    for day in [D(1854, 6, 5), D(1958, 5, 12), D(2018, 5, 31)]:
        EventFactory(start_date=day)
    for n in range(30):
        EventFactory(start_date=D(2025, 3, 1 + n % 28) if n < 20 else D(2025, 5 + n % 3, 6))
    EventFactory(slug="spring-talks", start_date=D(2025, 4, 20), end_date=D(2025, 5, 20))
    EventFactory(start_date=D(2026, 1, 16))
    EventFactory(start_date=D(2026, 2, 1))
    DraftEventFactory(start_date=D(1970, 1, 1))


# Periods on skewed data


def test_a_long_skewed_history_is_shown_by_decade_with_the_empty_stretches_shortened(client, skewed):
    html = page(client.get("/"))
    assert "Events per decade, 1854–2026. Choose a period to see its events." in html.text
    assert columns(html) == [
        ("1850s: 1 event", "?start=1850-01-01&end=1859-12-31"),
        ("1860s–1940s: no events", None),  # nine empty decades, one narrow gap
        ("1950s: 1 event", "?start=1950-01-01&end=1959-12-31"),
        ("1960s–2000s: no events", None),  # the draft of 1970 is not counted
        ("2010s: 1 event", "?start=2010-01-01&end=2019-12-31"),
        ("2020s: 33 events", "?start=2020-01-01&end=2029-12-31"),
    ]
    # Every period with events is visible however small beside the busiest: a bar of at least one step.
    levels = re.findall(r'class="bar bar-(\d+)"', client.get("/").content.decode())
    assert levels == ["2", "2", "2", "10"]


def test_narrowing_goes_from_decades_to_years_to_months_to_days(client, skewed):
    decade = page(client.get("/?start=2020-01-01&end=2029-12-31"))
    assert columns(decade) == [
        ("2025: 31 events", "?start=2025-01-01&end=2025-12-31"),
        ("2026: 2 events", "?start=2026-01-01&end=2026-12-31"),
    ]
    year = page(client.get("/?start=2025&end=2025"))  # a year as YYYY is the same period as typed in full
    assert columns(year) == columns(page(client.get("/?start=2025-01-01&end=2025-12-31")))
    assert columns(year) == [
        ("March 2025: 20 events", "?start=2025-03-01&end=2025-03-31"),
        ("April 2025: 1 event", "?start=2025-04-01&end=2025-04-30"),
        ("May 2025: 3 events", "?start=2025-05-01&end=2025-05-31"),
        ("June 2025: 3 events", "?start=2025-06-01&end=2025-06-30"),
        ("July 2025: 4 events", "?start=2025-07-01&end=2025-07-31"),
    ]
    month = page(client.get("/?start=2025-05-01&end=2025-05-31"))
    assert "Events per day, 6 May 2025. Choose a period to see its events." in month.text
    assert columns(month) == [
        ("1 event begun before 1 May 2025", None),  # the spring talks, from April, run into May
        ("6 May 2025: 3 events", "?start=2025-05-06&end=2025-05-06"),
    ]
    day = page(client.get("/?start=2025-05-06&end=2025-05-06"))
    # The dates in force: nothing narrower.
    assert columns(day) == [("1 event begun before 6 May 2025", None), ("6 May 2025: 3 events", None)]


def test_every_level_has_a_way_back_out(client, skewed):
    assert page(client.get("/")).find("nav", class_="overview-trail") == []  # all dates: nowhere further out
    assert trail(page(client.get("/?start=2025-05-06&end=2025-05-06&topic=x"))) == [
        ("All dates", "/"),
        ("2020s", "?start=2020-01-01&end=2029-12-31"),
        ("2025", "?start=2025-01-01&end=2025-12-31"),
        ("May 2025", "?start=2025-05-01&end=2025-05-31"),
        ("6 May 2025", None),
    ]
    # Other dates than a period: the way out, and the dates as they are.
    assert trail(page(client.get("/?start=2025-03-10"))) == [("All dates", "/"), ("from 10 March 2025", None)]


def test_the_trail_and_periods_keep_the_other_filters(client, skewed):
    topic = TopicFactory(slug="trade")
    for event in Event.objects.filter(start_date__year__gte=2025):
        event.topics.add(topic)
    html = page(client.get("/?topic=trade&start=2025-01-01&end=2025-12-31&sort=newest"))
    assert ("All dates", "?topic=trade&sort=newest") in trail(html)
    assert ("March 2025: 20 events", "?start=2025-03-01&end=2025-03-31&topic=trade&sort=newest") in columns(html)


def test_the_table_lists_only_the_periods_with_events(client, skewed):
    html = page(client.get("/"))
    body = html.text[html.text.index("The overview as a table") :]
    rows = re.findall(r"(\d{4}s) (\d+)", body)
    assert rows == [("1850s", "1"), ("1950s", "1"), ("2010s", "1"), ("2020s", "33")]
    assert "1860s" not in body and "no events" not in body
    links = [a["href"] for a in html.find("a") if a.get("href", "").startswith("?start=")]
    assert links.count("?start=2020-01-01&end=2029-12-31") == 2  # the column and the table's row


def test_events_known_only_to_their_year_are_not_put_in_january(client):
    EventFactory(start_date=D(2025, 1, 1), date_precision="year")
    EventFactory(start_date=D(2025, 3, 4))
    html = page(client.get("/"))
    assert columns(html) == [
        ("2025, month not known: 1 event", None),
        ("March 2025: 1 event", "?start=2025-03-01&end=2025-03-31"),
    ]


def test_the_overview_follows_the_filters_and_the_htmx_partials(client, skewed):
    partial = page(client.get("/?start=2020-01-01&end=2029-12-31", headers=TIMELINE))
    assert [name for name, _ in columns(partial)] == ["2025: 31 events", "2026: 2 events"]
    results = page(
        client.get("/?start=2020-01-01&end=2029-12-31", headers={"HX-Request": "true", "HX-Target": "results"})
    )
    assert columns(results) == columns(partial)
    assert page(client.get("/?q=nothing-matches-this")).find("figure", id="overview") == []


# Who held office


@pytest.fixture
def offices():
    trudeau = ParticipantFactory(slug="justin-trudeau", name="Justin Trudeau")
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    biden = ParticipantFactory(slug="joe-biden", name="Joe Biden", country="US")
    trump = ParticipantFactory(slug="donald-trump", name="Donald Trump", country="US")
    secret = ParticipantFactory(slug="secret", name="Secret Candidate")
    RoleFactory(participant=trudeau, title="Prime Minister of Canada", start=D(2015, 11, 4), end=D(2025, 3, 14))
    RoleFactory(participant=carney, title="Prime Minister of Canada", start=D(2025, 3, 14))
    RoleFactory(participant=carney, title="Governor of the Bank of England", start=D(2013, 7, 1))
    RoleFactory(participant=biden, title="President of the United States", start=D(2021, 1, 20))  # no end recorded
    RoleFactory(participant=trump, title="President of the United States (47th)", start=D(2025, 1, 20))
    RoleFactory(participant=secret, title="Prime Minister of Canada", start=D(2026, 1, 1))  # in drafts alone
    for person, day in [
        (trudeau, D(2024, 2, 1)),
        (carney, D(2025, 5, 6)),
        (biden, D(2024, 3, 1)),
        (trump, D(2025, 7, 10)),
    ]:
        InvolvementFactory(event=EventFactory(start_date=day), participant=person)
    InvolvementFactory(event=DraftEventFactory(start_date=D(2026, 1, 2)), participant=secret)


def bands(html: Page) -> dict[str, list[str]]:
    found, current = {}, None
    for index, (tag, attrs) in enumerate(html.elements):
        if tag == "ul" and attrs.get("class") == "band":
            current = attrs["aria-label"]
            found[current] = []
        elif tag == "li" and current and attrs.get("class", "").startswith("span-"):
            found[current].append((attrs["class"], " ".join(html.texts[index + 1 : index + 3]).strip()))
        elif tag == "ol" and attrs.get("class") == "periods":
            break
    return found


def test_the_office_holders_of_each_period_come_from_the_roles(client, offices):
    html = page(client.get("/"))  # events in 2024 and 2025: by year
    assert [name for name, _ in columns(html)] == ["2024: 2 events", "2025: 2 events"]
    assert bands(html) == {
        "Prime Minister of Canada": [
            ("span-1", "Trudeau Justin Trudeau (4 November 2015 – 14 March 2025)"),
            (
                "span-1",
                "Trudeau / Carney Justin Trudeau (4 November 2015 – 14 March 2025); "
                "Mark Carney (14 March 2025 – present)",
            ),
        ],
        # A term the record leaves open ends when the next holder's begins.
        "President of the United States": [
            ("span-1", "Biden Joe Biden (20 January 2021 – 20 January 2025)"),
            (
                "span-1",
                "Biden / Trump Joe Biden (20 January 2021 – 20 January 2025); Donald Trump (20 January 2025 – present)",
            ),
        ],
    }
    assert "Secret" not in html.text and "Bank of England" not in html.text


def test_consecutive_periods_of_one_holder_are_one_band(client, offices):
    html = page(client.get("/?start=2025-01-01&end=2025-12-31"))
    assert [name for name, _ in columns(html)] == ["May 2025: 1 event", "June 2025: no events", "July 2025: 1 event"]
    assert bands(html) == {
        "Prime Minister of Canada": [("span-3", "Carney Mark Carney (14 March 2025 – present)")],
        "President of the United States": [("span-3", "Trump Donald Trump (20 January 2025 – present)")],
    }
    table_text = html.text[html.text.index("The overview as a table") :]
    assert "May 2025 1 Mark Carney Donald Trump July 2025 1 Mark Carney Donald Trump" in table_text


def test_the_office_holders_are_read_in_the_order_of_their_index_not_by_name(offices):
    """The roles' default order is their holder's name: SQLite then read every participant in name order (through
    the index of migration 0024) to find the few who held an office, 24 ms on each computed page at 100,000 events
    against 2.6 read by holder from the index of (participant, title, start)."""
    sql = str(office_roles().query)
    order = sql[sql.index(" ORDER BY ") :]
    assert "name" not in order and "participant_id" in order, order
    # Whatever order the roles come in, the terms are the same.
    terms = office_terms(office_roles())
    assert len(terms) == 4 and terms == office_terms(office_roles().order_by("-pk"))


def test_office_terms_derive_from_dated_and_attested_roles():
    class Role:
        def __init__(self, pk, name, title, start=None, end=None, attested_on=None, precision="day"):
            self.pk, self.title, self.start, self.end, self.attested_on = pk, title, start, end, attested_on
            self.start_precision = self.end_precision = "day"
            self.attested_precision = precision
            self.participant_id = pk
            self.participant = type("P", (), {"name": name})()

        @property
        def period(self):
            return "recorded"

    roles = [
        Role(1, "John Diefenbaker", "Prime Minister of Canada", attested_on=D(1958, 5, 12)),
        Role(2, "Lester B. Pearson", "Prime Minister of Canada (14th)", start=D(1963, 4, 22), end=D(1968, 4, 20)),
        Role(3, "Joe Biden", "President of the United States", start=D(2021, 1, 20)),
        Role(4, "Donald Trump", "President of the United States (47th)", start=D(2025, 1, 20)),
        Role(5, "JD Vance", "Vice President of the United States", start=D(2025, 1, 20)),
    ]
    terms = office_terms(roles)
    assert [(t.office, t.name, t.start, t.end) for t in terms] == [
        ("prime-minister", "John Diefenbaker", D(1958, 5, 12), D(1958, 5, 12)),
        ("prime-minister", "Lester B. Pearson", D(1963, 4, 22), D(1968, 4, 20)),
        ("president", "Joe Biden", D(2021, 1, 20), D(2025, 1, 20)),
        ("president", "Donald Trump", D(2025, 1, 20), None),
    ]
    assert terms[0].short_name == "Diefenbaker"


def test_the_overview_in_french(client, skewed):
    html = page(client.get("/fr/?start=2020-01-01&end=2029-12-31"))
    assert "Événements par année, de 2025 à 2026. Choisissez une période pour voir ses événements." in html.text
    assert trail(html)[0] == ("Toutes les dates", "/fr/")
    assert columns(html)[0] == ("2025\u00a0: 31 événements", "?start=2025-01-01&end=2025-12-31")
    months = page(client.get("/fr/?start=2025-01-01&end=2025-12-31"))
    assert "mars" in months.text and "années 2020" in months.text
