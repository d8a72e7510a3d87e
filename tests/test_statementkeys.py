"""What the statements index reads, kept by the database (timeline/statementkeys.py): whatever is changed, however,
the triggers leave it exactly as a rebuild from the statements and their events would."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from tests.factories import DraftEventFactory, EventFactory, ParticipantFactory, StatementFactory, TopicFactory
from timeline import statementkeys
from timeline.models import Event, Statement

D = datetime.date
pytestmark = pytest.mark.django_db


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(tuple(row) for row in cursor.fetchall())


def state():
    return (
        rows("SELECT id, sort_date FROM timeline_statement"),
        rows("SELECT facet, value, statement_id FROM timeline_statementkey"),
        rows("SELECT facet, value, n FROM timeline_statementcount"),
    )


def keys_of(slug: str) -> set[tuple[int, int]]:
    statement = Statement.objects.get(slug=slug)
    return set(rows("SELECT facet, value FROM timeline_statementkey WHERE statement_id = %s", [statement.pk]))


def counts(facet: int) -> dict[int, int]:
    return dict(rows("SELECT value, n FROM timeline_statementcount WHERE facet = %s", [facet]))


def expected():
    """The date each statement is read under, computed here from the models."""
    return sorted((s.pk, s.said_on or (s.event.start_date if s.event else None)) for s in Statement.objects.all())


def assert_as_rebuilt():
    kept = state()
    assert kept[0] == expected()
    statementkeys.rebuild()
    assert kept == state()


@pytest.fixture
def world():
    carney = ParticipantFactory(slug="carney")
    trade = TopicFactory(slug="trade")
    meeting = EventFactory(slug="meeting", start_date=D(2025, 5, 6), topics=[trade, TopicFactory(slug="sovereignty")])
    summit = EventFactory(slug="summit", start_date=D(2025, 6, 16), end_date=D(2025, 6, 17))
    draft = DraftEventFactory(slug="draft", start_date=D(2025, 7, 1))
    StatementFactory(slug="dated", event=meeting, speaker=carney, said_on=D(2025, 5, 7))
    StatementFactory(slug="undated", event=meeting, speaker=carney, said_on=None, language="fr", kind="paraphrase")
    StatementFactory(slug="at-summit", event=summit, speaker=carney, said_on=None)
    StatementFactory(slug="before-summit", event=summit, speaker=carney, said_on=D(2025, 6, 6))  # ten days before
    StatementFactory(slug="in-draft", event=draft, speaker=carney, said_on=None)
    draft.topics.add(trade)
    return {"carney": carney, "trade": trade, "meeting": meeting, "summit": summit, "draft": draft}


def sort_date(slug: str):
    return rows("SELECT sort_date FROM timeline_statement WHERE slug = %s", [slug])[0][0]


def as_date(value):
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def test_a_statement_is_read_under_its_own_date_or_else_its_events(world):
    assert as_date(sort_date("dated")) == D(2025, 5, 7)
    assert as_date(sort_date("undated")) == D(2025, 5, 6)
    assert as_date(sort_date("in-draft")) == D(2025, 7, 1)
    assert_as_rebuilt()


def stale_save(world):
    """A statement loaded, its event's date changed meanwhile, then saved as loaded: the write carries the old
    sort date, which the database must not keep."""
    statement = Statement.objects.get(slug="undated")
    Event.objects.filter(pk=world["meeting"].pk).update(start_date=D(2024, 1, 1))
    statement.text = "Changed words."
    statement.save()


def write_a_wrong_date(world):
    Statement.objects.filter(slug="dated").update(sort_date=D(1900, 1, 1))


CHANGES = {
    "new date said": lambda w: Statement.objects.filter(slug="dated").update(said_on=D(2025, 1, 2)),
    "date said removed": lambda w: Statement.objects.filter(slug="dated").update(said_on=None),
    "date said added": lambda w: Statement.objects.filter(slug="undated").update(said_on=D(2025, 2, 3)),
    "moved to another event": lambda w: Statement.objects.filter(slug="undated").update(event=w["summit"]),
    "every statement moved": lambda w: Statement.objects.update(event=w["draft"]),
    "event's date changed": lambda w: Event.objects.filter(pk=w["meeting"].pk).update(start_date=D(2024, 12, 1)),
    "every event's date, in bulk": lambda w: Event.objects.update(start_date=D(2020, 2, 2)),
    "event saved with a new date": lambda w: (
        setattr(w["summit"], "start_date", D(2025, 6, 15)),
        w["summit"].save(),
    ),
    "statement added": lambda w: StatementFactory(event=w["summit"], speaker=w["carney"], said_on=None),
    "statements added in bulk": lambda w: Statement.objects.bulk_create(
        [Statement(slug=f"bulk-{n}", event=w["meeting"], speaker=w["carney"], text="Bulk.") for n in range(3)]
    ),
    "statement saved as it was loaded, stale": stale_save,
    "a wrong date written": write_a_wrong_date,
    "statement deleted": lambda w: Statement.objects.filter(slug="undated").delete(),
    "published": lambda w: Event.objects.filter(pk=w["draft"].pk).update(status="published"),
    "unpublished": lambda w: Event.objects.filter(pk=w["meeting"].pk).update(status="draft"),
    "every event unpublished": lambda w: Event.objects.update(status="draft"),
    "topic added": lambda w: w["summit"].topics.add(w["trade"]),
    "topic removed": lambda w: w["meeting"].topics.remove(w["trade"]),
    "topics cleared": lambda w: w["meeting"].topics.clear(),
    "topic deleted": lambda w: w["trade"].delete(),
    "new speaker": lambda w: Statement.objects.filter(slug="dated").update(speaker=ParticipantFactory()),
    "new language": lambda w: Statement.objects.update(language="fr"),
    "new kind": lambda w: Statement.objects.filter(slug="dated").update(kind="paraphrase"),
    "event deleted with its statements": lambda w: (
        Statement.objects.filter(event=w["summit"]).delete(),
        w["summit"].delete(),
    ),
    "event saved in the admin's way": lambda w: w["meeting"].save(),
    "event's end changed": lambda w: Event.objects.filter(pk=w["summit"].pk).update(end_date=D(2025, 6, 20)),
    "event's end removed": lambda w: Event.objects.filter(pk=w["summit"].pk).update(end_date=None),
    "event given an end": lambda w: Event.objects.filter(pk=w["meeting"].pk).update(end_date=D(2025, 5, 8)),
    "event moved before what was said of it": lambda w: Event.objects.filter(pk=w["summit"].pk).update(
        start_date=D(2025, 6, 1)
    ),
}


# Changes that leave what is kept as it was: a save that changes nothing, a wrong date the database puts right.
KEEP = [CHANGES[name] for name in ("event saved in the admin's way", "a wrong date written")]


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_every_change_leaves_what_is_kept_as_a_rebuild_would(world, change):
    before = state()
    change(world)
    assert_as_rebuilt()
    if change not in KEEP:
        assert state() != before  # the control: the change did change what is kept


def test_keys_of_a_published_statement(world):
    meeting, carney = world["meeting"], world["carney"]
    topic_ids = [topic.pk for topic in meeting.topics.all()]
    profile = 2 * 4 + 2  # French (the second language), a paraphrase (the second kind)
    assert statementkeys.profiles(["fr"], ["paraphrase"]) == [profile]
    assert keys_of("undated") == {
        (statementkeys.STATEMENT, 0),
        (statementkeys.SPEAKER, carney.pk),
        (statementkeys.LANGUAGE, statementkeys.value_of(statementkeys.LANGUAGES, "fr")),
        (statementkeys.KIND, statementkeys.value_of(statementkeys.KINDS, "paraphrase")),
        (statementkeys.PROFILE, profile),
        (statementkeys.SPEAKER_PROFILE, carney.pk * statementkeys.PROFILES + profile),
        *((statementkeys.TOPIC, pk) for pk in topic_ids),
        *((statementkeys.TOPIC_PROFILE, pk * statementkeys.PROFILES + profile) for pk in topic_ids),
        *(
            (
                statementkeys.TOPIC_SPEAKER_PROFILE,
                (pk * statementkeys.SPEAKERS + carney.pk) * statementkeys.PROFILES + profile,
            )
            for pk in topic_ids
        ),
        (statementkeys.SAID, 20250506),  # its event's day: it has none of its own
        (statementkeys.SAID_PROFILE, profile * statementkeys.DAYS + 20250506),  # the same, after its profile
        *((statementkeys.TOPIC_SAID, pk * statementkeys.DAYS + 20250506) for pk in topic_ids),  # after each topic
        # Its event's first and last days (an event of one day), after its profile.
        (statementkeys.EVENT_FIRST, profile * statementkeys.DAYS + 20250506),
        (statementkeys.EVENT_LAST, profile * statementkeys.DAYS + 20250506),
    }
    assert len(topic_ids) == 2
    assert (statementkeys.SAID, 20250507) in keys_of("dated")
    assert counts(statementkeys.SAID) == {20250506: 1, 20250507: 1, 20250606: 1, 20250616: 1}
    dated = {value for facet, value in keys_of("dated") if facet == statementkeys.SAID_PROFILE}
    assert dated == {statementkeys.profiles(["en"], ["quote"])[0] * statementkeys.DAYS + 20250507}
    topical = {value for facet, value in keys_of("dated") if facet == statementkeys.TOPIC_SAID}
    assert topical == {pk * statementkeys.DAYS + 20250507 for pk in topic_ids}
    # The days of a ranged event; how many days one said before its event leads it, and only such a one.
    english_quote = statementkeys.profiles(["en"], ["quote"])[0]
    summit_days = {
        (statementkeys.EVENT_FIRST, english_quote * statementkeys.DAYS + 20250616),
        (statementkeys.EVENT_LAST, english_quote * statementkeys.DAYS + 20250617),
    }
    assert summit_days <= keys_of("at-summit")
    assert (statementkeys.LEAD, 10) in keys_of("before-summit")
    assert counts(statementkeys.LEAD) == {10: 1}
    assert counts(statementkeys.EVENT_LAST) == {
        english_quote * statementkeys.DAYS + 20250506: 1,
        profile * statementkeys.DAYS + 20250506: 1,
        english_quote * statementkeys.DAYS + 20250617: 2,
    }
    assert keys_of("in-draft") == set()  # a draft's statement has none, and counts nowhere
    assert counts(statementkeys.STATEMENT) == {0: 4}
    assert counts(statementkeys.TOPIC) == {world["trade"].pk: 2, meeting.topics.get(slug="sovereignty").pk: 2}
    assert counts(statementkeys.SPEAKER) == {world["carney"].pk: 4}
    Event.objects.update(status="draft")
    assert rows("SELECT * FROM timeline_statementcount") == []  # no row for a value no statement has


def test_languages_and_kinds_are_keyed_in_the_order_of_their_choices():
    """A change to the choices must come with a rebuild."""
    assert statementkeys.LANGUAGES == tuple(Statement.Language.values)
    assert statementkeys.KINDS == tuple(Statement.Kind.values)


def test_no_dump_holds_the_keys(world):
    out = io.StringIO()
    call_command("dumpdata", "timeline", stdout=out)
    assert "statementkey" not in out.getvalue() and "statementcount" not in out.getvalue()


def test_the_triggers_are_back_after_a_migrate(world):
    call_command("migrate", verbosity=0)
    Event.objects.filter(pk=world["summit"].pk).update(start_date=D(2030, 1, 1), end_date=None)
    assert as_date(sort_date("at-summit")) == D(2030, 1, 1)
    assert_as_rebuilt()


def test_a_fixture_loaded_gets_its_sort_dates(world, tmp_path):
    """A dump carries the column as it was; loaded, the database writes its own."""
    out = io.StringIO()
    call_command("dumpdata", "timeline.statement", stdout=out)
    dump = json.loads(out.getvalue())
    for row in dump:
        row["fields"]["sort_date"] = "1900-01-01"
    Statement.objects.all().delete()
    path = tmp_path / "statements.json"
    path.write_text(json.dumps(dump))
    call_command("loaddata", str(path), verbosity=0)
    assert as_date(sort_date("undated")) == D(2025, 5, 6)
    assert_as_rebuilt()


def test_rebuild_after_a_bulk_write_with_the_triggers_suspended(world):
    with statementkeys.suspended():
        StatementFactory(slug="in-bulk", event=world["meeting"], speaker=world["carney"], said_on=None)
        assert keys_of("in-bulk") == set() and sort_date("in-bulk") is None
    assert (statementkeys.STATEMENT, 0) in keys_of("in-bulk")
    assert as_date(sort_date("in-bulk")) == D(2025, 5, 6)
    assert_as_rebuilt()


def test_a_searchs_matches_by_profile_are_taken_and_counted_by_language_and_kind():
    english_quote, french_quote, english_paraphrase = (
        statementkeys.profiles(["en"], ["quote"])[0],
        statementkeys.profiles(["fr"], ["quote"])[0],
        statementkeys.profiles(["en"], ["paraphrase"])[0],
    )
    matches = statementkeys.Profiled.of_groups(
        [(english_quote, "[3, 1]"), (french_quote, "[7]"), (english_paraphrase, "[]")], json.loads
    )
    assert len(matches) == 3
    assert sorted(matches.ids) == [1, 3, 7] and matches.ids is matches.ids
    assert sorted(matches.among(statementkeys.profiles(["en"], []))) == [1, 3]
    assert matches.among(statementkeys.profiles([], ["paraphrase"])) == []
    assert matches.counts(range(statementkeys.PROFILES), statementkeys.LANGUAGE) == {
        statementkeys.IN_PROFILE[statementkeys.LANGUAGE](english_quote): 2,
        statementkeys.IN_PROFILE[statementkeys.LANGUAGE](french_quote): 1,
    }
    kept = matches.having({3, 7, 9})
    assert len(kept) == 2 and sorted(kept.ids) == [3, 7]
