"""PostgreSQL's search documents (timeline/search_documents.py): a search reads its matches from them, so whatever is
changed, however, the triggers leave them exactly as a rebuild from the events and statements would, and a search
finds what it finds in the events' and statements' own text."""

import datetime

import pytest
from django.db import connection

from tests.factories import DraftEventFactory, EventFactory, ParticipantFactory, StatementFactory
from timeline import search_documents, statementkeys
from timeline.models import Event, Statement

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql]


def documents() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT event_id, statement_id, english, french, profile, said_on FROM {search_documents.TABLE}"
        )
        return sorted(cursor.fetchall(), key=repr)


def event_words() -> list[tuple]:
    """Each event's row of the words of its documents."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT event_id, english, french FROM {search_documents.EVENTS}")
        return sorted(cursor.fetchall(), key=repr)


def assert_as_rebuilt():
    kept = documents(), event_words()
    search_documents.rebuild()
    assert kept == (documents(), event_words())


def found(q: str) -> set[int]:
    return set(Event.objects.published().search_matches(q))


def found_in_own_rows(q: str) -> set[int]:
    """What the search finds through the events' and statements' own vectors: any queryset but all the published
    events reads those."""
    return set(Event.objects.published().filter(pk__gt=0).search_matches(q))


@pytest.fixture
def world():
    speaker = ParticipantFactory(slug="carney", name="Mark Carney")
    meeting = EventFactory(slug="meeting", title="Leaders meet on aluminum", summary="A working visit.")
    StatementFactory(event=meeting, speaker=speaker, text="Softwood lumber is on the table.", language="en")
    StatementFactory(event=meeting, speaker=speaker, text="Nous défendrons nos travailleurs.", language="fr")
    draft = DraftEventFactory(slug="draft", title="Embargoed pipeline plan", summary="Not yet public.")
    StatementFactory(event=draft, speaker=speaker, text="The pipeline will be announced.", language="en")
    other = EventFactory(slug="other", title="Dairy quotas reviewed", summary="Supply management.")
    return {"meeting": meeting, "draft": draft, "other": other, "speaker": speaker}


def test_a_published_event_has_a_document_for_its_text_and_one_per_statement(world):
    rows = documents()
    assert {(event, statement is None) for event, statement, *_ in rows} == {
        (world["meeting"].pk, True),
        (world["meeting"].pk, False),
        (world["other"].pk, True),
    }
    assert len(rows) == 4  # the meeting, its two statements, the other event; nothing of the draft
    french = [row for row in rows if row[1] is not None and row[3] is not None]
    assert len(french) == 1 and french[0][2] is None  # the French statement in the French column only
    # Each statement's language and kind (statementkeys.profiles): an English quote, a French one; and the day
    # said. None for an event.
    assert sorted((statement is not None, profile, day) for _, statement, *_, profile, day in rows) == [
        (False, None, None),
        (False, None, None),
        (True, statementkeys.profiles(["en"], ["quote"])[0], datetime.date(2025, 5, 6)),
        (True, statementkeys.profiles(["fr"], ["quote"])[0], datetime.date(2025, 5, 6)),
    ]


@pytest.mark.parametrize(
    "q",
    [
        "aluminum",
        "lumber",
        "travailleurs",
        "travailleur",
        "Carney",
        "pipeline",
        "dairy OR lumber",
        '"working visit"',
        "aluminum -lumber",
        "quota",
        "nothing-like-this",
        "aluminum lumber",  # each word in one of the meeting's documents, no document with both: not found
        "défendrons",
    ],
)
def test_a_search_finds_what_the_events_and_statements_own_text_finds(world, q):
    assert found(q) == found_in_own_rows(q)


@pytest.mark.parametrize(
    ("q", "read", "not_read"),
    [
        ("lumber", search_documents.EVENTS, search_documents.TABLE),
        ("travailleurs", search_documents.EVENTS, search_documents.TABLE),
        ("aluminum lumber", search_documents.TABLE, search_documents.EVENTS),
        ('"working visit"', search_documents.TABLE, search_documents.EVENTS),
        ("aluminum -lumber", search_documents.TABLE, search_documents.EVENTS),
    ],
)
def test_a_search_of_one_word_reads_each_event_s_words_and_any_other_its_documents(world, q, read, not_read):
    sql, params = search_documents.matches_sql(q)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert f"on {read}" in plan and f"on {not_read}" not in plan, plan
    assert found(q) == found_in_own_rows(q)


def test_the_documents_find_events_through_their_text_and_statements_and_never_a_draft(world):
    meeting, other = world["meeting"].pk, world["other"].pk
    assert found("aluminum") == {meeting}
    assert found("lumber") == {meeting}  # through an English statement
    assert found("travailleurs") == {meeting}  # through a French one
    assert found("quotas") == {other}
    assert found("pipeline") == set()  # the draft's title and statement
    assert found("embargoed") == set()


CHANGES = {
    "publish": lambda w: Event.objects.filter(pk=w["draft"].pk).update(status="published"),
    "unpublish": lambda w: Event.objects.filter(pk=w["meeting"].pk).update(status="draft"),
    "new title": lambda w: Event.objects.filter(pk=w["meeting"].pk).update(title="Leaders talk steel"),
    "new French summary": lambda w: Event.objects.filter(pk=w["other"].pk).update(summary_fr="Gestion de l'offre."),
    "save in the admin's way": lambda w: w["meeting"].save(),
    "add statement": lambda w: StatementFactory(event=w["other"], speaker=w["speaker"], text="Cheese matters."),
    "statement text": lambda w: Statement.objects.filter(language="en").update(text="Steel and aluminum."),
    "statement language": lambda w: Statement.objects.filter(language="en").update(language="fr"),
    "statement kind": lambda w: Statement.objects.filter(language="en").update(kind="paraphrase"),
    "statement day": lambda w: Statement.objects.filter(language="en").update(said_on=datetime.date(2025, 1, 2)),
    "move statement": lambda w: Statement.objects.filter(event=w["meeting"]).update(event=w["other"]),
    "move a draft's statement": lambda w: Statement.objects.filter(event=w["draft"]).update(event=w["meeting"]),
    "remove statement": lambda w: Statement.objects.filter(event=w["meeting"], language="fr").delete(),
    "delete event": lambda w: (Statement.objects.filter(event=w["meeting"]).delete(), w["meeting"].delete()),
    "edit a draft": lambda w: Event.objects.filter(pk=w["draft"].pk).update(title="Still embargoed"),
    "new importance": lambda w: Event.objects.filter(pk=w["meeting"].pk).update(importance=1),
}

# Changes no document reads, and one that changes a document but not the words.
KEEP_DOCUMENTS = [CHANGES[name] for name in ("save in the admin's way", "edit a draft", "new importance")]
KEEP_WORDS = [CHANGES["statement kind"], CHANGES["statement day"]]


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_every_change_leaves_the_documents_as_a_rebuild_would(world, change):
    before = documents(), event_words()
    change(world)
    assert_as_rebuilt()
    if change not in KEEP_DOCUMENTS:
        # The control: the change did change the documents, and the words of the events they belong to.
        assert documents() != before[0]
        assert (event_words() == before[1]) == (change in KEEP_WORDS)


def test_what_readers_find_follows_an_edit_at_once(world, client):
    def listed(q: str, event) -> bool:
        return f'href="{event.get_absolute_url()}"' in client.get("/", {"q": q}).content.decode()

    meeting, draft = world["meeting"], world["draft"]
    assert listed("aluminum", meeting)
    Event.objects.filter(pk=meeting.pk).update(title="Leaders talk steel", summary="Steel only.")
    Statement.objects.filter(event=meeting).delete()
    assert listed("steel", meeting)
    assert not listed("aluminum", meeting)
    assert not listed("lumber", meeting)
    assert not listed("pipeline", draft)
    Event.objects.filter(pk=draft.pk).update(status="published")
    assert listed("pipeline", draft)


@pytest.mark.django_db(transaction=True)  # committed rows, as a flush finds them
def test_a_flush_empties_the_documents(world):
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE timeline_statement CASCADE")
    assert_as_rebuilt()
    assert len(documents()) == len(event_words()) == 2  # the published events' own text
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE timeline_event CASCADE")
    assert documents() == event_words() == []


def test_rebuild_after_a_bulk_write_with_the_triggers_suspended(world):
    with search_documents.suspended():
        bulk = EventFactory(slug="written-in-bulk", title="Written in bulk")
        assert found("bulk") == set()
    assert found("bulk") == {bulk.pk}
    assert_as_rebuilt()


def test_the_triggers_are_back_after_a_migrate(world):
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    assert found("afterwards") == set()
    EventFactory(slug="after-migrate", title="Written afterwards")
    assert len(found("afterwards")) == 1
    assert_as_rebuilt()


def test_no_dump_or_backup_holds_the_documents(world):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("dumpdata", "timeline", stdout=out)
    assert '"timeline.event"' in out.getvalue()
    assert "searchdocument" not in out.getvalue()
