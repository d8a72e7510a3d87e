"""The demo dataset held to account: it loads into an empty database, cites a source for every event and
statement, gives every quote to someone who held a role on the day, and keeps its dates and addresses honest."""

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

from timeline.dates import Precision, format_date, is_truncated, period_end
from timeline.management.commands.demo import DEMO_FIXTURES
from timeline.models import Event, Participant, Role, Source, Statement, normalize_url

SEED_REPORT = "carney-to-meet-trump-white-house-report"
MEETING = "carney-trump-white-house-meeting-2025-05-06"

# Statements whose speaker's roles the sources do not date for that day. A role known only "as of" a date is
# not stretched to other days, and a role with an unknown start is not stretched back: the date shows the
# speaker's title only where a source shows it. Each entry is checked to be such a case, and the list must be
# exact, so that a new statement without a role, or a role added later, is noticed here.
ROLE_NOT_DATED = {
    "ronald-reagan-1987-over-the-long-run-such-trade": "President only attested as of 2 January 1988",
    "jamieson-greer-2026-02-they-refuse-to-sell-us-wine": "Trade Representative only attested as of 6 March 2026",
    "doug-ford-2025-10-16-its-official-ontarios-new-advertising-campaign": "Premier only attested as of 10 March 2025",
    "chrystia-freeland-2020-06-30-on-behalf-of-the-government-of": "Deputy PM role has an end but no known start",
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
    tables_before_loading = demo
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


def test_every_statement_was_said_by_someone_holding_a_role_that_day(demo):
    wrong, not_dated = [], set()
    for statement in Statement.objects.select_related("speaker", "event").prefetch_related("speaker__roles"):
        speaker = statement.speaker
        assert speaker.roles.all(), f"{speaker} is quoted but has no role at all"
        first, last = statement_period(statement)
        if speaker.role_on(first) and speaker.role_on(last):
            continue
        if any(role.start is not None and role.start <= first for role in speaker.roles.all()):
            # A dated role reaches back to then, so a day outside all of them is a mistake, not a gap.
            wrong.append(f"{statement.slug}: {speaker} held no role on {format_date(first)}")
        else:
            not_dated.add(statement.slug)
    assert wrong == []
    assert not_dated == set(ROLE_NOT_DATED)


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


def test_sources_carry_their_normalized_url(demo):
    """loaddata bypasses Source.save(), so the fixtures must carry normalized_url themselves."""
    for source in Source.objects.all():
        assert source.normalized_url == (normalize_url(source.url) if source.url else None), source.slug


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
    assert roles_that_day["melanie-joly"] == ("attendee", "Minister of Foreign Affairs")
    assert roles_that_day["david-mcguinty"] == ("attendee", "Minister of Public Safety")
    assert roles_that_day["howard-lutnick"] == ("attendee", "United States Secretary of Commerce (41st)")
    assert roles_that_day["marco-rubio"] == ("attendee", "United States Secretary of State")
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
