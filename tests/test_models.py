import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, ProtectedError

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    ParticipantFactory,
    RoleFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from timeline.models import Event, Participant, Role, Source, Statement, WeakPublisher, domain_of, normalize_url

D = datetime.date
pytestmark = pytest.mark.django_db


# Database constraints: bad rows are refused by the database itself, not only by forms.


def test_event_end_before_start_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(start_date=D(2025, 5, 6), end_date=D(2025, 5, 5))


@pytest.mark.parametrize("importance", [0, 4])
def test_event_importance_outside_1_to_3_is_refused(importance):
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(importance=importance)


def test_role_end_before_start_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleFactory(start=D(2025, 3, 14), end=D(2025, 3, 1))


def test_role_without_any_date_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleFactory(start=None)


def test_event_slug_is_unique():
    EventFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(slug="same")


def test_source_url_is_unique_after_normalisation():
    SourceFactory(url="https://www.cbc.ca/news/story/?utm_source=rss")
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceFactory(url="HTTPS://WWW.CBC.CA/news/story#top")


def test_sources_without_url_may_be_many():
    SourceFactory(url="")
    SourceFactory(url="")
    assert Source.objects.filter(normalized_url__isnull=True).count() == 2


def test_duplicate_source_url_names_the_existing_source():
    existing = SourceFactory(url="https://www.cbc.ca/news/story", title="Carney meets Trump")
    duplicate = Source(slug="other", title="Copy", url="https://www.cbc.ca/news/story/")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert existing.slug in str(error.value) and "Carney meets Trump" in str(error.value)


def test_deleting_a_participant_with_statements_is_refused():
    statement = StatementFactory()
    with pytest.raises(ProtectedError):
        statement.speaker.delete()
    assert Participant.objects.filter(pk=statement.speaker.pk).exists()


def test_deleting_a_participant_without_statements_deletes_their_roles():
    role = RoleFactory()
    role.participant.delete()
    assert not Role.objects.exists()


def test_statement_with_empty_text_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementFactory(text="")


# Validation that names the field and says how to fix it.


def test_end_date_error_names_the_start_date():
    event = EventFactory.build(start_date=D(2025, 5, 6), end_date=D(2025, 5, 1))
    with pytest.raises(ValidationError) as error:
        event.full_clean(exclude=["slug"])
    assert error.value.message_dict["end_date"] == ["End date must be on or after the start date (6 May 2025)."]


def test_month_precision_date_must_be_first_of_month():
    event = EventFactory.build(start_date=D(2025, 5, 6), date_precision="month")
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "start_date" in error.value.message_dict


@pytest.mark.parametrize("value", ["42", "q42", "Q0", "Q12a"])
def test_wikidata_id_must_be_a_q_number(value):
    participant = ParticipantFactory.build(wikidata_id=value)
    with pytest.raises(ValidationError) as error:
        participant.full_clean()
    assert "wikidata_id" in error.value.message_dict


def test_valid_wikidata_id_and_country_pass():
    ParticipantFactory.build(wikidata_id="Q42", country="US").full_clean()


@pytest.mark.parametrize("value", ["ca", "CAN", "C1"])
def test_country_must_be_iso_alpha_2(value):
    with pytest.raises(ValidationError):
        ParticipantFactory.build(country=value).full_clean()


# Dates shown with their precision.


@pytest.mark.parametrize(
    ("start", "precision", "end", "end_precision", "approximate", "expected"),
    [
        (D(2025, 5, 6), "day", None, "day", False, "6 May 2025"),
        (D(2025, 5, 1), "month", None, "day", False, "May 2025"),
        (D(2025, 1, 1), "year", None, "day", False, "2025"),
        (D(2019, 1, 1), "year", None, "day", True, "c. 2019"),
        (D(2025, 6, 16), "day", D(2025, 6, 17), "day", False, "16–17 June 2025"),
    ],
)
def test_event_date_display(start, precision, end, end_precision, approximate, expected):
    event = EventFactory.build(
        start_date=start, date_precision=precision, end_date=end, end_precision=end_precision, approximate=approximate
    )
    assert event.date_display == expected


def test_statement_without_date_shows_its_events_date():
    statement = StatementFactory(said_on=None, event=EventFactory(start_date=D(2025, 5, 6)))
    assert statement.date == D(2025, 5, 6)
    assert statement.date_display == "6 May 2025"


# Roles over time.


def test_role_on_a_date():
    carney = ParticipantFactory(slug="mark-carney")
    governor = RoleFactory(
        participant=carney, title="Governor of the Bank of England", start=D(2013, 7, 1), end=D(2020, 3, 15)
    )
    pm = RoleFactory(participant=carney, title="Prime Minister of Canada", start=D(2025, 3, 14), end=None)
    assert carney.role_on(D(2025, 5, 6)) == pm
    assert carney.role_on(D(2015, 1, 1)) == governor
    assert carney.role_on(D(2022, 1, 1)) is None
    assert carney.role_on(D(2020, 3, 15)) == governor


def test_role_on_a_day_two_roles_began_is_the_one_entered_first_whatever_the_database_order():
    """Two titles taken the same day (a portfolio and an honorific): the one entered first is the main one.
    The database may return tied rows in any order (PostgreSQL and SQLite differ), so role_on must not."""
    leblanc = ParticipantFactory(slug="dominic-leblanc")
    trade = RoleFactory(participant=leblanc, title="Minister of International Trade", start=D(2025, 3, 14))
    RoleFactory(participant=leblanc, title="President of the King's Privy Council", start=D(2025, 3, 14))
    for order in ["pk", "-pk"]:
        fetched = Participant.objects.prefetch_related(Prefetch("roles", queryset=Role.objects.order_by(order)))
        assert fetched.get(pk=leblanc.pk).role_on(D(2025, 5, 6)) == trade


def test_role_with_year_precision_end_covers_the_whole_year():
    role = RoleFactory(start=D(1984, 1, 1), start_precision="year", end=D(1993, 1, 1), end_precision="year")
    assert role.held_on(D(1993, 11, 30))
    assert not role.held_on(D(1994, 1, 1))


def test_role_known_only_on_a_date_is_not_extended_beyond_it():
    role = RoleFactory(start=None, attested_on=D(2025, 3, 10))
    assert role.held_on(D(2025, 3, 10))
    assert not role.held_on(D(2025, 10, 16))


# Visibility.


def test_published_excludes_drafts_and_their_statements():
    published = EventFactory()
    draft = DraftEventFactory()
    StatementFactory(event=published)
    StatementFactory(event=draft)
    assert list(Event.objects.published()) == [published]
    assert [s.event for s in Statement.objects.published()] == [published]


def test_new_events_start_as_drafts():
    event = Event.objects.create(title="t", slug="t", summary="s", start_date=D(2025, 1, 1))
    assert event.status == Event.Status.DRAFT
    assert event.published_at is None


def test_publishing_stamps_published_at_and_saving_bumps_version():
    event = DraftEventFactory()
    assert event.version == 1
    event.status = Event.Status.PUBLISHED
    event.save()
    assert event.published_at is not None
    assert event.version == 2


def test_between_includes_ranges_overlapping_the_window():
    g7 = EventFactory(start_date=D(2025, 6, 16), end_date=D(2025, 6, 17))
    EventFactory(start_date=D(2025, 5, 6))
    assert list(Event.objects.between(D(2025, 6, 17), D(2025, 6, 30))) == [g7]


# Natural keys: fixtures name rows by slug and survive a dump and reload.


def test_natural_keys_round_trip_through_dumpdata_and_loaddata(tmp_path):
    speaker = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    RoleFactory(participant=speaker, title="Prime Minister of Canada", start=D(2025, 3, 14))
    source = SourceFactory(slug="cbc-story")
    event = EventFactory(slug="meeting", topics=[TopicFactory(slug="trade")], sources=[source])
    event.involvements.create(participant=speaker, part="guest")
    StatementFactory(speaker=speaker, event=event, sources=[source], text="Canada is not for sale.")

    out = io.StringIO()
    call_command("dumpdata", "timeline", natural_foreign=True, natural_primary=True, stdout=out)
    dumped = json.loads(out.getvalue())
    assert all(
        "pk" not in row for row in dumped if not row["model"].startswith(("timeline.historical", "timeline.correction"))
    )
    path = tmp_path / "dump.json"
    path.write_text(out.getvalue())

    Statement.objects.all().delete()
    Event.objects.all().delete()
    Role.objects.all().delete()
    Participant.objects.all().delete()
    Source.objects.all().delete()
    call_command("loaddata", str(path), verbosity=0)

    statement = Statement.objects.get()
    assert statement.speaker.slug == "mark-carney"
    assert statement.event.slug == "meeting"
    assert [s.slug for s in statement.sources.all()] == ["cbc-story"]
    assert statement.speaker.role_on(D(2025, 5, 6)).title == "Prime Minister of Canada"
    assert list(Event.objects.get().topics.values_list("slug", flat=True)) == ["trade"]


def test_a_title_attested_on_two_days_stays_two_roles_through_dumpdata_and_loaddata(tmp_path):
    """Both "as of" roles have no start: a natural key of participant, title and start alone made loaddata write
    the second over the first."""
    vance = ParticipantFactory(slug="jd-vance")
    for day in (D(2025, 2, 21), D(2025, 5, 6)):
        RoleFactory(participant=vance, title="Vice President of the United States", start=None, attested_on=day)
    out = io.StringIO()
    call_command(
        "dumpdata", "timeline.participant", "timeline.role", natural_foreign=True, natural_primary=True, stdout=out
    )
    path = tmp_path / "roles.json"
    path.write_text(out.getvalue())

    Role.objects.all().delete()
    call_command("loaddata", str(path), verbosity=0)
    call_command("loaddata", str(path), verbosity=0)  # and loading again changes nothing
    attested = sorted(Role.objects.values_list("attested_on", flat=True))
    assert attested == [D(2025, 2, 21), D(2025, 5, 6)]


# Sources: their kind, their site, and the editors' list of weak publishers.


@pytest.mark.parametrize(
    "url, site",
    [
        ("https://www.rebelnews.com/some_story", "rebelnews.com"),
        ("HTTP://News.CMPTV.ca:8080/blog/", "news.cmptv.ca"),
        ("rebelnews.com", "rebelnews.com"),
        ("www.rebelnews.com/a/b", "rebelnews.com"),
    ],
)
def test_domain_of_is_the_site_as_editors_name_it(url, site):
    assert domain_of(url) == site


def test_a_source_keeps_its_site_with_it():
    source = SourceFactory(url="https://www.CBC.ca/news/politics/story")
    assert source.domain == "cbc.ca"
    source.url = ""
    source.save()
    assert source.domain == ""


def test_a_weak_publisher_is_entered_as_a_site_even_when_a_page_address_is_pasted():
    weak = WeakPublisher(domain=" https://www.Weak-Daily.example/a_story ", name="Weak Daily")
    weak.full_clean()
    weak.save()
    assert weak.domain == "weak-daily.example" and str(weak) == "Weak Daily (weak-daily.example)"
    with pytest.raises(ValidationError, match="already exists"):
        WeakPublisher(domain="weak-daily.example").full_clean()
    with pytest.raises(ValidationError, match="site"):
        WeakPublisher(domain="not a site").full_clean()


def test_sources_in_reading_order_put_the_record_first():
    kinds = ["other", "news", "wire", "transcript", "primary"]
    for kind in kinds:
        SourceFactory(slug=kind, kind=kind)
    assert list(Source.objects.in_reading_order().values_list("slug", flat=True)) == kinds[::-1]


def test_sources_from_weak_publishers_include_subdomains_but_not_lookalikes():
    WeakPublisher.objects.create(domain="weak.example")
    on_it = SourceFactory(url="https://weak.example/story")
    subdomain = SourceFactory(url="https://news.weak.example/story")
    SourceFactory(url="https://notweak.example/story")
    SourceFactory(url="https://weak.example.org/story")
    weak = Source.objects.filter(url__contains="weak.example").from_weak_publishers()
    assert set(weak) == {on_it, subdomain}
    named = Source.objects.with_weak_publisher().get(pk=subdomain.pk)
    assert named.weak_publisher == "weak.example"


def test_events_and_statements_are_flagged_only_when_every_source_is_weak():
    WeakPublisher.objects.create(domain="weak.example", name="Weak Daily")
    weak, other = SourceFactory(url="https://weak.example/a"), SourceFactory()
    only_weak = EventFactory(sources=[weak])
    mixed = EventFactory(sources=[weak, other])
    unsourced = EventFactory(sources=[])
    flags = dict(Event.objects.with_only_weak_sources().values_list("pk", "only_weak_sources"))
    assert (flags[only_weak.pk], flags[mixed.pk], flags[unsourced.pk]) == (True, False, False)
    quote = StatementFactory(event=mixed, sources=[weak])
    other_quote = StatementFactory(event=mixed, sources=[other])
    flags = dict(Statement.objects.with_only_weak_sources().values_list("pk", "only_weak_sources"))
    assert (flags[quote.pk], flags[other_quote.pk]) == (True, False)


@pytest.mark.parametrize(
    "copy",
    [
        "http://www.cbc.ca/news/story",
        "https://cbc.ca/news/story/",
        "HTTPS://WWW.CBC.CA/news/story#top",
        "https://www.cbc.ca:443/news/story?utm_source=rss&utm_medium=feed",
        "https://www.cbc.ca/news/story?fbclid=abc&gclid=def",
        "www.cbc.ca/news/story",
    ],
)
def test_every_copy_of_an_address_normalises_to_one_form(copy):
    assert normalize_url(copy) == "cbc.ca/news/story"


def test_what_names_another_page_survives_normalisation():
    assert normalize_url("https://cbc.ca/news/story?id=2&utm_source=x") == "cbc.ca/news/story?id=2"
    assert normalize_url("https://cbc.ca/News/Story") != normalize_url("https://cbc.ca/news/story")  # paths have case
    assert normalize_url("https://cbc.ca:8443/x") == "cbc.ca:8443/x"
    assert normalize_url("ftp://example.org/file/") == "ftp://example.org/file"


def test_an_http_copy_of_a_cited_page_is_not_a_second_source():
    SourceFactory(url="https://www.cbc.ca/news/story")
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceFactory(url="http://cbc.ca/news/story/")


# A participant's role on an event: any role the sources show held at some point of the event's period.


def role_on_event(event, participant):
    role = event.role_of(participant)
    return (role.title, role.note_during(*event.period)) if role else None


def test_a_role_begun_before_the_event_and_still_held_is_shown_without_a_note():
    person = ParticipantFactory()
    RoleFactory(participant=person, title="Prime Minister", start=D(2025, 3, 14))
    event = EventFactory(start_date=D(2025, 5, 6))
    assert role_on_event(event, person) == ("Prime Minister", "")


def test_a_role_known_only_as_of_a_day_in_the_events_month_is_shown_as_such():
    person = ParticipantFactory()
    RoleFactory(participant=person, title="Premier of Ontario", start=None, attested_on=D(2025, 5, 20))
    month = EventFactory(start_date=D(2025, 5, 1), date_precision="month")
    assert role_on_event(month, person) == ("Premier of Ontario", "as of 20 May 2025")
    day = EventFactory(start_date=D(2025, 5, 6))  # the source shows it on the 20th, not the 6th
    assert role_on_event(day, person) is None


def test_a_role_that_ends_on_the_events_day_with_no_known_start_is_shown():
    person = ParticipantFactory()
    RoleFactory(participant=person, title="Minister of Finance", start=None, end=D(2024, 12, 16))
    assert role_on_event(EventFactory(start_date=D(2024, 12, 16)), person) == (
        "Minister of Finance",
        "until 16 December 2024",
    )
    assert role_on_event(EventFactory(start_date=D(2024, 12, 17)), person) is None
    assert role_on_event(EventFactory(start_date=D(2024, 11, 1)), person) is None  # its start is not guessed


def test_a_role_begun_during_a_month_event_is_shown_from_its_day_and_wins_over_the_one_it_follows():
    person = ParticipantFactory()
    RoleFactory(participant=person, title="Governor", start=D(2020, 1, 1), end=D(2025, 3, 13))
    RoleFactory(participant=person, title="Prime Minister", start=D(2025, 3, 14))
    march = EventFactory(start_date=D(2025, 3, 1), date_precision="month")
    assert role_on_event(march, person) == ("Prime Minister", "from 14 March 2025")
    early_march = EventFactory(start_date=D(2025, 3, 2))
    assert role_on_event(early_march, person) == ("Governor", "")


def test_a_role_ending_within_a_range_says_until_and_one_within_it_says_both():
    person = ParticipantFactory()
    RoleFactory(participant=person, title="Acting minister", start=D(2025, 6, 16), end=D(2025, 6, 16))
    summit = EventFactory(start_date=D(2025, 6, 15), end_date=D(2025, 6, 17))
    assert role_on_event(summit, person) == ("Acting minister", "on 16 June 2025")
    other = ParticipantFactory()
    RoleFactory(participant=other, title="Minister", start=D(2020, 1, 1), end=D(2025, 6, 16))
    assert role_on_event(summit, other) == ("Minister", "until 16 June 2025")


def test_a_year_event_finds_a_role_attested_in_its_year():
    person = ParticipantFactory()
    RoleFactory(participant=person, title="President", start=None, attested_on=D(1988, 1, 2))
    year = EventFactory(start_date=D(1988, 1, 1), date_precision="year")
    assert role_on_event(year, person) == ("President", "as of 2 January 1988")
    assert role_on_event(EventFactory(start_date=D(1987, 1, 1), date_precision="year"), person) is None


def test_the_role_notes_are_french_on_french_pages():
    from django.utils import translation

    person = ParticipantFactory()
    RoleFactory(participant=person, title="Premier ministre", start=D(2025, 3, 14))
    with translation.override("fr"):
        march = EventFactory(start_date=D(2025, 3, 1), date_precision="month")
        assert role_on_event(march, person) == ("Premier ministre", "depuis le 14 mars 2025")
