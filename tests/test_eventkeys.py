"""The published events' facet keys (timeline/eventkeys.py): whatever is changed, however, the triggers leave the
keys and their counts exactly as a rebuild from the events would."""

import datetime

import pytest
from django.db import connection

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from tests.plans import ordered_plan, recorded
from timeline import eventkeys
from timeline.models import Event, Involvement, Participant, Source, Statement

pytestmark = pytest.mark.django_db


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(tuple(row) for row in cursor.fetchall())


def state():
    return (
        rows("SELECT facet, value, event_id FROM timeline_eventkey"),
        rows("SELECT * FROM timeline_facetcount"),
        rows("SELECT * FROM timeline_publishercount"),
        rows("SELECT * FROM timeline_keypair"),
        rows("SELECT * FROM timeline_datedkey"),
    )


def keys_of(event) -> set[tuple[int, int]]:
    return set(rows("SELECT facet, value FROM timeline_eventkey WHERE event_id = %s", [event.pk]))


def counts(facet: int) -> dict[int, int]:
    return dict(rows("SELECT value, n FROM timeline_facetcount WHERE facet = %s", [facet]))


def publishers() -> dict[str, dict[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM timeline_publishercount")
        columns = [column[0] for column in cursor.description]
        return {row[0]: dict(zip(columns[1:], row[1:], strict=True)) for row in cursor.fetchall()}


def assert_as_rebuilt():
    kept = state()
    eventkeys.rebuild()
    assert kept == state()


@pytest.fixture
def world():
    canada = ParticipantFactory(slug="carney", country="CA")
    usa = ParticipantFactory(slug="trump", country="US")
    trade = TopicFactory(slug="trade")
    meeting = EventFactory(slug="meeting", topics=[trade], start_date=datetime.date(2025, 5, 6))
    InvolvementFactory(event=meeting, participant=canada, part="guest")
    InvolvementFactory(event=meeting, participant=usa, part="host")
    InvolvementFactory(event=meeting, participant=usa, part="speaker")  # twice in one event: one key
    cbc = SourceFactory(slug="cbc", publisher="CBC News", kind="news")
    release = SourceFactory(slug="release", publisher=" cbc news", kind="primary")
    meeting.sources.add(cbc)
    StatementFactory(event=meeting, speaker=canada, sources=[cbc, release])
    draft = DraftEventFactory(slug="draft", topics=[trade], sources=[SourceFactory(slug="leak", publisher="Reuters")])
    InvolvementFactory(event=draft, participant=ParticipantFactory(slug="sheinbaum", country="MX"))
    return {"canada": canada, "usa": usa, "trade": trade, "meeting": meeting, "draft": draft, "cbc": cbc}


def test_keys_of_a_published_event(world):
    meeting, canada, usa = world["meeting"], world["canada"], world["usa"]
    assert keys_of(meeting) == {
        (eventkeys.EVENT, 0),
        (eventkeys.MONTH, (2025 * 12 + 4) * 4),  # May 2025, known to the day
        (eventkeys.TYPE, eventkeys.type_value("meeting")),
        (eventkeys.PARTICIPANT, canada.pk),
        (eventkeys.PARTICIPANT, usa.pk),
        (eventkeys.TOPIC, world["trade"].pk),
        (eventkeys.COUNTRY, eventkeys.country_value("CA")),
        (eventkeys.COUNTRY, eventkeys.country_value("US")),
        (eventkeys.STATEMENTS, 1),
        (eventkeys.SPEAKER, canada.pk),
        (eventkeys.SOURCE, world["cbc"].pk),  # cited by the event and by its statement: one key
        (eventkeys.SOURCE, Source.objects.get(slug="release").pk),
    }
    assert keys_of(world["draft"]) == set()  # drafts have none
    assert counts(eventkeys.PARTICIPANT)[usa.pk] == 1
    # Two spellings of one publisher; the draft's source is in no count.
    assert publishers() == {
        "cbc news": {"n": 2, "kind_primary": 1, "kind_transcript": 0, "kind_wire": 0, "kind_news": 1, "kind_other": 0}
    }
    assert_as_rebuilt()


def test_an_event_without_statements_has_a_key_of_its_own(world):
    """ "Without statements" is a key (value 0) that the event loses with its first statement and finds again with
    its last one gone, so that the filter and its counts read it as any other."""
    meeting = world["meeting"]
    Statement.objects.filter(event=meeting).delete()
    assert {key for key in keys_of(meeting) if key[0] == eventkeys.STATEMENTS} == {(eventkeys.STATEMENTS, 0)}
    assert counts(eventkeys.STATEMENTS) == {0: 1}
    StatementFactory(event=meeting)
    StatementFactory(event=meeting)
    assert {key for key in keys_of(meeting) if key[0] == eventkeys.STATEMENTS} == {(eventkeys.STATEMENTS, 1)}
    Event.objects.filter(pk=world["draft"].pk).update(status="published")  # a draft without statements published
    assert counts(eventkeys.STATEMENTS) == {0: 1, 1: 1}
    assert_as_rebuilt()


CHANGES = {
    "publish": lambda w: Event.objects.filter(pk=w["draft"].pk).update(status="published"),
    "unpublish": lambda w: Event.objects.filter(pk=w["meeting"].pk).update(status="draft"),
    "new date": lambda w: Event.objects.filter(pk=w["meeting"].pk).update(start_date=datetime.date(1990, 1, 2)),
    "new end date": lambda w: Event.objects.filter(pk=w["meeting"].pk).update(end_date=datetime.date(2025, 6, 30)),
    "new type": lambda w: Event.objects.filter(pk=w["meeting"].pk).update(event_type="summit"),
    "new precision": lambda w: Event.objects.filter(pk=w["meeting"].pk).update(
        date_precision="month", start_date=datetime.date(2025, 5, 1)
    ),
    "title": lambda w: Event.objects.filter(pk=w["meeting"].pk).update(title="Renamed"),
    "add participant": lambda w: InvolvementFactory(event=w["meeting"], participant=ParticipantFactory(country="MX")),
    "remove one part": lambda w: Involvement.objects.filter(part="speaker").delete(),
    "remove participant": lambda w: Involvement.objects.filter(participant=w["usa"]).delete(),
    "move involvement": lambda w: Involvement.objects.filter(event=w["draft"]).update(event=w["meeting"]),
    "add topic": lambda w: w["meeting"].topics.add(TopicFactory()),
    "remove topic": lambda w: w["meeting"].topics.clear(),
    "remove statement": lambda w: Statement.objects.all().delete(),
    "move statement": lambda w: Statement.objects.update(event=w["draft"]),
    "new speaker": lambda w: Statement.objects.update(speaker=w["usa"]),
    "add statement": lambda w: StatementFactory(event=w["meeting"]),
    "country": lambda w: Participant.objects.filter(pk=w["usa"].pk).update(country="MX"),
    "no country": lambda w: Participant.objects.filter(pk=w["canada"].pk).update(country=""),
    "delete event": lambda w: (Statement.objects.all().delete(), w["meeting"].delete()),
    "save in the admin's way": lambda w: w["meeting"].save(),
    "cite a source": lambda w: w["meeting"].sources.add(SourceFactory(publisher="Reuters", kind="wire")),
    "cite a draft's source": lambda w: w["meeting"].sources.add(Source.objects.get(slug="leak")),
    "drop the event's citation": lambda w: w["meeting"].sources.clear(),
    "drop the statement's citations": lambda w: Statement.sources.through.objects.all().delete(),
    "cite from a new statement": lambda w: StatementFactory(event=w["meeting"], sources=[SourceFactory()]),
    "move a citation": lambda w: Event.sources.through.objects.filter(event=w["draft"]).update(event=w["meeting"]),
    "new publisher": lambda w: Source.objects.filter(slug="cbc").update(publisher="Reuters"),
    "new kind": lambda w: Source.objects.update(kind="other"),
    "rename a draft's source": lambda w: Source.objects.filter(slug="leak").update(publisher="AP"),
    "delete a source": lambda w: Source.objects.get(slug="release").delete(),
    "edit a draft": lambda w: (
        Event.objects.filter(pk=w["draft"].pk).update(start_date=datetime.date(2001, 2, 3), event_type="summit"),
        w["draft"].topics.add(TopicFactory()),
        InvolvementFactory(event=w["draft"], participant=w["canada"]),
    ),
}


# Changes no key reads: a title, a save that changes nothing else, one of two parts of one participant, one more
# statement of an event that has some.
KEEP_KEYS = [
    CHANGES[name]
    for name in (
        "title",
        "save in the admin's way",
        "remove one part",
        "add statement",
        "drop the event's citation",  # its statement still cites that source
        "rename a draft's source",
        "edit a draft",
    )
]


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_every_change_leaves_the_keys_as_a_rebuild_would(world, change):
    before = state()
    change(world)
    assert_as_rebuilt()
    if change not in KEEP_KEYS:
        assert state() != before  # the control: the change did change the keys


def test_counts_are_the_number_of_events_per_value(world):
    EventFactory(topics=[world["trade"]])
    assert counts(eventkeys.TOPIC) == {world["trade"].pk: 2}
    assert counts(eventkeys.EVENT) == {0: 2}
    Event.objects.update(status="draft")
    assert rows("SELECT * FROM timeline_facetcount") == []  # no row for a value no event has


def pairs_counted_one_by_one() -> list[tuple]:
    """timeline_keypair's rows as Python counts them from the keys: events per two keys of different facets."""
    import collections
    import itertools

    keys = collections.defaultdict(list)
    for facet, value, event in rows("SELECT facet, value, event_id FROM timeline_eventkey"):
        if facet in eventkeys.PAIRED:
            keys[event].append((facet, value))
    counted = collections.Counter(
        (*a, *b) for of_event in keys.values() for a, b in itertools.permutations(of_event, 2) if a[0] != b[0]
    )
    return sorted((*pair, n) for pair, n in counted.items())


def test_pairs_are_the_events_sharing_two_keys(world):
    meeting, canada, usa = world["meeting"], world["canada"], world["usa"]
    EventFactory(topics=[world["trade"]], event_type="summit", start_date=datetime.date(2025, 5, 20))
    InvolvementFactory(event=meeting, participant=ParticipantFactory(country="CA"))
    pairs = rows("SELECT * FROM timeline_keypair")
    assert pairs == pairs_counted_one_by_one()
    trade, may = world["trade"].pk, (2025 * 12 + 4) * 4
    paired = {(a, va, b, vb): n for a, va, b, vb, n in pairs}
    assert paired[(eventkeys.TOPIC, trade, eventkeys.MONTH, may)] == 2  # both events, both ways round
    assert paired[(eventkeys.MONTH, may, eventkeys.TOPIC, trade)] == 2
    assert paired[(eventkeys.TOPIC, trade, eventkeys.COUNTRY, eventkeys.country_value("CA"))] == 1
    assert (eventkeys.PARTICIPANT, canada.pk, eventkeys.PARTICIPANT, usa.pk) not in paired  # one facet: no pair
    assert not any(eventkeys.SOURCE in (a, b) or eventkeys.EVENT in (a, b) for a, _, b, _ in paired)
    Event.objects.update(status="draft")
    assert rows("SELECT * FROM timeline_keypair") == []  # no row for a pair no event has


def test_event_types_are_keyed_in_the_order_of_their_choices():
    """The keys number the types and precisions as they are declared: a change to the choices must come with a
    rebuild."""
    from timeline.dates import Precision

    assert eventkeys.TYPES == tuple(value for value, _ in Event.Type.choices)
    assert eventkeys.PRECISIONS == tuple(Precision.values)


def test_the_publishers_counts_have_a_column_for_each_kind_of_source():
    assert eventkeys.KINDS == tuple(Source.Kind.values)


def test_a_page_of_publishers_is_read_in_readers_order_from_its_index_alone():
    """The page's ORDER BY must be the index's own expression, or each page sorts every publisher (35,000 at
    100,000 events). Sorting is made dear, so that the planner shows whether the index can serve the order."""
    for publisher in ["Zeta", "Élections Canada", "néomédia", "Newsmax"]:
        EventFactory(sources=[SourceFactory(publisher=publisher)])
    with recorded() as queries:
        page = eventkeys.Publishers()[0:3]
    plan = ordered_plan(*queries[-1])
    # SQLite lowers only ASCII letters: its key is "Élections canada".
    assert [publisher["publisher_key"].lower() for publisher in page] == ["élections canada", "néomédia", "newsmax"]
    read = "Index Only Scan using" if connection.vendor == "postgresql" else "USING COVERING INDEX"
    assert f"{read} timeline_publishercount_readers_order_idx" in plan, plan
    # One sort: the page's own (51 rows at most), none of every publisher for it.
    assert plan.count("Sort  (" if connection.vendor == "postgresql" else "TEMP B-TREE") == 1, plan


def test_rebuild_after_a_bulk_write_with_the_triggers_suspended(world):
    with eventkeys.suspended():
        bulk = EventFactory(slug="written-in-bulk", topics=[world["trade"]])
        assert keys_of(bulk) == set()
    assert (eventkeys.TOPIC, world["trade"].pk) in keys_of(bulk)
    assert_as_rebuilt()


def test_the_triggers_are_back_after_a_migrate(world):
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    assert (eventkeys.EVENT, 0) in keys_of(EventFactory(slug="after-migrate"))
    assert_as_rebuilt()


def test_no_dump_or_backup_holds_the_keys(world):
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("dumpdata", "timeline", stdout=out)
    assert {row["model"] for row in json.loads(out.getvalue())} >= {"timeline.event", "timeline.topic"}
    assert "eventkey" not in out.getvalue() and "facetcount" not in out.getvalue()


@pytest.mark.postgresql
def test_the_planner_knows_how_many_events_a_value_of_a_facet_has():
    """A value common in one facet may be rare in another: taken from each column alone, PostgreSQL's estimate of a
    value's events is wrong by as many times as there are facets, and it plans a count or a page for the wrong number
    (migration 0029 keeps statistics of the two together)."""
    for _ in range(150):
        EventFactory()  # each a meeting: keys EVENT 0, its month, and TYPE 1, the meetings' value
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE timeline_eventkey")
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT event_id FROM timeline_eventkey WHERE facet = %s AND value = %s",
            [eventkeys.TYPE, eventkeys.type_value("meeting")],
        )
        estimate = cursor.fetchone()[0][0]["Plan"]["Plan Rows"]
    assert 135 <= estimate <= 165, f"estimated {estimate} of the 150 meetings' keys"
