"""Search as a reader types it, on every database, and SQLite's full-text indexes (timeline/fulltext.py): what they
find, that the search reads them, and that triggers keep them exact through edits, deletions, backups and fixtures."""

import json
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict

from tests.factories import DraftEventFactory, EventFactory, ParticipantFactory, StatementFactory
from timeline import fulltext
from timeline.filters import EventFilter
from timeline.models import Event, Statement

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.sqlite


def titles(query: str) -> list[str]:
    return [event.title for event in EventFilter(QueryDict(query)).qs]


def rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]


def assert_as_rebuilt():
    """Each index holds what indexing every event and statement from scratch would."""
    indexed = {index: rows(f"SELECT rowid, * FROM {index} ORDER BY rowid") for index in fulltext.TABLES}
    fulltext.rebuild(connection)
    for index, held in indexed.items():
        assert held == rows(f"SELECT rowid, * FROM {index} ORDER BY rowid"), index


@pytest.fixture
def dairy():
    event = EventFactory(
        title="Dairy quotas and tariffs",
        title_fr="Les quotas laitiers à l’Élysée",
        summary="Ottawa defends supply management.",
    )
    EventFactory(title="Lumber ruling", summary="A panel ruled on softwood.")
    return event


# What a reader finds, on every database


def test_accents_and_case_do_not_count(dairy):
    for query in ["q=ELYSEE", "q=élysée", "q=l'elysee", "q=L’Élysée", "q=LAITIERS"]:
        assert titles(query) == ["Dairy quotas and tariffs"], query


def test_an_event_is_found_through_the_words_of_its_statement_and_its_speaker(client):
    event = EventFactory(title="Press conference", summary="Questions were asked.")
    StatementFactory(event=event, text="Supply management is not on the table.", speaker_label="Prime Minister")
    EventFactory(title="Other meeting", summary="Nothing said.")
    assert titles("q=supply+table") == ["Press conference"]
    assert titles("q=prime+minister") == ["Press conference"]
    assert "management is not on the" in client.get("/statements/", {"q": "supply table"}).text  # words marked
    assert [row["title"] for row in client.get("/api/events", {"q": "supply table"}).json()["results"]] == [
        "Press conference"
    ]


def test_a_drafts_words_never_find_it_on_any_search_surface(client, dairy):
    draft = DraftEventFactory(title="Secret dairy compromise", summary="Not yet public.")
    StatementFactory(event=draft, text="Confidential compromise on dairy.")
    assert titles("q=compromise") == []
    assert titles("q=dairy") == ["Dairy quotas and tariffs"]
    for url in ["/", "/statements/", "/api/events", "/api/statements", "/embed/"]:
        text = client.get(url, {"q": "compromise"}).text
        assert "Secret dairy" not in text and "Confidential" not in text, url
    Event.objects.filter(pk=draft.pk).update(status="published")  # the control: its words are indexed all along
    assert titles("q=compromise") == ["Secret dairy compromise"]


def test_an_edited_title_is_found_at_once_and_the_old_one_no_longer_is():
    event = EventFactory(title="Steel levy announced", summary="A levy.")
    assert titles("q=steel") == ["Steel levy announced"]
    event.title = "Aluminum levy announced"
    event.save()
    assert titles("q=steel") == []
    assert titles("q=aluminum") == ["Aluminum levy announced"]
    Event.objects.filter(pk=event.pk).update(summary_en="Softwood too.")  # a bulk update: no save() involved
    assert titles("q=softwood") == ["Aluminum levy announced"]


def test_a_deleted_or_edited_statement_no_longer_finds_its_event():
    event = EventFactory(title="Press conference", summary="Questions were asked.")
    said = StatementFactory(event=event, text="Canada is not for sale.")
    other = StatementFactory(event=event, text="We will respond.")
    assert titles("q=sale") == ["Press conference"]
    said.delete()
    assert titles("q=sale") == []
    Statement.objects.filter(pk=other.pk).update(text="Retaliation is coming.")
    assert titles("q=respond") == []
    assert titles("q=retaliation") == ["Press conference"]


HOSTILE = [
    '"',
    'dairy"',
    '"dairy',
    "dairy*",
    "*dairy",
    "dairy AND quotas",
    "NEAR(dairy quotas)",
    "dairy NOT lumber",
    "title:dairy",
    "{title}: dairy",
    "^dairy",
    "dairy +quotas",
    "dairy \x01quotas\x1f",
    "-" * 33 + "dairy",
    "'dairy'",
    "dairy " + "a" * 5000,
    "(((",
    '""""',
    "\u2019\u2019",
    "dairy \ue000 quotas",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_search_syntax_gets_a_normal_answer(client, dairy, query):
    for url in ["/", "/statements/", "/embed/", "/api/events", "/api/statements", "/export/events.csv"]:
        response = client.get(url, {"q": query})
        assert response.status_code in (200, 400), (url, response.status_code)
        if response.status_code == 400:  # no word left, or too long: the API and the downloads say what is wrong
            assert "q: " in response.text or '"parameter": "q"' in response.text, url


@pytest.mark.parametrize("query", ["dairy*", "*dairy", '"dairy', "dairy AND quotas", "'dairy'", "dairy +quotas"])
def test_operators_typed_around_words_are_read_as_the_words(dairy, query):
    assert [event.title for event in EventFilter(QueryDict(urlencode({"q": query}))).qs] == ["Dairy quotas and tariffs"]


# SQLite: the full-text indexes


@sqlite_only
def test_a_word_finds_the_words_it_begins_but_not_a_fragment_inside_one(dairy):
    assert titles("q=tarif") == ["Dairy quotas and tariffs"]
    assert titles("q=quot+dai") == ["Dairy quotas and tariffs"]
    assert titles("q=ariffs") == []  # a fragment inside a word: the index finds words by their start
    assert titles("q=suppl+managem") == ["Dairy quotas and tariffs"]


@sqlite_only
def test_the_title_ranks_above_the_events_text_above_a_statement():
    EventFactory(title="Meeting one", summary="Nothing.", start_date="2020-01-01")
    StatementFactory(event=Event.objects.get(title="Meeting one"), text="Dairy is off the table.")
    EventFactory(title="Meeting two", summary="Dairy quotas were discussed.", start_date="2021-01-01")
    EventFactory(title="Dairy quotas meeting", summary="Nothing.", start_date="2022-01-01")
    assert titles("q=dairy&sort=relevance") == ["Dairy quotas meeting", "Meeting two", "Meeting one"]
    # The rank is read only to sort by it: in date order, the page does not look for the word in every title.
    ranked = "MATCH title : "
    assert ranked in str(EventFilter(QueryDict("q=dairy&sort=relevance")).qs.query)
    assert titles("q=dairy") == ["Meeting one", "Meeting two", "Dairy quotas meeting"]
    assert ranked not in str(EventFilter(QueryDict("q=dairy")).qs.query)


def plan(q: str) -> str:
    """What SQLite reads to find the events `q` matches, once a page (EventFilter.search_matches)."""
    sql, params = Event.objects.published().search(q).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " ".join(str(row[-1]) for row in cursor.fetchall())


@sqlite_only
def test_the_search_reads_the_full_text_indexes(dairy):
    StatementFactory(event=dairy, text="Supply management is not on the table.")
    assert titles("q=dairy") == titles("q=supply") == ["Dairy quotas and tariffs"]
    # What a page reads its matches with, once (EventFilter.search_matches); its other queries read those ids.
    assert titles("q=dairy+quotas") == titles("q=supply+management") == ["Dairy quotas and tariffs"]
    # One word is read from the event words alone; two, from the events' and the statements' own indexes, the
    # statements' events from a narrow index, not from the statements' rows.
    one, two = plan("dairy"), plan("supply management")
    assert f"{fulltext.EVENT_WORDS} VIRTUAL TABLE" in one
    assert fulltext.EVENTS not in one and fulltext.STATEMENTS not in one
    assert f"{fulltext.EVENTS} VIRTUAL TABLE" in two and f"{fulltext.STATEMENTS} VIRTUAL TABLE" in two
    assert fulltext.EVENT_WORDS not in two
    assert f"timeline_statement USING COVERING INDEX {fulltext.STATEMENT_EVENTS}" in two
    # Emptied, the indexes find nothing, though the events and their statement are still there.
    for index in fulltext.TABLES:
        rows(f"DELETE FROM {index}")
    assert titles("q=dairy") == titles("q=supply") == titles("q=supply+management") == []
    assert Statement.objects.search("supply").count() == 0


@sqlite_only
def test_every_change_leaves_the_indexes_as_a_rebuild_would(dairy):
    speaker = ParticipantFactory(name="Mark Carney")
    said = StatementFactory(event=dairy, speaker=speaker, text="Not for sale.", speaker_label="Prime Minister")
    assert_as_rebuilt()
    dairy.title_fr = "Quotas"
    dairy.save()
    Event.objects.update(location_en="Ottawa")
    Statement.objects.filter(pk=said.pk).update(speaker_label="The Prime Minister")
    StatementFactory(event=EventFactory(title="Later"), text="More words.")
    Event.objects.filter(title="Lumber ruling").delete()
    assert_as_rebuilt()
    assert len(rows(f"SELECT rowid FROM {fulltext.EVENTS}")) == Event.objects.count() == 2
    # The event words follow a statement moved to another event, rewritten in bulk, deleted, and an event deleted
    # (once its statements are: they protect it).
    later = Event.objects.get(title="Later")
    Statement.objects.filter(pk=said.pk).update(event=later)
    assert titles("q=sale") == ["Later"] and titles("q=sale+prime") == ["Later"]
    Statement.objects.filter(event=later).update(text="Rewritten.")
    assert titles("q=sale") == [] and titles("q=rewritten") == ["Later"]
    assert_as_rebuilt()
    Statement.objects.filter(pk=said.pk).delete()
    assert titles("q=prime") == [] and titles("q=rewritten") == ["Later"]
    Statement.objects.filter(event=later).delete()
    assert titles("q=rewritten") == []
    later.delete()
    assert_as_rebuilt()
    assert rows(f"SELECT rowid FROM {fulltext.EVENT_WORDS}") == [(dairy.pk,)]


@sqlite_only
def test_the_triggers_and_the_index_are_back_after_a_migrate(dairy):
    fulltext.uninstall(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {fulltext.STATEMENT_EVENTS}")
    call_command("migrate", verbosity=0)
    EventFactory(title="After the migrate")
    assert titles("q=after+migrate") == ["After the migrate"]
    StatementFactory(event=dairy, text="Said after the migrate.")
    assert titles("q=said+after") == titles("q=said") == ["Dairy quotas and tariffs"]
    assert_as_rebuilt()


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_and_a_loaded_fixture_are_indexed_exactly(dairy, tmp_path):
    StatementFactory(event=dairy, text="Supply management is not on the table.")
    path = tmp_path / "backup.json"
    call_command("backup", str(path))
    assert not any("fts" in row["model"] for row in json.loads(path.read_text()))
    EventFactory(title="Written after the backup")
    call_command("restore", str(path), interactive=False)
    assert titles("q=written") == []
    assert titles("q=supply") == ["Dairy quotas and tariffs"]
    assert_as_rebuilt()
    call_command("flush", interactive=False)
    assert not any(rows(f"SELECT rowid FROM {index}") for index in fulltext.TABLES)
    call_command("loaddata", str(path), verbosity=0)
    assert titles("q=tarif") == ["Dairy quotas and tariffs"]
    assert_as_rebuilt()


@sqlite_only
def test_generated_data_is_indexed_once_at_the_end_and_the_triggers_are_back():
    call_command("generate_synthetic", "--events", "40", verbosity=0)
    assert_as_rebuilt()
    assert len(rows(f"SELECT rowid FROM {fulltext.EVENT_WORDS}")) == Event.objects.count() == 40
    assert len(titles("q=synthetic")) == Event.objects.published().count()
    EventFactory(title="Written after the generation")
    assert titles("q=written") == ["Written after the generation"]
