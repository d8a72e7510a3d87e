import datetime
import re
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.urls import reverse

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    RoleFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from tests.htmlparse import Page, elements
from timeline.filters import EventFilter
from timeline.models import Correction, Event, Statement
from timeline.paging import page_of

D = datetime.date
pytestmark = pytest.mark.django_db

HTMX_RESULTS = {"HX-Request": "true", "HX-Target": "results"}


def page(response) -> Page:
    assert response.status_code == 200, response.status_code
    return Page(response.content.decode())


@pytest.fixture
def story():
    """Published events across months and years, with roles, statements, sources and a draft beside them."""
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney", country="CA")
    RoleFactory(participant=carney, title="Governor of the Bank of England", start=D(2013, 7, 1), end=D(2020, 3, 15))
    RoleFactory(participant=carney, title="Prime Minister of Canada", start=D(2025, 3, 14))
    trump = ParticipantFactory(slug="donald-trump", name="Donald Trump", country="US")
    tariffs = TopicFactory(slug="tariffs", name="Tariffs")
    cbc = SourceFactory(slug="cbc", title="Carney meets Trump", publisher="CBC News")
    meeting = EventFactory(
        slug="white-house-meeting",
        title="White House meeting",
        summary="Carney and Trump met about steel tariffs.",
        start_date=D(2025, 5, 6),
        topics=[tariffs],
        sources=[cbc],
        importance=3,
    )
    InvolvementFactory(event=meeting, participant=trump, part="host")
    InvolvementFactory(event=meeting, participant=carney, part="guest")
    StatementFactory(event=meeting, speaker=trump, text="It takes two to tango.", importance=2, sources=[cbc])
    StatementFactory(
        event=meeting,
        speaker=carney,
        text="It's not for sale and it won't be for sale ever.",
        importance=3,
        speaker_label="Prime Minister Mark Carney",
        sources=[cbc],
    )
    levy = EventFactory(
        slug="steel-levy",
        title="Steel levy",
        summary="A levy on steel.",
        start_date=D(2025, 3, 12),
        event_type=Event.Type.TARIFF_ACTION,
        topics=[tariffs],
    )
    InvolvementFactory(event=levy, participant=trump)
    EventFactory(
        slug="defence-review",
        title="Defence review",
        summary="A review of NORAD.",
        start_date=D(2024, 11, 1),
        date_precision="month",
    )
    draft = DraftEventFactory(
        slug="secret-draft",
        title="Secret draft event",
        summary="Unpublished steel news.",
        start_date=D(2025, 5, 7),
        topics=[tariffs],
        sources=[SourceFactory(slug="draft-only", title="Draft-only source")],
    )
    InvolvementFactory(event=draft, participant=ParticipantFactory(slug="draft-only-person", name="Draft Person"))
    InvolvementFactory(event=draft, participant=carney)
    StatementFactory(event=draft, speaker=carney, text="A secret draft statement.", importance=3)
    return {"carney": carney, "trump": trump, "tariffs": tariffs, "meeting": meeting, "levy": levy, "draft": draft}


# The timeline page


def test_timeline_groups_events_under_year_and_month_headings(client, story):
    html = page(client.get("/"))
    headings = [(t, a.get("class")) for t, a in html.elements if a.get("class") in ("year-heading", "month-heading")]
    assert headings == [
        ("h3", "year-heading"),
        ("h4", "month-heading"),  # 2024, November 2024
        ("h3", "year-heading"),
        ("h4", "month-heading"),
        ("h4", "month-heading"),  # 2025, March, May
    ]
    assert re.search(
        r"2024 November 2024 .*Defence review.* 2025 March 2025 .*Steel levy.* May 2025 .*White House", html.text
    )


def test_an_event_card_shows_everything_a_reader_needs(client, story):
    html = page(client.get("/"))
    text = html.text
    assert html.find("time", datetime="2024-11")  # known to the month: no day invented
    assert "November 2024" in text and "6 May 2025" in text
    assert "Tariff action" in text and "Meeting" in text
    assert "Carney and Trump met about steel tariffs." in text
    assert "With Donald Trump, Mark Carney" in text
    assert "Topics Tariffs" in text
    assert "2 statements · 1 source" in text
    # The most important quote, with the speaker as printed.
    assert "It's not for sale and it won't be for sale ever. Prime Minister Mark Carney, 6 May 2025" in text
    assert "two to tango" not in text


def event_ids(html: Page) -> list[str]:
    return [a["id"].removeprefix("event-") for a in html.find("article")]


def test_oldest_first_by_default_and_newest_first_on_request(client, story):
    assert event_ids(page(client.get("/"))) == ["defence-review", "steel-levy", "white-house-meeting"]
    assert event_ids(page(client.get("/?sort=newest"))) == ["white-house-meeting", "steel-levy", "defence-review"]


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("?q=steel", ["Steel levy", "White House meeting"], ["Defence review"]),
        ("?start=2025-04-01&end=2025-05-31", ["White House meeting"], ["Steel levy", "Defence review"]),
        ("?participant=mark-carney", ["White House meeting"], ["Steel levy", "Defence review"]),
        (
            "?participant=mark-carney&participant=donald-trump",
            ["White House meeting", "Steel levy"],
            ["Defence review"],
        ),
        ("?topic=tariffs", ["White House meeting", "Steel levy"], ["Defence review"]),
        ("?type=tariff_action", ["Steel levy"], ["White House meeting", "Defence review"]),
        ("?country=CA", ["White House meeting"], ["Steel levy", "Defence review"]),
        ("?has_statements=yes", ["White House meeting"], ["Steel levy", "Defence review"]),
        ("?has_statements=no", ["Steel levy", "Defence review"], ["White House meeting"]),
        ("?participant=donald-trump&start=2025-04&q=steel", ["White House meeting"], ["Steel levy", "Defence review"]),
        ("?topic=tariffs&type=meeting&country=US", ["White House meeting"], ["Steel levy", "Defence review"]),
    ],
)
def test_each_filter_and_combinations_narrow_the_page(client, story, query, shown, hidden):
    html = page(client.get("/" + query))
    slugs = {
        "White House meeting": "white-house-meeting",
        "Steel levy": "steel-levy",
        "Defence review": "defence-review",
    }
    assert event_ids(html) == sorted((slugs[title] for title in shown), key=list(slugs.values())[::-1].index)
    assert not {slugs[title] for title in hidden} & set(event_ids(html))
    assert f"{len(shown)} event" in html.text
    assert "Secret draft" not in html.text


def test_facet_counts_are_shown_beside_each_choice_and_follow_the_other_filters(client, story):
    def counts(query):
        html = client.get("/" + query).content.decode()
        found = re.findall(r'<label for="participant-([\w-]+)">[^<]*<span class="count">(\d+)<', html)
        return {slug: int(n) for slug, n in found}

    assert counts("") == {"donald-trump": 2, "mark-carney": 1}  # the draft adds nothing
    assert counts("?type=tariff_action") == {"donald-trump": 1}
    assert counts("?participant=mark-carney") == {"donald-trump": 2, "mark-carney": 1}  # own facet: unchanged


def crowded_by_busier_participants():
    """As many participants as the facet ranks (RANKED), each in the same two steel meetings on trade in 2025; and
    Zed Quiet, in one such meeting of its own and in one election in 2019: fewer events under any filters, and last
    by name among equal counts, so never among the ranked."""
    from timeline.facets import RANKED

    trade = TopicFactory(slug="trade", name="Trade")
    busy = [ParticipantFactory(slug=f"busy-{n:02}", name=f"Busy {n:02}") for n in range(RANKED)]
    for day in (1, 2):
        event = EventFactory(title="Steel talks", start_date=D(2025, 5, day), topics=[trade])
        for participant in busy:
            InvolvementFactory(event=event, participant=participant)
    quiet = ParticipantFactory(slug="zed-quiet", name="Zed Quiet")
    InvolvementFactory(
        event=EventFactory(title="Steel talks", start_date=D(2025, 5, 6), topics=[trade]), participant=quiet
    )
    InvolvementFactory(
        event=EventFactory(title="A vote", start_date=D(2019, 10, 21), event_type=Event.Type.ELECTION),
        participant=quiet,
    )


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("", 2),  # the kept counts
        ("&topic=trade", 1),  # the pairs of one key
        ("&start=2025", 1),  # the pairs of the months in a range
        ("&start=2019-10-21&end=2025-05-06", 2),
        ("&topic=trade&type=meeting", 1),  # counted over the keys of the events selected
        ("&q=steel", 1),  # a search's matches
        ("&type=election&start=2019", 1),
        ("&participant=busy-00", 2),  # another participant selected too: a participant's counts ignore them
    ],
)
def test_a_selected_participant_outside_the_ranked_shows_its_true_count(client, query, count):
    """The participants' counts are ranked without the selection (so that they are shared by every selection
    under the same other filters): a participant chosen from beyond them showed 0 events beside its name."""
    crowded_by_busier_participants()
    html = client.get("/?participant=zed-quiet" + query).content.decode()
    counts = dict(re.findall(r'<label for="participant-([\w-]+)">[^<]*<span class="count">(\d+)<', html))
    assert counts["zed-quiet"] == str(count)
    assert counts["busy-00"] == "2" if query != "&type=election&start=2019" else "busy-00" not in counts


def test_selected_choices_are_checked_and_the_folded_filters_say_how_many_are_in_use(client, story):
    html = page(client.get("/?participant=mark-carney&has_statements=yes&q=steel&sort=newest"))
    assert "checked" in html.find("input", id="participant-mark-carney")[0]
    assert "checked" not in html.find("input", id="participant-donald-trump")[0]
    assert "checked" in html.find("input", id="has_statements-yes")[0]
    # Folded on a phone (closed; the stylesheet opens it beside the results), saying how many filters it holds:
    # not the search, which stays in sight, nor the order.
    [panel] = html.find("details", id="filter-panel")
    assert "open" not in panel
    assert "Filters (2 in use)" in html.text
    assert "Filters (none in use)" in page(client.get("/?q=steel")).text
    results = page(client.get("/?participant=mark-carney", headers=HTMX_RESULTS))
    assert results.find("span", id="filter-count", **{"hx-swap-oob": "true"})
    assert "(1 in use)" in results.text


def test_a_phone_reader_can_skip_to_the_results_and_to_the_latest_events(client, story):
    html = page(client.get("/?topic=tariffs"))
    assert html.find("a", class_="skip-link", href="#results-heading")
    assert html.find("h2", id="results-heading", tabindex="-1")
    [latest] = [a for a in html.find("a") if a.get("href") == "?topic=tariffs&sort=newest"]
    assert latest["hx-get"] == latest["href"]
    newest = page(client.get("/?topic=tariffs&sort=newest"))
    assert "Oldest events first" in newest.text and newest.find("a", href="?topic=tariffs")


def test_every_year_with_events_is_one_link_away_whatever_the_dates(client, story):
    years = {a["href"]: a for a in page(client.get("/?start=2025-03-01&end=2025-03-31")).find("a")}
    assert "?start=2024-01-01&end=2024-12-31" in years and "?start=2025-01-01&end=2025-12-31" in years
    html = page(client.get("/?start=2025-01-01&end=2025-12-31"))
    assert [s for s in html.find("span") if s.get("aria-current") == "location"]  # this year, not a link
    assert "?start=2024-01-01&end=2024-12-31" in {a["href"] for a in html.find("a")}


def test_active_filters_are_listed_with_links_that_remove_each(client, story):
    html = page(client.get("/?participant=mark-carney&q=steel&start=2025-04"))
    links = {a["href"] for a in html.find("a", **{"hx-target": "#timeline"})}
    assert "?start=2025-04-01&participant=mark-carney" in links  # without the search
    assert "?q=steel&participant=mark-carney" in links  # without the date
    assert "?q=steel&start=2025-04-01" in links  # without the participant
    assert "Remove filter: \u201csteel\u201d" in html.text and "from 1 April 2025" in html.text


def title_of(html: Page) -> str:
    return next(text for (tag, _), text in zip(html.elements, html.texts, strict=True) if tag == "title")


@pytest.mark.parametrize(
    ("query", "shown", "start", "end"),
    [
        ("start=2025&end=2024", 3, "2024-01-01", "2025-12-31"),
        ("start=2025-05&end=2025-03", 2, "2025-03-01", "2025-05-31"),
    ],
)
def test_a_backwards_range_is_shown_the_right_way_round_so_the_next_change_keeps_it(
    client, story, query, shown, start, end
):
    """The form showed the days typed in the roles typed (start 2025-01-01, end 2024-12-31): the reader's next
    change sent them back, to be swapped again into the day or two between them."""
    html = page(client.get(f"/?{query}"))
    assert f"{shown} events" in html.text
    # Any change (ticking a topic, say) sends the form as it stands, by htmx or without it.
    form = html.form("filters")
    again = page(client.get("/?" + urlencode(form, doseq=True), headers=HTMX_RESULTS))
    assert f"{shown} events" in again.text and "swapped" not in again.text
    assert (form["start"], form["end"]) == ([start], [end])


def test_both_dates_are_named_as_one_range_that_removes_both(client, story):
    html = page(client.get("/?q=steel&start=2025&end=2024"))
    named = "\u201csteel\u201d, 1 January 2024 \u2013 31 December 2025"
    assert title_of(html) == f"Events: {named} \u00b7 Timeline"
    assert html.find("meta", name="description")[0]["content"].endswith(f"Filtered: {named}.")
    assert html.find("link", type="application/atom+xml")[0]["title"] == f"Timeline: new events ({named})"
    assert "Remove filter: 1 January 2024 \u2013 31 December 2025" in html.text
    assert html.find("a", href="?q=steel", **{"hx-target": "#timeline"})  # both dates gone
    french = page(client.get("/fr/?start=2024&end=2025-03"))
    assert title_of(french) == "Événements\u00a0: du 1er janvier 2024 au 31 mars 2025 \u00b7 Chronologie"
    assert "Retirer le filtre : du 1er janvier 2024 au 31 mars 2025" in french.text  # (.text makes spaces plain)
    assert french.find("a", href="/fr/", **{"hx-target": "#timeline"})
    # One date alone keeps its own words.
    alone = page(client.get("/fr/?end=2025-03"))
    assert title_of(alone) == "Événements\u00a0: jusqu\u2019au 31 mars 2025 \u00b7 Chronologie"


# HTMX: one view, the page or a partial, chosen by HX-Target


def test_the_full_page_varies_on_the_htmx_headers_and_may_be_cached(client, story):
    response = client.get("/?q=steel")
    assert response["Vary"] == "HX-Request, HX-Target" or {"HX-Request", "HX-Target"} <= {
        h.strip() for h in response["Vary"].split(",")
    }
    assert "no-store" not in response.get("Cache-Control", "")
    html = page(response)
    assert html.find("html") and html.find("form", id="filters")


def test_the_results_partial_has_results_facets_out_of_band_title_and_no_page_around_it(client, story):
    response = client.get("/?q=steel", headers=HTMX_RESULTS)
    assert {"HX-Request", "HX-Target"} <= {h.strip() for h in response["Vary"].split(",")}
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    html = page(response)
    assert not html.find("html") and not html.find("form")
    assert html.elements[0] == ("title", {})
    assert "Events: \u201csteel\u201d" in html.text
    assert html.find("div", id="facets", **{"hx-swap-oob": "true"})
    assert html.find("p", id="live-status", **{"hx-swap-oob": "innerHTML"})
    assert html.find("h2", id="results-heading")
    assert "title-steel-levy" in {a.get("id") for a in html.find("h5")}


def test_links_that_change_the_filters_get_the_whole_timeline_with_the_form(client, story):
    response = client.get("/?participant=mark-carney", headers={"HX-Request": "true", "HX-Target": "timeline"})
    assert "no-store" in response["Cache-Control"]
    html = page(response)
    assert not html.find("html")
    assert html.find("div", id="timeline") and html.find("form", id="filters")
    assert not html.find("div", id="facets", **{"hx-swap-oob": "true"})  # inside the form, swapped with it


@pytest.mark.parametrize(
    "headers",
    [
        {"HX-Request": "true", "HX-History-Restore-Request": "true"},  # htmx 2 restoring after a cache miss
        {"HX-Request": "true", "HX-Boosted": "true"},
        {"HX-Request": "true", "HX-Target": "main"},  # any other target
    ],
)
def test_other_htmx_requests_get_the_full_page(client, story, headers):
    response = client.get("/?q=steel", headers=headers)
    html = page(response)
    assert html.find("html") and html.find("form", id="filters")
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_form_works_without_javascript_and_says_how_htmx_enhances_it(client, story):
    form = page(client.get("/")).find("form", id="filters")[0]
    assert form["method"] == "get" and form["action"] == "/"
    assert form["hx-get"] == "/" and form["hx-target"] == "#results" and form["hx-push-url"] == "true"
    assert form["hx-indicator"] == "#loading"


def test_every_htmx_link_is_also_a_plain_link(client, story):
    html = page(client.get("/?participant=donald-trump"))
    for attributes in html.find("a"):
        if "hx-get" in attributes:
            assert attributes.get("href", "").split("#")[0] == attributes["hx-get"]


# Paging: "load more"


PAGE_SIZE = 50  # set on the server by `many_events`, so that its first page runs from May into June


@pytest.fixture
def many_events(monkeypatch):
    """PAGE_SIZE + 5 published events, one a day from 1 May 2025: the second page continues June."""
    monkeypatch.setattr("timeline.paging.PAGE_SIZE", PAGE_SIZE)
    return [
        EventFactory(slug=f"day-{n:03d}", title=f"Day {n}", start_date=D(2025, 5, 1) + datetime.timedelta(days=n))
        for n in range(PAGE_SIZE + 5)
    ]


@pytest.mark.parametrize("query", ["", "sort=newest", "start=2025-05-03&end=2025-05-20", "q=tariff&sort=relevance"])
def test_a_page_picked_by_ids_first_is_the_slice_of_the_events_in_their_order(query):
    """Ties on the day and the importance are ordered by id, so a page picked from the ids is the slice itself;
    a range event begun before the From date is on the first page (it overlaps), one ended before it is not."""
    for n in range(24):
        EventFactory(
            title=f"Tariff {n}" if n % 3 else f"Tariff tariff {n}",
            start_date=D(2025, 5, 1 + n // 4),
            importance=1 + n % 3,
        )
    EventFactory(title="Tariff talks", start_date=D(2025, 4, 1), end_date=D(2025, 5, 4))
    EventFactory(title="Tariff truce", start_date=D(2025, 4, 1), end_date=D(2025, 5, 2))
    events = EventFilter(QueryDict(query)).qs
    for start, stop in [(0, 5), (4, 11), (20, 30)]:
        assert page_of(events, start, stop) == list(events[start:stop]), (start, stop)
    if query.startswith("start"):
        assert "Tariff talks" in [event.title for event in page_of(events, 0, 1)]


RANGES = [("2025-05-10", ""), ("2025-05", ""), ("2025-05-10", "2025-05-20"), ("2019", "")]


@pytest.mark.parametrize("sort", ["", "newest"])
@pytest.mark.parametrize("start, end", RANGES)
@pytest.mark.parametrize("topic", [False, True])
def test_a_date_range_lists_every_published_event_overlapping_it_in_order(start, end, sort, topic):
    """The first day of a date range is bounded by the earliest event still running on it, so that the order can be
    walked from there (EventQuerySet.between): an event begun years before and running on is still listed, one
    ended the day before is not, and no draft is (alone, or under a topic)."""
    trade = TopicFactory(slug="trade")
    EventFactory(slug="talks", start_date=D(2019, 3, 1), end_date=D(2025, 5, 12), topics=[trade])
    EventFactory(slug="ended", start_date=D(2018, 1, 1), end_date=D(2025, 5, 9), topics=[trade])
    EventFactory(slug="year", start_date=D(2025, 1, 1), date_precision="year", topics=[trade])
    DraftEventFactory(slug="draft", start_date=D(2010, 1, 1), end_date=D(2030, 1, 1), topics=[trade])
    for n in range(12):
        EventFactory(slug=f"day-{n:02d}", start_date=D(2025, 5, 5) + datetime.timedelta(days=2 * n), topics=[trade])
    query = {"start": start, "end": end, "sort": sort, "topic": "trade" if topic else ""}
    filterset = EventFilter(QueryDict(urlencode({name: value for name, value in query.items() if value})))
    first, last = filterset.cleaned["start"], filterset.cleaned.get("end") or D(9999, 12, 31)
    expected = [
        event.slug
        for event in Event.objects.published().chronological(newest_first=sort == "newest")
        if (event.end_date or event.start_date) >= first and event.start_date <= last
    ]
    assert "talks" in expected and ("ended" in expected) == (start != "2025-05-10")
    assert [event.slug for event in page_of(filterset.qs, 0, 100)] == expected


def headings(response) -> list[str]:
    """The year and month headings of the timeline, in order."""
    return re.findall(r'<h[34] class="(?:year|month)-heading">([^<]*)</h[34]>', response.content.decode())


def test_the_first_page_links_to_more(client, many_events):
    response = client.get("/")
    html = page(response)
    assert len(html.find("article")) == PAGE_SIZE
    assert headings(response) == ["2025", "May 2025", "June 2025"]
    more = html.find("a", id="load-more")[0]
    # htmx goes on from the last event shown (day 49, 19 June: its day, precision, importance and id); the address
    # bar and a reader without JavaScript get page 2.
    last = many_events[PAGE_SIZE - 1]
    assert more["href"] == "?page=2#page-2"
    assert more["hx-get"] == f"?page=2&after=2025-06-19.day.{last.importance}.{last.pk}"
    assert more["hx-target"] == "this" and more["hx-swap"] == "outerHTML" and more["hx-replace-url"] == "?page=2"
    assert "Events 1–50 of 55" in html.text
    assert html.find("link", rel="next")[0]["href"] == "http://testserver/?page=2"
    # The first page has nothing before it.
    assert not html.find("a", rel="prev") and not html.find("link", rel="prev") and "Previous page" not in html.text


def test_load_more_returns_only_the_next_events_without_repeating_a_heading(client, many_events):
    response = client.get("/?page=2", headers={"HX-Request": "true", "HX-Target": "load-more"})
    assert "no-store" in response["Cache-Control"]
    html = page(response)
    assert [a["id"] for a in html.find("article")] == [f"event-day-{n:03d}" for n in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert html.find("span", id="page-2")
    # Day 50 is 20 June 2025 and June began on the first page: no heading repeats "2025" or "June 2025".
    assert [a.get("class") for t, a in html.elements if t in ("h3", "h4")] == []
    assert not html.find("a", id="load-more")
    # The range above the events now ends at the last one appended: "Events 1–55 of 55".
    assert re.search(r'<span id="shown-to" hx-swap-oob="true">55</span>', response.text)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_load_more_after_events_were_unpublished_adds_none_twice_and_says_why(client, many_events, language):
    """A reader has the first page of 55 events; an editor then unpublishes ten, and 45 fit on one page. "Load
    more" asks for page 2, which no longer exists: the last page again would append the 45 events already shown."""
    for event in many_events[:10]:
        event.status = Event.Status.DRAFT
        event.save()
    prefix = "/fr" if language == "fr" else ""
    response = client.get(f"{prefix}/?page=2", headers={"HX-Request": "true", "HX-Target": "load-more"})
    assert response.status_code == 200
    html = page(response)
    assert html.find("article") == []
    assert not html.find("a", id="load-more")
    changed = html.find("p", class_="changed")
    assert len(changed) == 1 and changed[0]["role"] == "status"
    message = {
        "en": "No more events to add: the timeline has changed since this page was loaded.",
        "fr": "Aucun autre événement à ajouter\u00a0: la chronologie a changé depuis le chargement de cette page.",
    }[language]
    assert message in response.content.decode()  # as written, with French's no-break space before the colon
    # Back to the first page of the same filters, read again.
    assert [a["href"] for a in html.find("a")] == [f"{prefix}/"]


LOAD_MORE = {"HX-Request": "true", "HX-Target": "load-more"}


@pytest.mark.parametrize("sort", ["", "newest"])
def test_load_more_after_an_edit_above_goes_on_from_the_last_event_shown(client, many_events, sort):
    """A reader has the first page, 50 of 55 events. An editor then unpublishes three of them and publishes two new
    ones among them. "Load more" appends exactly the events after the reader's last one: none skipped (counted from
    the start, page 2 would begin one event further on) and none repeated."""
    first = page(client.get(f"/?sort={sort}" if sort else "/"))
    shown = [article["id"] for article in first.find("article")]
    more = first.find("a", id="load-more")[0]["hx-get"]
    for event in many_events[5:8] if not sort else many_events[47:50]:
        event.status = Event.Status.DRAFT
        event.save()
    EventFactory.create_batch(2, start_date=D(2025, 5, 20) if not sort else D(2025, 6, 10))

    response = client.get(more, headers=LOAD_MORE)
    appended = [article["id"] for article in page(response).find("article")]
    days = range(PAGE_SIZE, PAGE_SIZE + 5) if not sort else range(4, -1, -1)
    assert appended == [f"event-day-{n:03d}" for n in days]
    assert not set(appended) & set(shown)
    assert not page(response).find("a", id="load-more") and not page(response).find("p", class_="changed")


def test_load_more_goes_on_after_the_last_event_shown_even_once_it_is_unpublished(client, many_events, monkeypatch):
    """The reader's last event is unpublished before they ask for more: the next events follow it all the same,
    and June, which it opened on the reader's page, gets no second heading."""
    monkeypatch.setattr("timeline.paging.PAGE_SIZE", 32)  # page 1 ends with day 31, 1 June, under its heading
    first = page(client.get("/"))
    assert first.find("article")[-1]["id"] == "event-day-031"
    many_events[31].status = Event.Status.DRAFT
    many_events[31].save()
    response = client.get(first.find("a", id="load-more")[0]["hx-get"], headers=LOAD_MORE)
    assert page(response).find("article")[0]["id"] == "event-day-032"
    assert headings(response) == []


def test_load_more_with_nothing_left_after_the_last_event_shown_says_why(client, many_events):
    first = page(client.get("/"))
    for event in many_events[PAGE_SIZE:]:
        event.status = Event.Status.DRAFT
        event.save()
    response = client.get(first.find("a", id="load-more")[0]["hx-get"], headers=LOAD_MORE)
    html = page(response)
    assert html.find("article") == [] and not html.find("a", id="load-more")
    assert len(html.find("p", class_="changed")) == 1


@pytest.mark.parametrize(
    "after", ["", "yesterday", "2025-02-30.day.2.1", "2025-06-19.week.2.1", "2025-06-19.day.2.1;drop", "9" * 400]
)
def test_load_more_from_a_malformed_place_counts_from_the_start_instead(client, many_events, after):
    response = client.get(f"/?{urlencode({'page': 2, 'after': after})}", headers=LOAD_MORE)
    assert response.status_code == 200
    appended = [article["id"] for article in page(response).find("article")]
    assert appended == [f"event-day-{n:03d}" for n in range(PAGE_SIZE, PAGE_SIZE + 5)]


@pytest.mark.parametrize("headers", [{}, HTMX_RESULTS, {"HX-Request": "true", "HX-Target": "timeline"}])
def test_a_page_url_shows_that_page_alone_with_where_it_is_and_a_link_back(client, many_events, headers):
    """Classic pagination: ?page=2 is events 51 to 55, whether loaded whole or swapped in by htmx."""
    response = client.get("/?page=2", headers=headers)
    html = page(response)
    assert [a["id"] for a in html.find("article")] == [f"event-day-{n:03d}" for n in range(PAGE_SIZE, PAGE_SIZE + 5)]
    # June 2025 began on page 1 (day 50 is 20 June), but a page read alone opens with its year and month.
    assert headings(response) == ["2025", "June 2025"]
    assert "Events 51–55 of 55" in html.text
    back = html.find("a", rel="prev")
    assert len(back) == 1 and back[0]["href"] == "/" and back[0]["hx-get"] == "/"
    assert (
        back[0]["hx-target"] == "#timeline" and back[0]["hx-swap"] == "outerHTML" and back[0]["hx-push-url"] == "true"
    )
    assert "Previous page: events 1–50" in html.text
    assert not html.find("a", id="load-more") and not html.find("link", rel="next")
    if not headers:
        assert html.find("link", rel="canonical")[0]["href"] == "http://testserver/?page=2"
        assert html.find("link", rel="prev")[0]["href"] == "http://testserver/"
        # A reader without JavaScript who followed "Load more events" (?page=2#page-2) lands at the range line.
        assert html.find("p", id="page-2")


def test_a_last_page_of_one_event_says_so(client, many_events, monkeypatch):
    monkeypatch.setattr("timeline.paging.PAGE_SIZE", 54)
    assert "Event 55 of 55" in page(client.get("/?page=2")).text


def test_the_link_back_keeps_the_filters_and_the_order(client, many_events, monkeypatch):
    monkeypatch.setattr("timeline.paging.PAGE_SIZE", 20)
    response = client.get("/?sort=newest&start=2025-05&page=3")
    html = page(response)
    # Newest first: page 3 is the 41st to 55th newest, days 14 back to 0, all in May (as page 2 ended).
    assert [a["id"] for a in html.find("article")] == [f"event-day-{n:03d}" for n in range(14, -1, -1)]
    assert headings(response) == ["2025", "May 2025"]
    back = html.find("a", rel="prev")[0]
    assert back["href"] == back["hx-get"] == "?start=2025-05-01&sort=newest&page=2"
    assert "Previous page: events 21–40" in html.text and "Events 41–55 of 55" in html.text
    assert html.find("link", rel="canonical")[0]["href"] == "http://testserver/?start=2025-05-01&sort=newest&page=3"
    # Page 2 leads back to page 1, which has no page parameter.
    back = page(client.get("/?sort=newest&start=2025-05&page=2")).find("a", rel="prev")[0]
    assert back["href"] == "?start=2025-05-01&sort=newest"


def test_load_more_opens_a_month_that_starts_on_the_new_page_but_not_the_year(client, many_events, monkeypatch):
    monkeypatch.setattr("timeline.paging.PAGE_SIZE", 31)  # page 1 is May 2025 (days 0 to 30), page 2 opens June
    response = client.get("/?page=2", headers={"HX-Request": "true", "HX-Target": "load-more"})
    assert page(response).find("article")[0]["id"] == "event-day-031"
    assert headings(response) == ["June 2025"]


def test_paging_stops_at_the_hundredth_page_with_a_note(client, monkeypatch):
    monkeypatch.setattr("timeline.paging.PAGE_SIZE", 1)
    monkeypatch.setattr("timeline.paging.MAX_PAGES", 100)
    for n in range(102):
        EventFactory(slug=f"day-{n:03d}", start_date=D(2025, 1, 1) + datetime.timedelta(days=n))
    html = page(client.get("/?page=100"))
    assert [a["id"] for a in html.find("article")] == ["event-day-099"]
    assert not html.find("a", id="load-more") and "Showing the first" not in html.text
    capped = page(client.get("/?page=101"))
    assert [a["id"] for a in capped.find("article")] == ["event-day-099"]
    assert "Showing the first 100 events: narrow the filters or change the order to see others." in capped.text


def test_an_event_in_december_9999_breaks_no_view_of_the_timeline(client):
    """The chart's month arithmetic went past the end of the calendar: `/?start=9999` was a 500."""
    EventFactory(title="Far future", start_date=D(9999, 12, 1), date_precision="month")
    for url in ["/", "/?start=9999", "/?start=9999-12", "/?end=9999-12-31", "/?start=9999&end=9999", "/fr/?start=9999"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Far future" in response.text, url


def test_events_in_years_1_and_9999_break_no_view_of_the_timeline(client):
    EventFactory(title="First", start_date=D(1, 1, 1), date_precision="year")
    EventFactory(title="Treaty", start_date=D(1854, 6, 5))
    EventFactory(title="Last", start_date=D(9999, 12, 31))
    for url in ["/", "/?start=0001&end=0001", "/?end=0001-01", "/?start=9999-12-31", "/?sort=newest", "/fr/"]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert all(title in client.get("/").text for title in ["First", "Treaty", "Last"])


def test_index_pages_link_their_neighbours_with_their_own_parameters_only(client, monkeypatch):
    """A parameter the page does not read (a tracking tag, say) is not carried into its paging links."""
    monkeypatch.setattr("timeline.views.INDEX_PAGE_SIZE", 1)
    for name in ["Ann Aa", "Ann Bb", "Ann Cc"]:
        InvolvementFactory(event=EventFactory(), participant=ParticipantFactory(name=name))
    html = page(client.get("/participants/?utm_source=news&page=2&q=ann"))
    assert "Ann Bb" in html.text
    [previous] = html.find("a", rel="prev")
    [following] = html.find("a", rel="next")
    assert (previous["href"], following["href"]) == ("?q=ann&page=1", "?q=ann&page=3")


# Drafts never appear on any page: tests/test_drafts_never_leak.py walks them all.


# Bad input: a normal page with a note, never a 500


@pytest.mark.parametrize(
    "query, note",
    [
        ("?start=2025-13-45", "Ignored the From date \u201c2025-13-45\u201d: no such date."),
        ("?participant=nobody", "Ignored participant \u201cnobody\u201d: no published event has this participant."),
        ("?page=999", "There is no page 999: showing the last page, 1."),
        ("?page=abc", "Ignored the page \u201cabc\u201d: not a page number."),
        ("?page=-1", "Ignored the page \u201c-1\u201d: not a page number."),
        ("?q=" + "x" * 10_240, "Ignored the search: it is longer than 200 characters."),
        ("?has_statements=%00", "Ignored the statements choice"),
        ("?start=99999-01-01", "Ignored the From date \u201c99999-01-01\u201d"),
        ("?type=%3Cscript%3E", "Ignored event type \u201c<script>\u201d: there is no such event type."),
        ("?country=ZZ", "Ignored country \u201cZZ\u201d: no published event has a participant from this country."),
    ],
)
def test_bad_input_gives_the_page_with_a_note(client, story, query, note):
    html = page(client.get("/" + query))
    assert note in html.text
    assert "3 events on the timeline" in html.text
    assert html.find("div", class_="notes")


def results_heading(response) -> str:
    return next(h2["_text"] for h2 in elements(response.content, "h2") if h2.get("id") == "results-heading")


def test_a_country_no_participant_of_a_published_event_is_from_is_ignored_in_either_language(client, story):
    """A well-formed code that matched nothing said nothing: "0 events", titled "Events: ZZ". A country known only
    from a draft is as unknown as one nobody is from."""
    InvolvementFactory(event=story["draft"], participant=ParticipantFactory(slug="sheinbaum", country="MX"))
    response = client.get("/?country=MX&country=us")
    html = page(response)
    assert "Ignored country \u201cMX\u201d: no published event has a participant from this country." in html.text
    assert results_heading(response) == "2 events"
    assert elements(response.content, "title")[0]["_text"] == "Events: United States \u00b7 Timeline"
    response = client.get("/fr/?country=XK")
    # The page's text has its spaces made plain, non-breaking ones too.
    note = "On a ignoré le pays « XK » : aucun événement publié ne compte de participant de ce pays."
    assert note in page(response).text
    assert results_heading(response) == "3 événements dans la chronologie"


def test_an_ignored_value_is_not_put_back_in_the_form(client, story):
    html = page(client.get("/?start=2025-13-45&end=2025-06"))
    assert "value" not in html.find("input", id="id_start")[0]
    assert html.find("input", id="id_end")[0]["value"] == "2025-06-30"
    assert "aria-invalid" not in html.find("input", id="id_start")[0]


def test_bad_input_in_the_partial_gives_the_note_too(client, story):
    html = page(client.get("/?start=2025-02-30", headers=HTMX_RESULTS))
    assert "Ignored the From date \u201c2025-02-30\u201d: no such date." in html.text


@pytest.mark.parametrize(
    "path",
    ["/participants/mark-carney/?page=x", "/topics/tariffs/?page=50", "/sources/?page=0", "/participants/?page=zz"],
)
def test_bad_pages_on_other_lists_are_noted(client, story, path):
    html = page(client.get(path))
    assert html.find("div", class_="notes")


def test_every_user_string_is_escaped(client, story):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    event = EventFactory(slug="hostile", title=hostile, summary=f"steel {hostile}", body=hostile, location=hostile)
    speaker = ParticipantFactory(slug="hostile-person", name=hostile, description=hostile)
    InvolvementFactory(event=event, participant=speaker)
    StatementFactory(event=event, speaker=speaker, text=hostile, speaker_label=hostile, context=hostile)
    topic = TopicFactory(slug="hostile-topic", name=hostile, description=hostile)
    event.topics.add(topic)
    for path in [
        "/",
        "/?q=" + "steel",
        "/?q=" + hostile,
        "/?participant=hostile-person",
        event.get_absolute_url(),
        speaker.get_absolute_url(),
        topic.get_absolute_url(),
        reverse("participant_list"),
        reverse("topic_list"),
    ]:
        html = page(client.get(path, {"x": hostile} if "?" not in path else {}))
        assert not html.find("img", src="x"), path
        assert html.inline_scripts == 0, path
        assert all(not name.startswith("on") for _, attrs in html.elements for name in attrs), path


# Every page: canonical URL, a meaningful title, and nothing inline for the Content-Security-Policy to refuse


def test_every_reader_page_has_a_canonical_url_a_title_and_no_inline_script_or_style(client, story):
    Correction.objects.create(event=story["meeting"], note="The date of a quote was corrected.")
    expectations = {
        "/": ("Canada–U.S. relations · Timeline", "http://testserver/"),
        "/?topic=tariffs&participant=nobody&sort=newest": (
            "Events: Tariffs · Timeline",
            "http://testserver/?topic=tariffs&sort=newest",
        ),
        story["meeting"].get_absolute_url(): (
            "White House meeting, 6 May 2025 · Timeline",
            "http://testserver/events/white-house-meeting/",
        ),
        story["carney"].get_absolute_url(): ("Mark Carney · Timeline", "http://testserver/participants/mark-carney/"),
        story["tariffs"].get_absolute_url(): ("Tariffs · Timeline", "http://testserver/topics/tariffs/"),
        reverse("participant_list"): ("Participants · Timeline", "http://testserver/participants/"),
        reverse("topic_list"): ("Topics · Timeline", "http://testserver/topics/"),
        reverse("source_list"): ("Sources · Timeline", "http://testserver/sources/"),
    }
    for path, (title, canonical) in expectations.items():
        response = client.get(path)
        html = page(response)
        assert re.search(r"<title>(.*?)</title>", response.content.decode()).group(1) == title, path
        assert [link["href"] for link in html.find("link", rel="canonical")] == [canonical], path
        assert len(html.find("h1")) == 1, path
        assert html.inline_scripts == 0, path
        assert not html.find("style"), path
        assert not [a for _, a in html.elements if "style" in a], path
        assert not [name for _, a in html.elements for name in a if name.startswith("on")], path
        assert html.find("script", src="/static/django_htmx/htmx-2.min.js") or path != "/", path


# Event, participant, topic and source pages


def test_event_page_shows_full_text_roles_at_the_time_statements_sources_corrections(client, story):
    meeting = story["meeting"]
    meeting.body = "The leaders talked over lunch."
    meeting.save()
    Correction.objects.create(event=meeting, published_on=D(2025, 5, 8), note="An earlier version misdated a quote.")
    text = page(client.get(meeting.get_absolute_url())).text
    assert "The leaders talked over lunch." in text
    assert "Mark Carney, Prime Minister of Canada Guest" in text  # the role held on 6 May 2025, not the earlier one
    assert "Governor of the Bank of England" not in text
    assert "It takes two to tango. Donald Trump, 6 May 2025" in text
    assert "(as printed: Prime Minister Mark Carney)" in text
    assert "Source: Carney meets Trump, CBC News" in text
    assert "Sources Carney meets Trump , CBC News" in text or "Sources Carney meets Trump, CBC News" in text
    assert "Corrections 8 May 2025: An earlier version misdated a quote." in text


def test_a_month_events_page_shows_a_role_begun_within_the_month_and_says_how_titles_are_chosen(client, story):
    """Roles were read on the event's first day only: a role begun later in its month was never shown."""
    march = EventFactory(slug="march", title="March talks", start_date=D(2025, 3, 1), date_precision="month")
    InvolvementFactory(event=march, participant=story["carney"], part="subject")
    text = page(client.get(march.get_absolute_url())).text
    assert "Mark Carney, Prime Minister of Canada (from 14 March 2025) Subject" in text
    assert (
        "Titles are those the sources show held at some point in March 2025; a date beside a title says when the "
        "sources show it held." in text
    )
    day_page = page(client.get(story["meeting"].get_absolute_url())).text
    assert "Titles are those the sources show held on 6 May 2025." in day_page
    french = page(client.get("/fr" + march.get_absolute_url())).text
    assert "Prime Minister of Canada (en anglais) (depuis le 14 mars 2025)" in french  # no French title given
    assert "à un moment ou un autre de la période mars 2025" in french


def test_an_event_from_a_day_to_a_year_reads_as_a_period_in_both_languages(client, story):
    """A range whose two ends are known to different precisions was written "5 juin 1854 – 1866", and English
    said "held at some point in 5 June 1854 – 1866"."""
    treaty = EventFactory(
        slug="treaty", title="Treaty", start_date=D(1854, 6, 5), end_date=D(1866, 1, 1), end_precision="year"
    )
    InvolvementFactory(event=treaty, participant=story["carney"])
    english = page(client.get(treaty.get_absolute_url()))
    assert title_of(english) == "Treaty, 5 June 1854 \u2013 1866 \u00b7 Timeline"
    assert "Titles are those the sources show held at some point in the period 5 June 1854 \u2013 1866;" in english.text
    french = page(client.get("/fr" + treaty.get_absolute_url()))
    assert title_of(french).startswith("Treaty, du 5 juin 1854 à 1866 ")
    assert "à un moment ou un autre de la période du 5 juin 1854 à 1866 ;" in french.text


def test_event_page_links_to_the_previous_and_next_published_events(client, story):
    html = page(client.get(story["levy"].get_absolute_url()))
    assert html.find("a", rel="prev", href="/events/defence-review/")
    assert html.find("a", rel="next", href="/events/white-house-meeting/")
    last = page(client.get(story["meeting"].get_absolute_url()))
    assert not last.find("a", rel="next")  # the draft the day after is skipped


def test_events_on_the_same_day_have_a_stable_previous_and_next(client, story):
    other = EventFactory(slug="same-day", title="Same day", start_date=D(2025, 5, 6), importance=1)
    assert page(client.get(story["meeting"].get_absolute_url())).find("a", rel="next", href=other.get_absolute_url())
    assert page(client.get(other.get_absolute_url())).find("a", rel="prev", href=story["meeting"].get_absolute_url())


def test_participant_page_shows_roles_over_time_statements_in_date_order_and_events(client, story):
    carney = story["carney"]
    StatementFactory(event=story["levy"], speaker=carney, text="An earlier remark.", said_on=D(2025, 3, 12))
    text = page(client.get(carney.get_absolute_url())).text
    assert re.search(r"Governor of the Bank of England .*1 July 2013 – 15 March 2020.* Prime Minister of Canada", text)
    assert text.index("An earlier remark.") < text.index("not for sale")
    assert "A secret draft statement." not in text
    assert "White House meeting" in text and "with Mark Carney on the timeline" in text


def test_topic_page_lists_its_published_events(client, story):
    html = page(client.get(story["tariffs"].get_absolute_url()))
    assert "2 events" in html.text and "Steel levy" in html.text and "White House meeting" in html.text
    assert html.find("a", href="/?topic=tariffs")


def test_a_topic_s_pages_list_its_published_events_in_order_each_with_its_own_counts(client, monkeypatch):
    """Read page by page (each page's ids first, from the topic's keys), the pages together list the topic's
    published events once each, in the timeline's order (day, most important first, then as entered), with no
    draft and no other topic's event, and each card counts its own statements and sources."""
    monkeypatch.setattr("timeline.paging.PAGE_SIZE", 2)
    trade, other = TopicFactory(slug="trade", name="Trade"), TopicFactory()
    shapes = [  # (day, importance, statements, sources)
        (D(2025, 3, 4), 1, 0, 1),
        (D(2019, 1, 1), 2, 2, 0),
        (D(2025, 3, 4), 3, 1, 2),
        (D(2025, 3, 4), 1, 3, 0),
        (D(2021, 6, 1), 2, 0, 3),
        (D(1988, 1, 2), 1, 1, 1),
        (D(2026, 1, 1), 2, 2, 2),
    ]
    published = []
    for day, importance, statements, sources in shapes:
        event = EventFactory(
            topics=[trade], start_date=day, importance=importance, sources=SourceFactory.create_batch(sources)
        )
        StatementFactory.create_batch(statements, event=event)
        published.append((event, statements, sources))
    for day in (D(2019, 1, 1), D(2025, 3, 4)):
        StatementFactory(event=DraftEventFactory(topics=[trade], start_date=day, title=f"Draft of {day}"))
        EventFactory(topics=[other], start_date=day, title=f"Another topic's {day}")
    expected = sorted(published, key=lambda shown: (shown[0].start_date, -shown[0].importance, shown[0].pk))

    listed = []
    for number in range(1, 5):
        response = client.get(f"/topics/trade/?page={number}")
        html = page(response)
        assert "7 events" in html.text
        assert "Draft of" not in html.text and "Another topic's" not in html.text
        counts = [p["_text"] for p in elements(response.content, "p") if p.get("class") == "event-counts"]
        listed += zip((card["id"] for card in html.find("article")), counts, strict=True)
    assert [card_id for card_id, _ in listed] == [f"event-{event.slug}" for event, _, _ in expected]
    for (_, counts), (_, statements, sources) in zip(listed, expected, strict=True):
        said, cited = counts.split("·")
        assert said.split()[0] == str(statements) and cited.split()[0] == str(sources)


def test_source_index_lists_cited_sources_with_the_events_citing_them(client, story):
    text = page(client.get(reverse("source_list"))).text
    assert "Carney meets Trump , CBC News" in text or "Carney meets Trump, CBC News" in text
    assert "Cited by White House meeting" in text


# Sources: their kind, primary documents first; the index by publisher.


def test_event_page_lists_sources_primary_documents_first_with_their_kind(client):
    kinds = ["other", "news", "wire", "transcript", "primary"]
    sources = [SourceFactory(title=f"A {kind} page", kind=kind, published_on=D(2025, 1, 1)) for kind in kinds]
    event = EventFactory(sources=sources)
    StatementFactory(event=event, text="Quoted.", sources=sources)
    html = page(client.get(event.get_absolute_url()))
    listed = [html.text.index(f"A {kind} page") for kind in reversed(kinds)]
    assert listed == sorted(listed)  # on the event's list of sources, and in the quote's
    quote_sources = html.text[html.text.index("Quoted.") :]
    assert [quote_sources.index(f"A {kind} page") for kind in reversed(kinds)] == sorted(
        quote_sources.index(f"A {kind} page") for kind in kinds
    )
    labels = [html.text.count(label) for label in ["Primary document", "Transcript", "Wire service", "News report"]]
    assert labels == [1, 1, 1, 1]


def test_a_descriptive_title_is_not_shown_as_the_headline(client):
    headline = SourceFactory(title="Carney meets Trump", url="https://cbc.example/a")
    described = SourceFactory(title="Ford on the surcharge", title_is_descriptive=True, url="https://ctv.example/b")
    event = EventFactory(sources=[headline, described])
    StatementFactory(event=event, sources=[described])
    content = client.get(event.get_absolute_url()).content.decode()
    assert '<a href="https://cbc.example/a"><cite>Carney meets Trump</cite></a>' in content
    shown = '<a href="https://ctv.example/b"><span class="source-description">Ford on the surcharge</span></a>'
    note = '<span class="title-note">(our description: the headline was not available)</span>'
    assert content.count(f"{shown} {note}") == 2  # the event's sources and the quote's
    assert "<cite>Ford on the surcharge" not in content and "“Ford on the surcharge" not in content


def test_a_role_sourced_by_a_described_page_shows_the_description_as_such(client, story):
    source = SourceFactory(title="Carney sworn in", title_is_descriptive=True, url="https://wire.example/sworn")
    story["carney"].roles.filter(title="Prime Minister of Canada").update(source=source)
    content = client.get(story["carney"].get_absolute_url()).content.decode()
    assert (
        '(source: <a href="https://wire.example/sworn"><span class="source-description">Carney sworn in</span></a> '
        '<span class="title-note">(our description: the headline was not available)</span>)'
    ) in content


def test_source_index_groups_sources_by_publisher_whatever_the_case_each_once_with_its_count(client):
    for publisher, kind in [
        ("cbc News", "news"),
        ("CBC News", "primary"),
        ("agence", "wire"),
        ("Zeta", "news"),
        ("", "other"),
        ("Bravo", "news"),
    ]:
        EventFactory(sources=[SourceFactory(title=f"{publisher or 'Unknown'} {kind}", publisher=publisher, kind=kind)])
    html = page(client.get(reverse("source_list")))
    headings = [a["id"] for t, a in html.elements if t == "h2" and a.get("id", "").startswith("publisher-")]
    assert len(headings) == 5  # the two spellings of CBC News are one publisher
    text = html.text
    order = [text.index(f"{name} (") for name in ["agence", "Bravo", "CBC News", "Zeta", "Publisher not known"]]
    assert order == sorted(order)
    assert "CBC News (2 sources)" in text and "agence (1 source)" in text
    # Within a publisher, the primary document first.
    assert text.index("CBC News primary") < text.index("cbc News news")
    assert "6 sources (1 primary document, 1 wire service report, 3 news reports, 1 other source)" in text
    # Each source's kind, in the reader's language.
    kinds = ["Primary document", "Wire service", "News report", "Other"]
    content = client.get(reverse("source_list")).content.decode()
    assert [content.count(f'<span class="source-kind">{kind}</span>') for kind in kinds] == [1, 1, 3, 1]
    french = client.get("/fr/sources/").content.decode()
    assert french.count('<span class="source-kind">Agence de presse</span>') == 1


def test_source_index_pages_by_publisher_so_none_is_split(client, monkeypatch):
    monkeypatch.setattr("timeline.views.SOURCE_PAGE_SIZE", 2)
    for publisher in ["Alpha", "Alpha", "Alpha", "Beta", "Gamma"]:
        EventFactory(sources=[SourceFactory(publisher=publisher)])
    first, second = (page(client.get(reverse("source_list"), {"page": n})).text for n in (1, 2))
    assert "Alpha (3 sources)" in first and "Beta (1 source)" in first and "Gamma" not in first
    assert "Gamma (1 source)" in second and "Alpha" not in second


def test_source_index_puts_the_unnamed_publisher_after_the_last_named_whichever_page_that_is(client, monkeypatch):
    monkeypatch.setattr("timeline.views.SOURCE_PAGE_SIZE", 2)
    for publisher in ["Beta", "", "alpha"]:
        EventFactory(sources=[SourceFactory(publisher=publisher)])
    first, second = (page(client.get(reverse("source_list"), {"page": n})).text for n in (1, 2))
    assert first.index("alpha (1 source)") < first.index("Beta (1 source)")
    assert "Publisher not known" not in first
    assert "Publisher not known (1 source)" in second and "Beta" not in second
    assert "3 sources" in second  # the totals are the whole list's on every page
    monkeypatch.setattr("timeline.views.SOURCE_PAGE_SIZE", 3)
    alone = page(client.get(reverse("source_list"))).text
    assert alone.index("Beta (1 source)") < alone.index("Publisher not known (1 source)")


def test_source_index_lists_publishers_in_the_order_readers_expect_across_pages(client, monkeypatch):
    """Byte order put "Néomédia" after "Northeastnow" and every publisher starting with an accent ("Élections
    Canada") after "Zeta", on every page."""
    monkeypatch.setattr("timeline.views.SOURCE_PAGE_SIZE", 2)
    expected = ["Élections Canada", "Emploi Québec", "néomédia", "Newsmax", "Northeastnow", "Zeta"]
    for publisher in reversed(expected):
        EventFactory(sources=[SourceFactory(publisher=publisher)])
    for language in ["", "/fr"]:
        listed = []
        for number in (1, 2, 3):
            html = page(client.get(f"{language}/sources/", {"page": number}))
            headings = [
                i for i, (tag, a) in enumerate(html.elements) if tag == "h2" and "publisher-" in a.get("id", "")
            ]
            listed += [" ".join(html.texts[i].split()).split(" (")[0] for i in headings]
        assert listed == expected, language


def test_names_are_listed_in_the_order_readers_expect_in_either_language(client, names_to_order):
    """Byte order on SQLite: "Commerce, Diplomatie, Droits de douane, Défense, ..., Économie, Élections, Énergie"
    and "John" before "Joël". Each topic and participant has one event, so that the facets order them by name."""
    french, english, people = names_to_order
    for language, topics in [("/fr", french), ("", english)]:
        listed = [a.get("href", "") for a in elements(client.get(f"{language}/topics/").content, "a")]
        assert [href for href in listed if href.count("/") == 3 + bool(language) and "/topics/" in href] == [
            f"{language}/topics/{slug}/" for slug in topics
        ], language
        names = [a["_text"] for a in elements(client.get(f"{language}/participants/").content, "a")]
        assert [name for name in names if name in people] == people, language
        inputs = elements(client.get(f"{language}/").content, "input")
        assert [i["value"] for i in inputs if i.get("name") == "topic" and i["type"] == "checkbox"] == topics
        facet = [i["id"] for i in inputs if i.get("name") == "participant" and i["type"] == "checkbox"]
        assert facet == [f"participant-person-{len(people) - 1 - people.index(name)}" for name in people]


def test_event_types_and_countries_with_as_many_events_are_listed_by_name_in_either_language(client, db):
    """Ties were listed by code: in French "Nomination, Différend, Élection, Rencontre" and "Allemagne, Royaume-Uni,
    Mexique, États-Unis"; in English "Germany, United Kingdom, Mexico, United States"."""
    for event_type, country in [("meeting", "US"), ("appointment", "GB"), ("election", "MX"), ("dispute", "DE")]:
        event = EventFactory(event_type=event_type)
        InvolvementFactory(event=event, participant=ParticipantFactory(country=country))
    expected = {
        "/fr": (["dispute", "election", "appointment", "meeting"], ["DE", "US", "MX", "GB"]),
        "": (["appointment", "dispute", "election", "meeting"], ["DE", "MX", "GB", "US"]),
    }
    for language, (types, countries) in expected.items():
        inputs = elements(client.get(f"{language}/").content, "input")
        assert [i["value"] for i in inputs if i.get("name") == "type" and i["type"] == "checkbox"] == types, language
        listed = [i["value"] for i in inputs if i.get("name") == "country" and i["type"] == "checkbox"]
        assert listed == countries, language


def test_unknown_pages_are_not_found(client, story):
    for path in ["/events/nope/", "/participants/nope/", "/topics/nope/"]:
        assert client.get(path).status_code == 404


# A constant number of queries, however many events a page shows


def build_events(count: int):
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    RoleFactory(participant=carney, title="Prime Minister of Canada", start=D(2025, 3, 14))
    tariffs = TopicFactory(slug="tariffs", name="Tariffs")
    events = []
    for n in range(count):
        source = SourceFactory()
        event = EventFactory(
            topics=[tariffs, TopicFactory()], sources=[source], start_date=D(2025, 1, 1) + datetime.timedelta(days=n)
        )
        InvolvementFactory(event=event, participant=carney)
        InvolvementFactory(event=event, participant=ParticipantFactory())
        StatementFactory(event=event, speaker=carney, sources=[source])
        StatementFactory(event=event, sources=[SourceFactory()])
        events.append(event)
    return carney, tariffs, events


QUERY_COUNTS = [
    # path (the event's slug for {event}), queries, headers
    ("/", 13, {}),
    ("/?participant=mark-carney&topic=tariffs&q=event", 14, {}),
    ("/?q=event", 10, HTMX_RESULTS),
    ("/?country=CA", 11, {}),
    ("/?page=2", 13, {}),
    ("/?page=2", 6, {"HX-Request": "true", "HX-Target": "load-more"}),
    ("/?page=2&after=2025-01-01.day.2.0", 6, {"HX-Request": "true", "HX-Target": "load-more"}),
    ("/events/{event}/", 11, {}),
    ("/participants/mark-carney/", 8, {}),
    ("/topics/tariffs/", 7, {}),
    # The versions, the publishers' and kinds' totals, the page of publishers, their sources, the citing events.
    ("/sources/", 5, {}),
    ("/participants/", 3, {}),
    ("/topics/", 2, {}),
]


@pytest.mark.parametrize("language", ["", "/fr"])
@pytest.mark.parametrize("count", [2, 12])
@pytest.mark.parametrize("path, queries, headers", QUERY_COUNTS)
def test_query_counts_do_not_grow_with_the_number_of_events(
    client, django_assert_num_queries, monkeypatch, count, path, queries, headers, language
):
    """Guards against N+1 queries on every reader page: a card's topics, participants, top quote and counts; an
    event's participants with their roles, statements with their sources, corrections; a participant's roles and
    statements' sources; a source's citing events. Timeline: count, events, 3 prefetches, 5 facets, the overview's
    counts and its office holders (and one lookup each for participant slugs, topic slugs and countries given), on
    any page (its
    events and the one before it are one query); with filters, the facets whose own filter is not in force, the
    count and the overview's months are one query, and the participants and topics it ranks one more each, so
    that a search is 10 (its matches, events, 3 prefetches, that query, 2 namings, office holders, version) and a
    search with a participant and a topic 14 (those two facets counted on their own, no naming, 2 slug lookups,
    and the events of the participant and of the topic, 2, which the search's are intersected with for each set
    of filters counted): a search first reads the ids of the events it matches, which every other query of the
    page then reads instead of matching the text again;
    load more (from the last event's place or from a page number alike):
    count, events, 3 prefetches; participant index:
    count and page; source index: every publisher with its counts by kind (one aggregate), the sources of the
    page's publishers, the events citing those. Every page first reads the data version its caches are keyed
    by (one lookup). The same count in French (/fr/...) as in English: translated fields and their fallbacks
    cost no query."""
    monkeypatch.setattr("timeline.paging.PAGE_SIZE", 1)  # so that 2 events fill more than one page, as 12 do
    carney, tariffs, events = build_events(count)
    with django_assert_num_queries(queries):
        response = client.get(language + path.format(event=events[1].slug), headers=headers)
    assert response.status_code == 200


def test_a_statement_without_a_source_date_takes_its_events_date_on_the_participant_page(client, story):
    Statement.objects.filter(text__startswith="It's not").update(said_on=None)
    text = page(client.get(story["carney"].get_absolute_url())).text
    assert "Prime Minister Mark Carney, at White House meeting (6 May 2025)" in text


def test_a_participant_s_and_a_topic_s_totals_count_what_is_published_and_follow_edits(client):
    """The totals are the ones the database keeps: a draft does not count, and a publication counts at once."""
    speaker = ParticipantFactory(name="Mélanie Joly", slug="melanie-joly")
    trade = TopicFactory(name="Trade", slug="trade")
    for n in range(3):
        StatementFactory(speaker=speaker, event=EventFactory(topics=[trade], start_date=D(2025, 1, n + 1)))
    InvolvementFactory(participant=speaker, event=EventFactory(start_date=D(2025, 2, 1)))
    draft = DraftEventFactory(topics=[trade], title="Unannounced trip")
    InvolvementFactory(participant=speaker, event=draft)
    StatementFactory(speaker=speaker, event=draft, text="Not yet said in public.")

    def totals():
        participant = page(client.get("/participants/melanie-joly/")).text
        topic = page(client.get("/topics/trade/")).text
        return (
            re.search(r"Statements \((\d+)\)", participant).group(1),
            re.search(r"Events \((\d+)\)", participant).group(1),
            re.search(r"(\d+) events?", topic).group(1),
        )

    assert totals() == ("3", "1", "3")
    draft.status = Event.Status.PUBLISHED
    draft.save()
    assert totals() == ("4", "2", "4")
