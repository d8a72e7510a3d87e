"""An obviously synthetic dataset of any size, for benchmarks and load tests.

Everything here is invented: participants get made-up names built from nonsense syllables, places and
publishers are fictional, every title and quote says it is synthetic, and every URL is on the reserved
`example` domain. No real person is ever given a made-up quote.

The generator draws every random choice from one `random.Random(seed)` in a fixed order, one event at a
time, so the same seed and size always give the same rows whatever the batch size. Rows go in with
`bulk_create`, a batch of events (with their sources, statements and links) per transaction.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.text import slugify

from timeline.dates import Precision, truncate
from timeline.models import Event, Involvement, Participant, Role, Source, Statement, Topic, normalize_url

FIRST_YEAR, LAST_DATE = 1850, datetime.date(2026, 12, 31)

# (English, French) subjects: titles and English statements use the first, French statements the second.
SUBJECTS = [
    ("softwood lumber", "le bois d'œuvre"),
    ("dairy quotas", "les quotas laitiers"),
    ("steel tariffs", "les tarifs sur l'acier"),
    ("aluminum tariffs", "les tarifs sur l'aluminium"),
    ("energy exports", "les exportations d'énergie"),
    ("pipeline permits", "les permis de pipeline"),
    ("border security", "la sécurité frontalière"),
    ("critical minerals", "les minéraux critiques"),
    ("auto parts", "les pièces automobiles"),
    ("digital services taxes", "la taxe sur les services numériques"),
    ("fisheries", "les pêches"),
    ("Arctic sovereignty", "la souveraineté arctique"),
    ("defence spending", "les dépenses de défense"),
    ("water rights", "les droits sur l'eau"),
    ("wildfire cooperation", "la coopération contre les feux de forêt"),
    ("electricity trade", "le commerce de l'électricité"),
    ("potash exports", "les exportations de potasse"),
    ("uranium supply", "l'approvisionnement en uranium"),
    ("farm subsidies", "les subventions agricoles"),
    ("rules of origin", "les règles d'origine"),
    ("trade dispute panels", "les groupes spéciaux commerciaux"),
    ("supply management", "la gestion de l'offre"),
    ("visa rules", "les règles de visa"),
    ("rail freight", "le transport ferroviaire"),
    ("Great Lakes water quality", "la qualité de l'eau des Grands Lacs"),
    ("salmon stocks", "les stocks de saumon"),
    ("migration policy", "la politique migratoire"),
    ("currency policy", "la politique monétaire"),
    ("shipbuilding contracts", "les contrats de construction navale"),
    ("satellite launches", "les lancements de satellites"),
]
TOPIC_NAMES = [english[0].upper() + english[1:] for english, _ in SUBJECTS]  # 30 topics, one per subject

SYLLABLES = [
    "ba",
    "ve",
    "lo",
    "mar",
    "tis",
    "quen",
    "dor",
    "ral",
    "shi",
    "vo",
    "ne",
    "ka",
    "thel",
    "rin",
    "zu",
    "pel",
    "gra",
    "mo",
    "sef",
    "ul",
    "bri",
    "tan",
    "ost",
    "wy",
    "leth",
    "cor",
    "ami",
    "dro",
    "fen",
    "ish",
]
PLACE_SUFFIXES = ["ford", "haven", "mere", "port", "vale", "ton", "wick", "bury"]
PUBLISHER_FORMS = ["The {} Ledger", "{} Daily Wire", "The {} Courier", "{} Public Radio", "The {} Review"]
ORGANISATION_FORMS = ["{} Trade Council", "{} Institute", "{} Workers' Association", "{} Chamber of Commerce"]
ROLE_TITLES = [
    "Minister of {}",
    "Ambassador for {}",
    "Chief negotiator on {}",
    "Spokesperson on {}",
    "Committee chair on {}",
]
COUNTRIES = ["CA"] * 9 + ["US"] * 9 + ["MX", "GB"]

EN_QUOTES = [
    "Synthetic quote: we will not accept new limits on {s}, and we said so plainly today.",
    "Synthetic quote: the talks on {s} were frank, and there is more work to do before {t}.",
    "Synthetic quote: our partners know where we stand on {s} and on {t}.",
    "Synthetic quote: any deal has to protect jobs that depend on {s}.",
]
EN_PARAPHRASES = [
    "Synthetic paraphrase: the speaker said negotiations on {s} would resume after a review of {t}.",
    "Synthetic paraphrase: the speaker called the measures on {s} unjustified.",
]
FR_QUOTES = [
    "Citation synthétique : nous n'accepterons pas de nouvelles limites sur {s}.",
    "Citation synthétique : les discussions sur {s} ont été franches, et le travail continue sur {t}.",
    "Citation synthétique : nos partenaires savent ce que nous pensons de {s}.",
]
FR_PARAPHRASES = [
    "Paraphrase synthétique : l'intervenant a dit que les négociations sur {s} reprendraient bientôt.",
]

EVENT_TYPES = [choice for choice, _ in Event.Type.choices]
PARTS_BY_TYPE = {
    Event.Type.AGREEMENT: [Involvement.Part.SIGNATORY],
    Event.Type.MEETING: [Involvement.Part.HOST, Involvement.Part.GUEST],
    Event.Type.SUMMIT: [Involvement.Part.HOST, Involvement.Part.GUEST],
}
OTHER_PARTS = [Involvement.Part.ATTENDEE, Involvement.Part.SPEAKER, Involvement.Part.SUBJECT]


@dataclass
class Sizes:
    """How many of each thing, scaled from the number of events (the defaults match 100,000 events)."""

    events: int
    participants: int = 0
    topics: int = len(TOPIC_NAMES)

    def __post_init__(self):
        self.participants = self.participants or max(5, self.events // 5)


@dataclass
class Counts:
    participants: int = 0
    roles: int = 0
    topics: int = 0
    events: int = 0
    drafts: int = 0
    sources: int = 0
    statements: int = 0
    involvements: int = 0


class Generator:
    def __init__(
        self, sizes: Sizes, seed: int, batch_size: int = 2000, progress: Callable[[str, int, int], None] | None = None
    ):
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.batch_size = batch_size
        self.progress = progress or (lambda stage, done, total: None)
        self.counts = Counts()

    # Random building blocks

    def word(self, syllables: int) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()

    def place(self) -> str:
        return self.word(2) + self.rng.choice(PLACE_SUFFIXES)

    def year(self) -> int:
        """Most events are recent: an exponential tail back from the last year, plus a uniform floor."""
        if self.rng.random() < 0.25:
            return self.rng.randint(FIRST_YEAR, LAST_DATE.year)
        return max(FIRST_YEAR, LAST_DATE.year - int(self.rng.expovariate(1 / 12)))

    def day_in(self, year: int) -> datetime.date:
        start = datetime.date(year, 1, 1)
        return start + datetime.timedelta(days=self.rng.randrange((datetime.date(year, 12, 31) - start).days + 1))

    def precision(self, year: int) -> str:
        """Older events are known less precisely."""
        weights = (50, 25, 25) if year < 1950 else (85, 10, 5)
        return self.rng.choices([Precision.DAY, Precision.MONTH, Precision.YEAR], weights)[0]

    def pick_participant(self) -> int:
        """A participant index with a long tail: a few appear in many events, most in a handful."""
        return int(self.sizes.participants * self.rng.random() ** 2)

    # Stages

    def run(self) -> Counts:
        self.topic_ids = self.create_topics()
        self.participant_ids, self.person_flags = self.create_participants()
        self.create_events()
        return self.counts

    def create_topics(self) -> list[int]:
        topics = [
            Topic(
                name=name,
                slug=f"synthetic-{slugify(name)}",
                description=f"Synthetic topic about {SUBJECTS[i][0]}, generated for load tests.",
            )
            for i, name in enumerate(TOPIC_NAMES[: self.sizes.topics])
        ]
        with transaction.atomic():
            Topic.objects.bulk_create(topics)
        self.counts.topics = len(topics)
        return [topic.pk for topic in topics]

    def create_participants(self) -> tuple[list[int], list[bool]]:
        total = self.sizes.participants
        ids, persons = [], []
        for start in range(0, total, self.batch_size):
            batch, roles = [], []
            for i in range(start, min(start + self.batch_size, total)):
                participant, participant_roles = self.participant(i)
                batch.append(participant)
                roles.append(participant_roles)
            with transaction.atomic():
                Participant.objects.bulk_create(batch)
                for participant, participant_roles in zip(batch, roles, strict=True):
                    for role in participant_roles:
                        role.participant_id = participant.pk
                Role.objects.bulk_create([role for group in roles for role in group])
            ids += [participant.pk for participant in batch]
            persons += [participant.kind == Participant.Kind.PERSON for participant in batch]
            self.counts.roles += sum(len(group) for group in roles)
            self.progress("participants", len(ids), total)
        self.counts.participants = len(ids)
        return ids, persons

    def participant(self, i: int) -> tuple[Participant, list[Role]]:
        kind = self.rng.choices(list(Participant.Kind), (80, 15, 5))[0]
        country = self.rng.choice(COUNTRIES)
        if kind == Participant.Kind.PERSON:
            name = f"{self.word(2)} {self.word(3)}"
        elif kind == Participant.Kind.ORGANISATION:
            name = self.rng.choice(ORGANISATION_FORMS).format(self.place())
        else:
            name = f"Government of {self.place()}"
        participant = Participant(
            name=name,
            slug=f"synthetic-{slugify(name)}-{i + 1}",
            kind=kind,
            country=country,
            description=f"Synthetic {kind.label.lower()}, generated for load tests.",
        )
        roles = []
        if kind == Participant.Kind.PERSON:
            for n in range(self.rng.choice((1, 1, 2))):
                start = self.day_in(self.year())
                ended = self.rng.random() < 0.7
                end = min(LAST_DATE, start + datetime.timedelta(days=self.rng.randint(200, 3000))) if ended else None
                subject = self.rng.choice(SUBJECTS)[0]
                roles.append(
                    Role(
                        title=self.rng.choice(ROLE_TITLES).format(subject)
                        + (" (synthetic)" if n == 0 else " (acting, synthetic)"),
                        organisation=f"Government of {self.place()}",
                        start=start,
                        end=end,
                    )
                )
        return participant, roles

    def create_events(self) -> None:
        total = self.sizes.events
        done = 0
        for start in range(0, total, self.batch_size):
            plans = [self.event_plan(n) for n in range(start + 1, min(start + self.batch_size, total) + 1)]
            with transaction.atomic():
                self.insert(plans)
            done += len(plans)
            self.progress("events", done, total)

    def event_plan(self, n: int) -> dict:
        """Event number `n` and everything hanging off it, drawn from the generator in a fixed order (so that a
        seed always gives the same data)."""
        event, subject_index, subject, other = self.plan_event(n)
        topics = self.plan_topics(subject_index)
        participants, involvements = self.plan_involvements(event.event_type)
        sources = self.plan_sources(n, event, subject)
        statements, statement_sources = self.plan_statements(n, event, participants, (subject, other), len(sources))
        return {
            "event": event,
            "topics": topics,
            "involvements": involvements,
            "sources": sources,
            "statements": statements,
            "statement_sources": statement_sources,
        }

    def plan_event(self, n: int):
        rng = self.rng
        year = self.year()
        precision = self.precision(year)
        start = truncate(self.day_in(year), precision)
        end = None
        if rng.random() < 0.12:
            span = {Precision.DAY: (1, 10), Precision.MONTH: (31, 180), Precision.YEAR: (366, 3650)}[precision]
            end = truncate(start + datetime.timedelta(days=rng.randint(*span)), precision)
            end = end if end <= LAST_DATE else None
        event_type = rng.choice(EVENT_TYPES)
        kind = "event" if event_type == Event.Type.OTHER else Event.Type(event_type).label.lower()
        subject_index, other_index = rng.sample(range(len(SUBJECTS)), 2)
        subject, other = SUBJECTS[subject_index], SUBJECTS[other_index]
        places = (self.place(), self.place())
        draft = rng.random() < 0.05
        event = Event(
            title=f"Synthetic {kind} on {subject[0]} in {places[0]} (no. {n})",
            slug=f"synthetic-event-{n}",
            summary=(
                f"Synthetic record for load tests. Delegations from {places[0]} and {places[1]} discussed "
                f"{subject[0]} and {other[0]}."
            ),
            body=(
                f"This synthetic event is not a real one. It stands in for a report of talks on {subject[0]}, "
                f"with follow-up on {other[0]}.\n\nIt was generated to measure the timeline at scale."
                if rng.random() < 0.4
                else ""
            ),
            start_date=start,
            date_precision=precision,
            end_date=end,
            end_precision=precision,
            approximate=precision == Precision.YEAR and year < 1950 and rng.random() < 0.3,
            event_type=event_type,
            location=places[0],
            importance=rng.choices((1, 2, 3), (50, 35, 15))[0],
            status=Event.Status.DRAFT if draft else Event.Status.PUBLISHED,
        )
        if not draft:  # published the day after it happened, or on launch day for the archive
            published = max(start, datetime.date(2020, 1, 1)) + datetime.timedelta(days=1)
            event.published_at = datetime.datetime.combine(published, datetime.time(12), datetime.UTC)
        return event, subject_index, subject, other

    def plan_topics(self, subject_index: int) -> list[int]:
        """The topic of what the event is about, and sometimes one or two more."""
        topic_indexes = [subject_index % len(self.topic_ids)]
        for _ in range(self.rng.choice((0, 0, 1, 2))):
            index = self.rng.randrange(len(self.topic_ids))
            if index not in topic_indexes:
                topic_indexes.append(index)
        return topic_indexes

    def plan_involvements(self, event_type: str):
        rng = self.rng
        participants = []
        for _ in range(rng.choice((1, 2, 3, 3, 4, 5))):
            index = self.pick_participant()
            if index not in participants:
                participants.append(index)
        parts = PARTS_BY_TYPE.get(event_type, OTHER_PARTS)
        involvements = [
            Involvement(
                participant_id=self.participant_ids[index],
                part=parts[min(i, len(parts) - 1)] if event_type in PARTS_BY_TYPE else rng.choice(parts),
                order=i,
            )
            for i, index in enumerate(participants)
        ]
        return participants, involvements

    def plan_sources(self, n: int, event: Event, subject) -> list[Source]:
        rng, start, precision = self.rng, event.start_date, event.date_precision
        sources = []
        for k in range(rng.choice((1, 2, 2, 3))):
            publisher = rng.choice(PUBLISHER_FORMS).format(self.place())
            published = start + datetime.timedelta(days=rng.randint(0, 20)) if precision == Precision.DAY else start
            url = f"https://synthetic.example/{slugify(publisher)}/{n}-{k + 1}" if rng.random() < 0.9 else ""
            sources.append(
                Source(
                    slug=f"synthetic-source-{n}-{k + 1}",
                    title=f"Synthetic report on {subject[0]} ({n}.{k + 1})",
                    publisher=publisher,
                    url=url,
                    normalized_url=normalize_url(url) if url else None,
                    published_on=min(published, LAST_DATE),
                    published_precision=precision,
                    kind=rng.choice(list(Source.Kind)),
                )
            )
        return sources

    def plan_statements(self, n: int, event: Event, participants: list[int], subjects, source_count: int):
        rng, start, precision = self.rng, event.start_date, event.date_precision
        subject, other = subjects
        speakers = [i for i in participants if self.person_flags[i]] or participants
        statements, statement_sources = [], []
        for k in range(rng.choice((1, 2, 3, 3, 4, 5))):
            french = rng.random() < 0.15
            quote = rng.random() < 0.7
            templates = (FR_QUOTES if quote else FR_PARAPHRASES) if french else (EN_QUOTES if quote else EN_PARAPHRASES)
            words = (subject[1], other[1]) if french else (subject[0], other[0])
            said_on, said_precision = start, precision
            roll = rng.random()
            if roll < 0.1:
                said_on, said_precision = None, Precision.DAY
            elif roll < 0.2 and precision == Precision.DAY:
                said_on = start + datetime.timedelta(days=rng.randint(1, 3))
            statements.append(
                Statement(
                    slug=f"synthetic-statement-{n}-{k + 1}",
                    speaker_id=self.participant_ids[rng.choice(speakers)],
                    speaker_label="",
                    text=rng.choice(templates).format(s=words[0], t=words[1]),
                    kind=Statement.Kind.QUOTE if quote else Statement.Kind.PARAPHRASE,
                    language=Statement.Language.FRENCH if french else Statement.Language.ENGLISH,
                    said_on=said_on,
                    said_precision=said_precision,
                    importance=rng.choices((1, 2, 3), (30, 50, 20))[0],
                )
            )
            statement_sources.append(rng.randrange(source_count))
        return statements, statement_sources

    def insert(self, plans: list[dict]) -> None:
        """One batch of events and everything hanging off them; bulk_create returns the new primary keys."""
        Event.objects.bulk_create([plan["event"] for plan in plans])
        Source.objects.bulk_create([source for plan in plans for source in plan["sources"]])
        EventTopic, EventSource = Event.topics.through, Event.sources.through
        StatementSource = Statement.sources.through
        event_topics, event_sources, involvements, statements = [], [], [], []
        for plan in plans:
            event_id = plan["event"].pk
            event_topics += [EventTopic(event_id=event_id, topic_id=self.topic_ids[i]) for i in plan["topics"]]
            event_sources += [EventSource(event_id=event_id, source_id=source.pk) for source in plan["sources"]]
            for involvement in plan["involvements"]:
                involvement.event_id = event_id
            involvements += plan["involvements"]
            for statement in plan["statements"]:
                statement.event_id = event_id
            statements += plan["statements"]
        EventTopic.objects.bulk_create(event_topics)
        EventSource.objects.bulk_create(event_sources)
        Involvement.objects.bulk_create(involvements)
        Statement.objects.bulk_create(statements)
        StatementSource.objects.bulk_create(
            [
                StatementSource(statement_id=statement.pk, source_id=plan["sources"][index].pk)
                for plan in plans
                for statement, index in zip(plan["statements"], plan["statement_sources"], strict=True)
            ]
        )
        self.counts.events += len(plans)
        self.counts.drafts += sum(plan["event"].status == Event.Status.DRAFT for plan in plans)
        self.counts.sources += sum(len(plan["sources"]) for plan in plans)
        self.counts.statements += len(statements)
        self.counts.involvements += len(involvements)


def timeline_tables() -> list[str]:
    """Every table of the timeline app, history and many-to-many tables included."""
    from django.apps import apps

    tables = []
    for model in apps.get_app_config("timeline").get_models(include_auto_created=True):
        if model._meta.managed:  # the facet keys are derived, and emptied with the events
            tables.append(model._meta.db_table)
    return tables


def flush_timeline() -> None:
    """Empty the timeline's tables (and only them) in one statement per table, resetting their sequences."""
    from django.core.management.color import no_style

    sql = connection.ops.sql_flush(no_style(), timeline_tables(), reset_sequences=True, allow_cascade=False)
    deferred = connection.vendor == "postgresql" and connection.in_atomic_block
    if deferred:  # PostgreSQL refuses to TRUNCATE a table with deferred foreign key checks pending
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    connection.ops.execute_sql_flush(sql)
    with connection.cursor() as cursor:  # derived from the events (timeline/eventkeys.py), not a model's table
        cursor.execute("DELETE FROM timeline_eventkey")
        cursor.execute("DELETE FROM timeline_facetcount")
        cursor.execute("DELETE FROM timeline_publishercount")
    if deferred:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def analyze() -> None:
    """Fresh planner statistics after a bulk load, so the first queries do not run on empty-table estimates."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # VACUUM also fills the visibility map that index-only scans need, but cannot run in a transaction.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            for table in timeline_tables():
                cursor.execute(f"{command} {connection.ops.quote_name(table)}")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
