"""The demo dataset held to account: it loads into an empty database, cites a source for every event and
statement, gives every quote to someone who held a role on the day, and keeps its dates and addresses honest."""

import csv
import datetime
import io
import json
import sys
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils.html import escape

from tests.fixture_record import ADDED_EVENTS, ADDED_STATEMENTS, DESCRIBED_PAGES, REPLACEMENTS
from timeline.dates import Precision, is_truncated, period_end
from timeline.management.commands.demo import DEMO_FIXTURES
from timeline.models import Event, Participant, Role, Source, Statement, domain_of, normalize_url

SEED_REPORT = "carney-to-meet-trump-white-house-report"
MEETING = "carney-trump-white-house-meeting-2025-05-06"

# Statements whose speaker held no role the sources date for that day. A role known only "as of" a date is not
# stretched to other days, and a role with an unknown start is not stretched back: the date shows the speaker's
# title only where a source shows it. Each entry is checked to be such a case, and the list must be exact, so
# that a new statement without a role, or a role added later, is noticed here.
ROLE_NOT_DATED = {
    "ronald-reagan-1987-over-the-long-run-such-trade": "President only attested as of 2 January 1988",
    "jamieson-greer-2026-02-they-refuse-to-sell-us-wine": "Trade Representative only attested as of 6 March 2026",
    "doug-ford-2025-10-16-its-official-ontarios-new-advertising-campaign": "Premier only attested as of 10 March 2025",
    "doug-ford-2025-03-04-as-the-exclusive-wholesaler-american-brands": "Premier only attested as of 10 March 2025",
    "doug-ford-2025-03-04-this-is-an-enormous-hit-to": "Premier only attested as of 10 March 2025",
    "doug-ford-2025-03-11-we-have-both-agreed-let-cooler": "Premier only attested as of 10 March 2025",
    "francois-legault-2025-04-03-ca-devient-plus-important-que-jamais": "Premier only attested as of 22 January 2025",
    "francois-legault-2025-04-03-il-faut-rester-sur-nos-gardes": "Premier only attested as of 22 January 2025",
    "chrystia-freeland-2020-06-30-on-behalf-of-the-government-of": "Deputy PM role has an end but no known start",
}
# Her Deputy PM role ends on 16 December 2024, its start unknown: the sources show it held that day, so her two
# quotes of that day carry its title (they were in ROLE_NOT_DATED before roles counted the day they end on).

# Statements made while the speaker held no office at all: no role may cover them.
NO_OFFICE_HELD = {
    "donald-trump-2024-11-25-on-january-20th-as-one-of": "president-elect, between his two terms",
    "donald-trump-2024-11-25-this-tariff-will-remain-in-effect": "president-elect, between his two terms",
    "donald-trump-2024-12-10-it-was-a-pleasure-to-have": "president-elect, between his two terms",
    "donald-trump-2024-12-10-i-look-forward-to-seeing-the": "president-elect, between his two terms",
    "donald-trump-2025-01-06-many-people-in-canada-love-being": "president-elect, between his two terms",
    "donald-trump-2025-01-07-economic-force": "president-elect, between his two terms",
}

# The seed report's quotes, character for character, with who said them.
SEED_QUOTES = [
    ("mark-carney", "I’m not pretending these discussions will be easy. They won’t proceed in a straight line"),
    (
        "donald-trump",
        "He’s coming to see me. I don’t know what he wants—but I guess he wants to make a deal. Everybody does",
    ),
    ("howard-lutnick", "socialist"),
    ("mark-carney", "never, ever"),
    ("donald-trump", "a nice gentleman"),
    ("donald-trump", "great relationship"),
]


def fixture_objects():
    return [
        obj
        for name in DEMO_FIXTURES
        for obj in json.loads((settings.BASE_DIR / "fixtures" / f"{name}.json").read_text(encoding="utf-8"))
    ]


def load_demo():
    call_command("loaddata", *DEMO_FIXTURES, verbosity=0)


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    """Loads the demo into the empty test database once for this module, inside a transaction that is rolled
    back after the module's last test; each test runs in a savepoint within it. Returns the tables as they
    were just before loading."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            before = snapshot()
            load_demo()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    yield before
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def demo(demo_once, db):
    return demo_once


def snapshot():
    """Every row of every timeline table, history and many-to-many tables included."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("timeline").get_models(include_auto_created=True)
    }


def test_fixtures_load_into_an_empty_database(demo):
    tables_before_loading = dict(demo)
    # The list of weak publishers is not demo data: a migration seeds it in every database.
    tables_before_loading.pop("timeline.WeakPublisher")
    assert tables_before_loading and all(rows == [] for rows in tables_before_loading.values())

    # Objects that share a natural key would be merged into one row: every object must have become a row.
    expected = Counter(obj["model"] for obj in fixture_objects())
    loaded = {label: apps.get_model(label).objects.count() for label in expected}
    assert loaded == dict(expected)
    assert expected["timeline.event"] >= 51 and expected["timeline.statement"] >= 76

    # All demo events are public, so the demo timeline shows the whole dataset.
    assert Event.objects.published().count() == Event.objects.count()
    assert not Event.objects.filter(published_at__isnull=True).exists()


def test_loading_twice_changes_nothing(demo):
    before = snapshot()
    load_demo()
    assert snapshot() == before


def test_every_event_and_statement_cites_a_source(demo):
    assert list(Event.objects.filter(sources=None).values_list("slug", flat=True)) == []
    assert list(Statement.objects.filter(sources=None).values_list("slug", flat=True)) == []


def test_every_object_passes_model_validation(demo):
    """full_clean(): dates at their precision, country codes, slugs, choices, lengths, URL fields."""
    errors = {}
    for label in ["topic", "source", "participant", "role", "event", "involvement", "statement"]:
        for obj in apps.get_model("timeline", label).objects.all():
            try:
                obj.full_clean()
            except ValidationError as error:
                errors[f"{label} {obj.pk} {obj}"] = error.message_dict
    assert errors == {}


def statement_period(statement):
    """The days a statement may have been said on: its date at its precision, or else its event's date."""
    if statement.said_on:
        return statement.said_on, period_end(statement.said_on, statement.said_precision)
    return statement.event.start_date, period_end(statement.event.start_date, statement.event.date_precision)


def may_cover(role, day) -> bool:
    """Whether `role` could have been held on `day` for all the sources show: its start is unknown (an "as of"
    role, or one known only by its end) and it did not end before that day."""
    return role.start is None and (role.end is None or day <= period_end(role.end, role.end_precision))


def test_every_statement_was_said_by_someone_holding_a_role_that_day(demo):
    not_dated, no_office = set(), set()
    for statement in Statement.objects.select_related("speaker", "event").prefetch_related("speaker__roles"):
        speaker = statement.speaker
        assert speaker.roles.all(), f"{speaker} is quoted but has no role at all"
        first, last = statement_period(statement)
        if speaker.role_on(first) and speaker.role_on(last):
            continue
        if any(may_cover(role, first) for role in speaker.roles.all()):
            not_dated.add(statement.slug)
        else:
            # Every role has known bounds that leave this day out: a mistake, unless the speaker held no office.
            no_office.add(statement.slug)
    assert not_dated == set(ROLE_NOT_DATED)
    assert no_office == set(NO_OFFICE_HELD)


def test_as_of_roles_hold_only_on_the_day_a_source_shows(demo):
    ford = Participant.objects.get(slug="doug-ford")
    (premier,) = ford.roles.all()
    assert premier.start is None and premier.end is None
    assert ford.role_on(premier.attested_on) == premier
    statement = Statement.objects.get(slug="doug-ford-2025-10-16-its-official-ontarios-new-advertising-campaign")
    assert ford.role_on(statement.said_on) is None


def test_every_speaker_takes_part_in_the_event_quoted(demo):
    strays = [
        statement.slug
        for statement in Statement.objects.select_related("event")
        if not statement.event.involvements.filter(participant=statement.speaker_id).exists()
    ]
    assert strays == []


def test_every_event_with_statements_has_one_key_quote(demo):
    for event in Event.objects.exclude(statements=None).prefetch_related("statements"):
        key_quotes = [s for s in event.statements.all() if s.importance == 3]
        assert len(key_quotes) == 1, event.slug


def test_speaker_labels_name_their_speaker(demo):
    for statement in Statement.objects.exclude(speaker_label="").select_related("speaker"):
        assert statement.speaker.name in statement.speaker_label, statement.slug


def test_source_urls_are_well_formed_http_urls(demo):
    validate = URLValidator(schemes=["http", "https"])
    for source in Source.objects.exclude(url=""):
        validate(source.url)
        parts = urlsplit(source.url)
        assert parts.scheme in {"http", "https"} and parts.netloc, source.url
        assert source.url == source.url.strip() and " " not in source.url, source.url
        if source.archive_url:
            validate(source.archive_url)
    # Only the report whose original publication was not found has no address.
    assert list(Source.objects.filter(url="").values_list("slug", flat=True)) == [SEED_REPORT]


def test_sources_carry_their_normalized_url_and_site(demo):
    """loaddata bypasses Source.save(), so the fixtures must carry normalized_url and domain themselves."""
    for source in Source.objects.all():
        assert source.normalized_url == (normalize_url(source.url) if source.url else None), source.slug
        assert source.domain == (domain_of(source.url) if source.url else ""), source.slug


def test_every_source_says_what_kind_of_source_it_is(demo):
    kinds = Counter(Source.objects.values_list("kind", flat=True))
    assert set(kinds) == set(Source.Kind.values)
    kind_of = dict(Source.objects.values_list("url", "kind"))
    assert kind_of["https://www.govinfo.gov/content/pkg/FR-2025-08-06/html/2025-14999.htm"] == "primary"
    assert kind_of["https://transcripts.cnn.com/show/ow/date/2025-05-06/segment/02"] == "transcript"
    assert kind_of["https://lethbridgeherald.com/?p=1125696"] == "wire"  # The Canadian Press, on a member's site
    assert kind_of["https://globalnews.ca/news/11477868/ontario-new-united-states-commercial-campaign/"] == "news"
    assert kind_of["https://en.wikipedia.org/wiki/Dominic_LeBlanc"] == "other"
    # A copy of a news agency's report is filed as the agency's, whoever prints it.
    for source in Source.objects.filter(publisher__regex=r"\((The Canadian Press|Associated Press|Reuters|AFP)\)"):
        assert source.kind == "wire", source.publisher


def test_titles_that_only_describe_the_page_are_flagged_not_marked(demo):
    assert not Source.objects.filter(title__icontains="descriptive title").exists()
    flagged = set(Source.objects.filter(title_is_descriptive=True).values_list("url", flat=True))
    assert set(DESCRIBED_PAGES) <= flagged
    # The rest are pages known only by their address.
    for source in Source.objects.filter(title_is_descriptive=True).exclude(url__in=DESCRIBED_PAGES):
        assert source.title in source.url or source.publisher == "Business Insider Australia", source.title


def test_an_editor_citing_a_demo_url_again_is_sent_to_the_existing_source(demo):
    cited = Source.objects.get(url="https://www.cbc.ca/news/politics/carney-trump-first-meeting-washington-1.7527102")
    again = Source(slug="again", title="Same page", url=cited.url + "?utm_source=newsletter#top")
    with pytest.raises(ValidationError, match=cited.slug):
        again.full_clean()


def test_no_two_events_share_a_slug_or_a_date_and_title():
    # Checked in the files: loading would quietly merge two events with one slug into a single row.
    events = [obj["fields"] for obj in fixture_objects() if obj["model"] == "timeline.event"]
    slugs = Counter(event["slug"] for event in events)
    assert [slug for slug, n in slugs.items() if n > 1] == []
    dated_titles = Counter((event["start_date"], event["title"]) for event in events)
    assert [key for key, n in dated_titles.items() if n > 1] == []


DATED_FIELDS = [
    (Event, "start_date", "date_precision"),
    (Event, "end_date", "end_precision"),
    (Statement, "said_on", "said_precision"),
    (Role, "start", "start_precision"),
    (Role, "end", "end_precision"),
    (Role, "attested_on", "attested_precision"),
    (Source, "published_on", "published_precision"),
]


def test_dates_respect_their_precision(demo):
    """A date known to the month is stored as the 1st, one known to the year as 1 January."""
    wrong = []
    for model, field, precision_field in DATED_FIELDS:
        for obj in model.objects.exclude(**{f"{field}__isnull": True}):
            value, precision = getattr(obj, field), getattr(obj, precision_field)
            if precision not in Precision.values or not is_truncated(value, precision):
                wrong.append(f"{model.__name__} {obj.pk} {field}={value} at {precision}")
    assert wrong == []
    # The dataset does use coarse precisions, so the rule above is exercised.
    assert Statement.objects.filter(said_precision=Precision.YEAR).exists()
    assert Statement.objects.filter(said_precision=Precision.MONTH).exists()
    assert Role.objects.filter(start_precision=Precision.YEAR).exists()
    assert Event.objects.filter(end_precision=Precision.YEAR).exists()


def test_the_seed_story_is_complete(demo):
    meeting = Event.objects.published().get(slug=MEETING)
    assert meeting.start_date.isoformat() == "2025-05-06"
    assert meeting.sources.filter(slug=SEED_REPORT).exists()

    # Each minister and official the report names takes part, with the title they held that day.
    roles_that_day = {}
    for involvement in meeting.involvements.select_related("participant").prefetch_related("participant__roles"):
        role = involvement.participant.role_on(meeting.start_date)
        roles_that_day[involvement.participant.slug] = (involvement.part, role.title if role else None)
    assert roles_that_day["mark-carney"] == ("guest", "Prime Minister of Canada")
    assert roles_that_day["donald-trump"] == ("host", "President of the United States (47th)")
    leblanc = ("attendee", "Minister of International Trade and Intergovernmental Affairs")  # "Trade Minister"
    assert roles_that_day["dominic-leblanc"] == leblanc
    # Her full title from 14 March 2025; the report's "Foreign Affairs Minister" is its short form.
    joly = ("attendee", "Minister of Foreign Affairs and International Development")
    assert roles_that_day["melanie-joly"] == joly
    assert roles_that_day["david-mcguinty"] == ("attendee", "Minister of Public Safety")
    assert roles_that_day["howard-lutnick"] == ("attendee", "United States Secretary of Commerce")
    assert roles_that_day["marco-rubio"] == ("attendee", "United States Secretary of State")
    assert roles_that_day["jd-vance"] == ("attendee", "Vice President of the United States")
    assert roles_that_day["candace-laing"] == ("subject", "President and CEO, Canadian Chamber of Commerce")

    # Each quote in it, verbatim, from the right speaker, citing the report.
    for speaker, text in SEED_QUOTES:
        statement = Statement.objects.published().get(text=text, sources__slug=SEED_REPORT)
        assert statement.speaker.slug == speaker
    assert Statement.objects.filter(sources__slug=SEED_REPORT).count() == len(SEED_QUOTES)
    # The report dates Trump's remark to "Monday", 5 May, the day before the meeting, and names him as it does.
    monday = Statement.objects.get(text__startswith="He’s coming to see me.", sources__slug=SEED_REPORT)
    assert monday.said_on.isoformat() == "2025-05-05"
    assert monday.speaker_label == "U.S. President Donald Trump"


# The fuller record: the events, quotes and participants it added, the sources it retired, the corrections it made.


def given_date(value: str) -> tuple[datetime.date, str]:
    """A date as the facts give it ("2025", "2025-01" or "2025-01-22"): its first day and its precision."""
    parts = [int(part) for part in value.split("-")]
    precision = [Precision.YEAR, Precision.MONTH, Precision.DAY][len(parts) - 1]
    return datetime.date(*parts, *[1] * (3 - len(parts))), precision


def test_the_added_events_are_published_with_their_dates_and_sources(demo):
    for slug, start, end, urls in ADDED_EVENTS:
        event = Event.objects.published().get(slug=slug)
        assert (event.start_date, event.date_precision) == given_date(start), slug
        assert event.end_date == (given_date(end)[0] if end else None), slug
        assert sorted(event.sources.values_list("url", flat=True)) == sorted(urls), slug
    assert Event.objects.count() == 51 + len(ADDED_EVENTS) == 73


def test_the_added_quotes_are_verbatim_with_speaker_date_language_and_source(demo):
    added_events = {slug for slug, *_ in ADDED_EVENTS}
    for speaker, said, language, _title, url, text in ADDED_STATEMENTS:
        statement = Statement.objects.published().get(text=text)
        assert statement.speaker.slug == speaker, text
        assert (statement.said_on, statement.said_precision) == given_date(said), text
        assert statement.language == language, text
        assert statement.kind == Statement.Kind.QUOTE, text
        assert list(statement.sources.values_list("url", flat=True)) == [url], text
        assert statement.event.slug in added_events, text
    assert Statement.objects.count() == 76 + len(ADDED_STATEMENTS) == 126
    # Ten of them were spoken in French, and only they are marked so.
    french = {text for _, _, language, _, _, text in ADDED_STATEMENTS if language == "fr"}
    assert set(Statement.objects.filter(language="fr").values_list("text", flat=True)) == french
    assert len(french) == 10


def test_each_added_quote_shows_the_title_its_speaker_held_that_day(demo):
    """The role each quote implies: the title the page shows beside it, from the speaker's dated roles."""
    for _speaker, _said, _language, title, _url, text in ADDED_STATEMENTS:
        statement = Statement.objects.select_related("speaker", "event").get(text=text)
        first, last = statement_period(statement)
        held = [statement.speaker.role_on(day) for day in (first, last)]
        assert [role.title if role else None for role in held] == [title, title], text
        if title is None:
            assert statement.slug in ROLE_NOT_DATED | NO_OFFICE_HELD, text


def test_the_added_participants_are_there_with_their_roles(demo):
    added = {
        "claudia-sheinbaum": ("Claudia Sheinbaum", "person", "MX", ["President of Mexico"]),
        "king-charles-iii": ("Charles III", "person", "", ["King of Canada"]),
        "steven-mackinnon": (
            "Steven MacKinnon",
            "person",
            "CA",
            [
                "Labour Minister (as styled by The Canadian Press)",
                "Government House Leader",
                "Minister of Transport (added to House leader role)",
            ],
        ),
        "joel-lightbound": (
            "Joël Lightbound",
            "person",
            "CA",
            ["Procurement Minister (as styled by The Canadian Press)"],
        ),
        "francois-legault": ("François Legault", "person", "CA", ["Premier of Quebec (premier ministre du Québec)"]),
        "government-of-quebec": ("Government of Quebec", "government", "CA", []),
        "statistics-canada": ("Statistics Canada", "government", "CA", []),
    }
    for slug, (name, kind, country, titles) in added.items():
        participant = Participant.objects.get(slug=slug)
        assert (participant.name, participant.kind, participant.country) == (name, kind, country)
        assert [role.title for role in participant.roles.order_by("pk")] == titles
    assert Participant.objects.count() == 46 + len(added)


def test_replacements_are_applied_by_status(demo):
    """found: the reputable page is cited and the old one never again; redundant: the old one dropped; partial:
    the reputable page cited beside the old one (or, for a role, named in its note); not_found and not_searched:
    the old page kept until a reputable one is found."""
    cited = {
        normalize_url(url)
        for url in Source.objects.filter(
            Q(events__isnull=False) | Q(statements__isnull=False) | Q(roles__isnull=False)
        ).values_list("url", flat=True)
    }
    stored = {normalize_url(url) for url in Source.objects.values_list("url", flat=True)}
    notes = " ".join(Role.objects.values_list("note", flat=True))
    still_cited, not_cited = [], []
    for status, old, new in REPLACEMENTS:
        if status in ("found", "redundant"):
            if normalize_url(old) in stored:
                still_cited.append(old)
        else:
            if normalize_url(old) not in cited:
                not_cited.append(old)
        if status == "found" and normalize_url(new) not in cited:
            not_cited.append(new)
        if status == "partial" and normalize_url(new) not in cited and new not in notes:
            not_cited.append(new)
    assert still_cited == []
    assert not_cited == []
    assert Counter(status for status, *_ in REPLACEMENTS) == {
        "found": 26,
        "redundant": 19,
        "partial": 13,
        "not_found": 11,
        "not_searched": 12,
    }


def test_every_source_is_cited_by_an_event_a_statement_or_a_role(demo):
    orphans = Source.objects.filter(events=None, statements=None, roles=None)
    assert list(orphans.values_list("url", flat=True)) == []


def test_the_corrections_the_record_settles(demo):
    day = datetime.date
    # Ontario unveiled the Reagan ad on Tuesday 14 October 2025; Global News prints "every American worker".
    ad = Event.objects.get(slug="ontario-reagan-anti-tariff-ad-launch-2025-10-16")
    assert (ad.start_date, ad.date_precision) == (day(2025, 10, 14), Precision.DAY)
    reagan = Statement.objects.get(slug="ronald-reagan-1987-over-the-long-run-such-trade")
    assert reagan.text == "over the long run, such trade barriers hurt every American worker and consumer."
    global_news = "https://globalnews.ca/news/11477868/ontario-new-united-states-commercial-campaign/"
    assert list(reagan.sources.values_list("url", flat=True)) == [global_news]
    assert ad.sources.filter(url=global_news).exists()

    # Freeland left cabinet on 16 September 2025; her foreign affairs years are dated, no longer "as of" 2018.
    freeland = Participant.objects.get(slug="chrystia-freeland")
    transport = freeland.roles.get(title="Minister of Transport and Internal Trade")
    assert (transport.start, transport.end) == (day(2025, 3, 14), day(2025, 9, 16))
    assert freeland.role_on(day(2025, 9, 16)) == transport and freeland.role_on(day(2025, 9, 17)) is None
    foreign = freeland.roles.get(title="Minister of Foreign Affairs")
    assert (foreign.start, foreign.end, foreign.end_precision) == (day(2017, 1, 10), day(2019, 11, 1), "month")

    # Joly: foreign affairs from 26 October 2021, with international development from 14 March 2025.
    joly = Participant.objects.get(slug="melanie-joly")
    assert joly.role_on(day(2021, 10, 26)).title == "Minister of Foreign Affairs"
    assert joly.role_on(day(2021, 10, 25)) is None
    assert joly.role_on(day(2025, 3, 13)).title == "Minister of Foreign Affairs"
    assert joly.role_on(day(2025, 3, 14)).title == "Minister of Foreign Affairs and International Development"
    assert joly.role_on(day(2025, 5, 13)).title == "Minister of Industry"

    # Dated to the day where the sources now give it.
    trump = Participant.objects.get(slug="donald-trump").roles.get(title="President of the United States (45th)")
    assert (trump.start, trump.start_precision) == (day(2017, 1, 20), Precision.DAY)
    lutnick = Participant.objects.get(slug="howard-lutnick")
    assert [(r.title, r.start) for r in lutnick.roles.all()] == [
        ("United States Secretary of Commerce", day(2025, 2, 21))
    ]
    rubio = Participant.objects.get(slug="marco-rubio")
    assert [(r.title, r.start) for r in rubio.roles.all()] == [("United States Secretary of State", day(2025, 1, 20))]
    # Two "as of" dates of one title are two roles (a natural key of title and start alone would merge them).
    vance = Participant.objects.get(slug="jd-vance").roles.order_by("attested_on")
    assert [r.attested_on for r in vance] == [day(2025, 2, 21), day(2025, 5, 6)]

    # Quotes as the reputable page prints them, and the dates it settles.
    insulting = Statement.objects.get(slug="justin-trudeau-2018-05-31-the-idea-that-we-are-somehow")
    assert insulting.text.endswith("quite frankly insulting and unacceptable.")
    assert (insulting.said_on, insulting.said_precision) == (day(2018, 6, 3), Precision.DAY)
    best_deal = Statement.objects.get(slug="mark-carney-2025-08-22-canada-currently-has-the-best-trade")
    assert best_deal.text == "Canada currently has the best trade deal with the United States."
    kenney = Statement.objects.get(slug="jason-kenney-2021-06-09-we-remain-disappointed-and-frustrated-with")
    assert "the pipeline’s border crossing," in kenney.text
    disappointed = Statement.objects.get(slug="mark-carney-2025-08-01-while-the-canadian-government-is-disappointed")
    assert disappointed.said_on == day(2025, 8, 1) and "Friday" in disappointed.context
    # The 2018 countermeasures list, settled at C$16.6 billion.
    assert "C$16.6" in Event.objects.get(slug="canada-retaliatory-tariffs-2018-07-01").summary


FRENCH_SPEAKERS = {"melanie-joly": 4, "francois-legault": 3, "dominic-leblanc": 2, "justin-trudeau": 1}


def test_french_quotes_are_found_by_speaker_and_language(demo, client):
    """Through the API, the statements download and the speaker's own page, as a reader would look for them."""
    assert client.get("/api/statements", {"language": "fr"}).json()["count"] == sum(FRENCH_SPEAKERS.values())
    for speaker, count in FRENCH_SPEAKERS.items():
        french = sorted(
            text for who, _, language, _, _, text in ADDED_STATEMENTS if who == speaker and language == "fr"
        )
        assert len(french) == count

        api = client.get("/api/statements", {"speaker": speaker, "language": "fr"}).json()
        assert sorted(row["text"] for row in api["results"]) == french
        assert {(row["speaker"]["slug"], row["language"]) for row in api["results"]} == {(speaker, "fr")}
        english = client.get("/api/statements", {"speaker": speaker, "language": "en"}).json()
        assert english["count"] == Statement.objects.filter(speaker__slug=speaker, language="en").count()
        assert not set(french) & {row["text"] for row in english["results"]}

        response = client.get("/export/statements.csv", {"speaker": speaker, "language": "fr"})
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
        assert sorted(row["text"] for row in rows) == french
        assert {(row["speaker"], row["language"]) for row in rows} == {(speaker, "fr")}

        page = client.get(f"/participants/{speaker}/").text
        for text in french:
            assert f'<blockquote lang="fr"><p>{escape(text)}</p></blockquote>' in page, text
