"""Every reader-facing query starts here: `published()` is the one definition of what the public may see.

Each fact about what readers may see, or how a list is fetched, is one method here. The querysets reach related
models through `self.model`, so this module imports nothing from timeline.models (which imports it).
"""

import datetime
import functools
import json
import unicodedata

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat, Greatest, Least, Lower, NullIf, Trim
from django.db.models.sql.where import WhereNode
from django.utils import translation

from timeline import alongside, datedkeys, eventkeys, fulltext, search_documents, statementkeys
from timeline.search import (
    HIGHLIGHT_START,
    HIGHLIGHT_STOP,
    SEARCH_CONFIGS,
    SEARCH_MAX_WORDS,
    AmongIds,
    Highlight,
    Ids,
    among,
    fold,
    postgresql_query,
    read_ids,
    search_query,
    search_terms,
    search_text,
    search_words,
    statement_matches,
    stored_search_vector,
)


def localized(field: str, language: str | None = None):
    """A translated field as readers see it in `language` (the active one by default): its French, or its English
    where the French is missing, as `event.title` reads it (timeline/translation.py), for use inside a query."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    english = F(f"{field}_{settings.LANGUAGE_CODE}")
    if language == settings.LANGUAGE_CODE:
        return english
    return Coalesce(NullIf(F(f"{field}_{language}"), Value("")), english, output_field=models.TextField())


# Names in the order readers expect, in either language: by their letters first, accents and case set aside
# ("Défense" before "Droits", "Élections" among the E's, "Joël" before "John", "k.d. lang" before "Mark"), then by
# accents, then lower case first. PostgreSQL orders so by ICU's root collation; SQLite, which compares bytes, by a
# collation of the same rules registered on each connection (timeline/apps.py). The participants' index reads the
# readers' order from an index (migration 0030).
ICU_COLLATION = "und-x-icu"
SQLITE_NAME_COLLATION = "timeline_names"


@functools.lru_cache(maxsize=10_000)
def name_key(name: str) -> tuple[str, str, str]:
    """How SQLite orders names: their letters (`fold`: no case, no accents, one kind of apostrophe), then their
    accents ("cote" before "côte"), then their case (lower first)."""
    return fold(name), unicodedata.normalize("NFD", name).lower(), name.swapcase()


def compare_names(first: str, second: str) -> int:
    """SQLite's collation of names (see name_key)."""
    a, b = name_key(first), name_key(second)
    return (a > b) - (a < b)


class NameOrder(Func):
    """A name (an expression) in the order readers expect, to order or index by: Django's Collate names one
    collation for every database (and an index cannot hold a subclass of it)."""

    template = "%(expressions)s COLLATE %(collation)s"

    def __init__(self, expression):
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra_context):
        extra_context.setdefault("collation", name_collation(connection))
        return super().as_sql(compiler, connection, **extra_context)


def name_collation(connection) -> str:
    """The collation that orders names as readers expect on `connection`'s database, quoted for SQL."""
    return connection.ops.quote_name(SQLITE_NAME_COLLATION if connection.vendor == "sqlite" else ICU_COLLATION)


# French letters with accents (SQLite's lower() leaves them as they are, capitals too) and the typographic
# apostrophe, which readers_order_sql folds as search.fold does. No more: each is one more nested replace(), and
# SQLite's parser takes about thirty.
FOLDED_LETTERS = "àâçéèêëîïôùûü" + "àâçéèêîô".upper() + "\u2019"


def readers_order_sql(connection, column: str) -> str:
    """SQL ordering the text `column` as readers expect (see NameOrder), for tables the triggers keep: there
    SQLite must order without the app's collation, which the sqlite3 shell lacks and every write to an index
    needing it would fail without (a trigger writes to such tables on any change of an event). SQLite orders
    them by the text folded as search.fold folds French through its own functions: the collation's order for
    names in English and French, the accents aside (see FOLDED_LETTERS)."""
    if connection.vendor == "postgresql":
        return f"{column} COLLATE {name_collation(connection)}"
    folded = f"lower({column})"
    for letter in FOLDED_LETTERS:
        bare = fold(letter).replace("'", "''")
        folded = f"replace({folded}, '{letter}', '{bare}')"
    return folded


def count_of(queryset, field: str, distinct: str = "pk"):
    """How many distinct `distinct` values the rows of `queryset` pointing at the outer row through `field` have:
    a correlated subquery, 0 when there are none."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field)
    n = Count(distinct, distinct=True)
    return Coalesce(Subquery(counted.annotate(n=n).values("n")), 0, output_field=IntegerField())


def related(model, name: str):
    """The model at the other end of `model`'s relation `name` (a field or a reverse accessor)."""
    return model._meta.get_field(name).related_model


def through(model, name: str):
    """The table linking `model` to the other side of its many-to-many relation `name`, in either direction."""
    field = model._meta.get_field(name)
    return field.through if field.auto_created else field.remote_field.through


# Previous and next on an event's page: the same day's events follow the timeline's order (importance, then pk).
NEIGHBOUR_FIELDS = ("slug", "title", "start_date", "date_precision", "end_date", "end_precision", "approximate")


# Past this many, a search's matches may be most of the published events, and are then read otherwise
# (search.Ids.most); below it, sending them costs less than asking how many published events there are.
MANY_MATCHES = 10_000


def most_events(found: int, published) -> bool:
    """Whether `found` events are most of the published events (search.Ids.most): more than MANY_MATCHES, and
    than half of `published()`, which is asked only past MANY_MATCHES."""
    return found > MANY_MATCHES and 2 * found > published()


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def with_only_weak_sources(self):
        """`only_weak_sources`: whether every source the event itself cites is from a weak publisher."""
        return self.annotate(only_weak_sources=only_weak_sources(self.model))

    def between(self, start: datetime.date | None = None, end: datetime.date | None = None, alone: bool = False):
        """Published events overlapping [start, end]: a range event counts if any part of it falls inside.

        The last day is written as the expression the published events' index holds (migration 0008), so that
        the index serves the range: "end_date >= start OR (no end_date AND start_date >= start)" reads every row.

        With no other filter (`alone`), the first day is bounded too: none of these events starts before `start`,
        or before the earliest published event still running on `start` (read from event_ranged_idx, the events
        with an end by the day they end). The timeline's order is then walked from there for a page: SQLite read the
        index of the last day instead and sorted every event after `start` for a page of 25 (`?start=1935` at
        100,000 events: 216 ms, now 1). Under a participant, a topic, a type or a search, the bound led both
        databases to walk the order rather than read those few events first, and made the page slower.
        """
        qs = self
        if start is not None:
            qs = qs.alias(last_day=Coalesce("end_date", "start_date")).filter(last_day__gte=start)
        if start is not None and alone:
            running = self.model.objects.filter(status="published", end_date__isnull=False, end_date__gte=start)
            earliest = running.order_by().annotate(day=Func(F("start_date"), function="MIN")).values("day")[:1]
            qs = qs.filter(start_date__gte=Least(Value(start), Coalesce(Subquery(earliest), Value(start))))
        if end is not None:
            qs = qs.filter(start_date__lte=end)
        return qs

    def keyed(self, facet: int, values, few: bool = False):
        """Published events with any of these values of a facet, read from the published events' facet keys
        (timeline/eventkeys.py): only published events have keys. On PostgreSQL, the `few` events of these values
        are read first (eventkeys.among_keys_sql)."""
        if few and connections[self.db].vendor == "postgresql":
            return self.filter(eventkeys.among_keys_sql(facet, values))
        return self.filter(pk__in=RawSQL(*eventkeys.events_with(facet, values)))

    def keyed_between(self, facet: int, values, start: datetime.date | None, end: datetime.date | None):
        """Published events with any of these values of a facet that overlap [start, end] (as `between` reads a
        range), read together from one index of the keys with their events' dates (timeline/datedkeys.py)."""
        return self.filter(pk__in=RawSQL(*datedkeys.events_with(facet, values, start, end)))

    def of_types(self, types: list[str], among_keyed: bool = False):
        """Published events of any of these types. PostgreSQL reads the type from its partial indexes of published
        events, unless another filter read from the facet keys (`among_keyed`: a participant, a topic...) narrows
        them: the two lists of keys are then joined, rather than each of a topic's events read to test its type
        (15 → 4 ms for the ids of a page of a topic's summits, at 100,000 events). SQLite reads the events of a type
        from their facet keys, as a topic's, because it otherwise walked the events' table for the type (184
        instead of 337 ms for the timeline of elections at 100,000 events)."""
        if connections[self.db].vendor == "postgresql" and not among_keyed:
            return self.filter(event_type__in=types)
        return self.keyed(eventkeys.TYPE, [eventkeys.type_value(code) for code in types])

    def involving(self, participants):
        """Events any of `participants` (instances or a queryset) took part in; a subquery, so no event twice."""
        involvements = related(self.model, "involvements")
        return self.filter(pk__in=involvements.objects.filter(participant__in=participants).values("event_id"))

    def on_topics(self, topics):
        """Events on any of `topics` (instances or a queryset); a subquery, so no event twice."""
        return self.filter(pk__in=through(self.model, "topics").objects.filter(topic__in=topics).values("event_id"))

    def with_participant_from(self, countries: list[str]):
        """Events with a participant from any of these two-letter country codes."""
        involvements = related(self.model, "involvements")
        return self.filter(pk__in=involvements.objects.filter(participant__country__in=countries).values("event_id"))

    def with_statements(self, present: bool = True):
        said = Exists(related(self.model, "statements").objects.filter(event=OuterRef("pk")))
        return self.filter(said if present else ~said)

    def search(self, q: str, matching: list[int] | None = None):
        """Events matching the free text `q`, with `search_rank` (higher is better; on SQLite an alias, to sort by) and
        `search_title` / `search_summary` (the text with matches between HIGHLIGHT_START and HIGHLIGHT_STOP, in the
        reader's language).

        An event matches when its own text (title, summary, body, location), in English or in French, matches, or
        one of its statements (text and speaker label) does: a reader may remember a quote rather than a headline.
        Accents, case and the kind of apostrophe never count: "merite" finds "mérite", "l'acier" finds "l’acier".

        PostgreSQL: full-text search in websearch syntax ("quoted phrases", or, -not), ranked, the English stemmed
        as English and the French as French (a query is read both ways: "tarifs" finds "tariffs" and "tarifs").
        Other databases: each word must appear in the event's text, or each in one statement; the rank only says
        whether the title, the event's text or only a statement matched.
        Either way `q` is first rebuilt by `search_query`; a search with nothing to look for ("---") selects all.

        `matching`: the ids of the events `q` matches, read already (`search_matches`), so the match is read from
        them rather than evaluated again (or, of those, the ones other filters select too); the ranks and
        highlights are the same.
        """
        q = search_query(q)
        if not q:
            return self
        if connections[self.db].vendor == "postgresql":
            return self._search_postgresql(q, matching)
        return self._search_simple(q, matching)

    def search_matches(self, q: str) -> Ids | None:
        """The ids of these events matching the free text `q`, read in one query, for the queries of a page to
        share; None for a search with nothing to look for. PostgreSQL's planner cannot tell how many rows a text
        search matches (it guesses a handful, where a common word matches thousands), so each facet count embedding
        the match itself was planned badly and evaluated it again. SQLite evaluated it again in each query too:
        finding a common word's events through their statements takes 20 ms at 100,000 events."""
        rebuilt = search_query(q)
        if not rebuilt:
            return None
        if self._all_published_on_postgresql():
            # The published events' own documents (timeline/search_documents.py): one scan of narrow rows, where
            # the events' and statements' own wide rows, drafts' included, took two and a join with every published
            # event (73–94 ms → 30 ms for "trade" at 100,000 events).
            sql, params = search_documents.matches_sql(rebuilt)
        else:
            try:
                sql, params = self.search(q).order_by().values("pk").query.sql_with_params()
            except EmptyResultSet:  # SQLite: no word to look for ("or", "-tariff"), so nothing matches
                return Ids()
        matches = Ids(read_ids(sql, params, self.db))  # past the ORM, which builds a row object for each
        if most_events(len(matches), lambda: eventkeys.kept_count(eventkeys.EVENT, 0, using=self.db)):
            matches.most = True  # a word most events have (Ids.most)
            if self._all_published_on_postgresql():
                matches.found_by = search_documents.word_matches_sql(rebuilt, self.db)
        return matches

    def _all_published_on_postgresql(self) -> bool:
        published = self.model.objects.published()
        return connections[self.db].vendor == "postgresql" and self.query.where == published.query.where

    def _search_postgresql(self, q: str, matching: list[int] | None = None):
        """The stored vectors (title A, summary B, body and location C: an event's English and its French each in its
        own, each stemmed in its language; statements in the language spoken) and their GIN indexes: matching events
        are found through the indexes, then ranked and highlighted. The query is read as English against the
        English and as French against the French."""
        from django.contrib.postgres.search import SearchHeadline, SearchRank

        event, statement = self.model, related(self.model, "statements")
        english, french = (postgresql_query(q, config) for config in SEARCH_CONFIGS.values())
        vectors = {"en": stored_search_vector(event), "fr": stored_search_vector(event, "search_vector_fr")}
        in_events = (
            event.objects.alias(english=vectors["en"], french=vectors["fr"])
            .filter(Q(english=english) | Q(french=french))
            .values("pk")
        )
        in_statements = (
            statement.objects.alias(vector=stored_search_vector(statement))
            .filter(Q(language="fr", vector=french) | ~Q(language="fr") & Q(vector=english))
            .values("event_id")
        )
        marks = {"start_sel": HIGHLIGHT_START, "stop_sel": HIGHLIGHT_STOP, "highlight_all": True}

        def headline(field: str):
            # The text the reader sees, highlighted as the language it is written in.
            shown = SearchHeadline(f"{field}_en", english, config=SEARCH_CONFIGS["en"], **marks)
            language = translation.get_language()
            if language not in SEARCH_CONFIGS or language == settings.LANGUAGE_CODE:
                return shown
            translated = SearchHeadline(f"{field}_{language}", french, config=SEARCH_CONFIGS[language], **marks)
            missing = Q(**{f"{field}_{language}__isnull": True}) | Q(**{f"{field}_{language}": ""})
            return Case(When(missing, then=shown), default=translated, output_field=models.TextField())

        if matching is None:
            matched = Q(pk__in=in_events.order_by().union(in_statements.order_by()))
        else:
            matched = AmongIds(F("pk"), matching)
        return self.filter(matched).annotate(
            search_rank=Greatest(SearchRank(vectors["en"], english), SearchRank(vectors["fr"], french)),
            search_title=headline("title"),
            search_summary=headline("summary"),
        )

    def _search_simple(self, q: str, matching: list[int] | None = None):
        """SQLite: the full-text indexes of timeline/fulltext.py, every term found (search.search_terms: a word as
        the start of a word, a quoted phrase as its words together and in order). Ranked by the indexes alone: the
        title has every term, the event's own text has them, or only a statement does."""
        terms = search_terms(q)
        if not terms:
            # No term to look for ("or", "-tariff"): nothing matches, ranked like any search, so ordering by
            # relevance still works.
            return self.none().annotate(
                search_rank=Value(0.0), search_title=localized("title"), search_summary=localized("summary")
            )
        needle = Value("\n".join(fold(word) for word in search_words(q)))
        found = Q(pk__in=fulltext.events_found(terms)) if matching is None else AmongIds(F("pk"), matching)
        # An alias: only best match first reads it. Selected, it read every match of each index for a page of 25 (a
        # word most events have, at 100,000 events: 20 of the page's 23 ms).
        return (
            self.filter(found)
            .alias(
                search_rank=Case(
                    When(pk__in=fulltext.events_matching(terms, column="title"), then=Value(1.0)),
                    When(pk__in=fulltext.events_matching(terms), then=Value(0.5)),
                    default=Value(0.1),
                ),
            )
            .annotate(
                search_title=Highlight(localized("title"), needle),
                search_summary=Highlight(localized("summary"), needle),
            )
        )

    def chronological(self, newest_first: bool = False):
        if newest_first:
            return self.order_by("-start_date", "-importance", "-pk")
        return self.order_by("start_date", "-importance", "pk")

    def newest_published(self):
        """Newest first by the time each was published (or, loaded without one, created), as the feeds date them; in
        the order of the index that serves it (event_published_newest_idx)."""
        return self.order_by(Coalesce("published_at", "created_at").desc(), "-pk")

    def past(self, place, newest_first: bool = False):
        """The events that come after `place` in the timeline's order (oldest first, or `newest_first`): `place` is
        an event, or where one stood (paging.Place), read from its day, importance and id alone.

        The redundant bound on start_date lets the database walk the (status, start_date) index from there instead
        of filtering every published event (0.1 ms instead of 80 ms at 100,000 events).
        """
        day, importance, pk = place.start_date, place.importance, place.pk
        if newest_first:
            tie = Q(importance__gt=importance) | Q(importance=importance, pk__lt=pk)
            return self.filter(Q(start_date__lt=day) | Q(start_date=day) & tie, start_date__lte=day)
        tie = Q(importance__lt=importance) | Q(importance=importance, pk__gt=pk)
        return self.filter(Q(start_date__gt=day) | Q(start_date=day) & tie, start_date__gte=day)

    def before(self, event):
        """The event just before `event` in the timeline's order, with what a link to it shows; None at the start."""
        neighbours = self.past(event, newest_first=True)
        return neighbours.chronological(newest_first=True).only(*NEIGHBOUR_FIELDS).first()

    def after(self, event):
        """The event just after `event` in the timeline's order; None at the end."""
        return self.past(event).chronological().only(*NEIGHBOUR_FIELDS).first()

    def with_counts(self):
        """`statement_count` and `source_count` of each event, as correlated subqueries."""
        return self.annotate(
            statement_count=count_of(related(self.model, "statements").objects.all(), "event"),
            source_count=count_of(through(self.model, "sources").objects.all(), "event"),
        )

    def for_export(self):
        """What the downloads write of each event: its counts, topics and people, in a fixed number of queries
        (not the quote a timeline card shows)."""
        involvement = related(self.model, "involvements")
        return self.with_counts().prefetch_related(
            "topics",
            Prefetch(
                "involvements", queryset=involvement.objects.select_related("participant").order_by("order", "pk")
            ),
        )

    def for_list(self, q: str = ""):
        """What a timeline card shows, in a fixed number of queries however many events there are.

        Counts are correlated subqueries rather than JOIN + GROUP BY, so that they combine with any filter or
        search annotation without multiplying rows. The statements of a published event are published, so
        counting them needs no further condition; `top_statements` starts with the most important one, or, for a
        search `q`, the most important one matching it (an event is found through its statements too), with
        its matches marked; `listed_topics` and `listed_involvements` hold the others.
        """
        statement, involvement = related(self.model, "statements"), related(self.model, "involvements")
        statements = statement.objects.select_related("speaker")
        order = ["-importance", F("said_on").asc(nulls_last=True), "pk"]
        if search_query(q):
            statements, order = statements.matching_first(q), ["-search_matched", *order]
        top = statements.order_by(*order)
        if not search_query(q) or connections[self.db].vendor != "sqlite":
            top = top[:1]
        # SQLite, under a search: every statement of the page's events, in that order (the card shows the first).
        # Sliced, the first of each event was picked in a window that wrote the match twice, and SQLite read every
        # statement the words find for each (a common word's 255,000: 83 ms; so, 28).
        involvements = involvement.objects.select_related("participant").order_by("order", "pk")
        # Lists rather than the relations' caches: see Event.listed_topics.
        return self.with_counts().prefetch_related(
            Prefetch("topics", to_attr="topic_list"),
            Prefetch("involvements", queryset=involvements, to_attr="involvement_list"),
            Prefetch("statements", queryset=top, to_attr="top_statements"),
        )


class ReadByIds:
    """Statements, `count` of them, as a sequence a paginator reads a page of at a time: the page's ids first, from
    SQL of their own (`page_ids_sql`), then those statements read by id from `statements` (the page's queryset: its
    search, annotations and related rows) and put in that order."""

    def __init__(self, statements, count: int):
        self.statements, self._count = statements, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def page_ids_sql(self, offset: int, limit: int) -> tuple[str, list]:
        raise NotImplementedError

    def page_ids(self, offset: int, limit: int) -> list[int]:
        with connections[self.statements.db].cursor() as cursor:
            cursor.execute(*self.page_ids_sql(offset, limit))
            return [pk for (pk,) in cursor.fetchall()]

    def __getitem__(self, page: slice) -> list:
        offset = page.start or 0
        ids = self.page_ids(offset, page.stop - offset)
        read = {statement.pk: statement for statement in self.read(ids)}
        return [read[pk] for pk in ids if pk in read]

    def read(self, ids: list[int]):
        return self.statements.filter(pk__in=ids)


class ListedByIds(ReadByIds):
    """Statements whose ids were read already (facets.statements_listed: a search's under a speaker or a topic), in
    the order said (or newest first), a page at a time: the page's ids walked from the index of that order, (sort_date,
    id), each tested against the ids, then those statements read in full. Read in one step, each statement before the
    page was joined to its event and speaker and highlighted (at 100,000 events, the 41st page of 14,323: 80 ms; its
    ids 6). Not paging.IdsFirst: its walk tests each statement's event for the published condition too, from the
    statement's row (those ids: 45 ms), where these ids are of published statements already."""

    def __init__(self, statements, ids: Ids, newest_first: bool = False, said=None):
        super().__init__(statements, len(ids))
        self.ids, self.newest_first, self.said = ids, newest_first, said

    def page_ids_sql(self, offset: int, limit: int) -> tuple[str, list]:
        listed, params = among("id", self.ids, connections[self.statements.db].vendor)
        # The ids of a range of days (`said`: start, end) are walked from its first day, not from the first ever said.
        start, end = self.said or (None, None)
        conditions = [f"sort_date {op} %s" for op, day in ((">=", start), ("<=", end)) if day is not None]
        days = [day for day in (start, end) if day is not None]
        order = "sort_date DESC, id DESC" if self.newest_first else "sort_date, id"
        return (
            f"SELECT id FROM timeline_statement WHERE {' AND '.join([*conditions, listed])} ORDER BY {order} "
            "LIMIT %s OFFSET %s",
            [*days, *params, limit, offset],
        )

    def read(self, ids: list[int]):
        # By the page's ids alone, still published: with the listed ids' array beside them, PostgreSQL 15 planned two
        # arrays on one column and scanned every statement (the 41st page above: 69 ms; 3 so).
        statements = self.statements.all()
        statements.query.where = WhereNode()
        return statements.published().filter(pk__in=ids)


class KeyedInOrder(ListedByIds):
    """Statements that are one stretch of their keys in the order said (facets.SaidWithin: a topic's within a range
    of days, statementkeys.TOPIC_SAID), a page at a time: the page's ids read from the stretch in the keys' order,
    which is the order said, (day, id), then those statements read in full, as ListedByIds reads them. Walked from
    the index of that order, each statement was tested for the topic and its event for the published condition (at
    100,000 events, the 10th page of a topic's statements since 1950: 118 ms)."""

    def __init__(self, statements, stretch: tuple[str, list], count: int, newest_first: bool = False):
        ReadByIds.__init__(self, statements, count)
        self.stretch, self.newest_first = stretch, newest_first

    def page_ids_sql(self, offset: int, limit: int) -> tuple[str, list]:
        sql, params = self.stretch
        order = "value DESC, statement_id DESC" if self.newest_first else "value, statement_id"
        return f"{sql} ORDER BY {order} LIMIT %s OFFSET %s", [*params, limit, offset]


class BestFirst(ReadByIds):
    """A search's published statements of some languages and kinds, best match first, a page at a time: the page's
    ids ranked over the narrow rows of their documents (search_documents.ranked_statements_sql). Ranked in their own
    rows, a common word's 24,000 statements were read wide and sorted on disk for each page (60 ms; 22 so).

    `ahead`: the ids of the first `limit` of them, being read already (`rank_ahead`), for the first page."""

    def __init__(self, statements, q: str, profiles: list[int], count: int, ahead=None):
        super().__init__(statements, count)
        self.q, self.profiles, self.ahead = q, profiles, ahead

    def page_ids_sql(self, offset: int, limit: int) -> tuple[str, list]:
        return search_documents.ranked_statements_sql(self.q, self.profiles, offset, limit)

    def page_ids(self, offset: int, limit: int) -> list[int]:
        if offset == 0 and self.ahead is not None and limit <= self.ahead[0]:
            return self.ahead[1].result()[:limit]
        return super().page_ids(offset, limit)

    @staticmethod
    def rank_ahead(q: str, profiles: list[int], limit: int, using: str) -> tuple:
        """The ids of the first `limit` best matches, begun on a second connection (timeline/alongside.py) while
        the search's matches are read and counted on this one: BestFirst's `ahead`."""
        sql, params = search_documents.ranked_statements_sql(search_query(q), profiles, 0, limit)

        def read() -> list[int]:
            with connections[using].cursor() as cursor:
                cursor.execute(sql, params)
                return [pk for (pk,) in cursor.fetchall()]

        return limit, alongside.start(read, using=using)


class StatementQuerySet(models.QuerySet):
    def search(self, q: str, walked: bool = False, matching: Ids | None = None):
        """Statements whose text (or speaker as printed) matches the free text `q`, with `search_rank` and
        `search_text` (see statement_matches). `q` is first rebuilt by `search_query`, as the events' search is.

        `walked`: the words are in most statements (their matches read already: Profiled.most). SQLite then walks the
        statements in the order asked, testing each, rather than looking up each match and sorting them all (a
        common word's 241,712: a page 143 → 27 ms).

        `matching`: the ids of the statements to list, read already (those of the matches that the other filters
        select too: facets.statements_listed), which then stand for the search's condition: the ranks and
        highlights are the same."""
        q = search_query(q)
        if not q:
            return self
        aliases, condition, annotations = statement_matches(self.model, q, self.db, walked)
        if matching is not None:
            condition = AmongIds(F("pk"), matching)
        return self.alias(**aliases).filter(condition).annotate(**annotations)

    def best_match_first(self):
        """Searched statements best match first: by rank, then the day said (a day not known last), then id.

        SQLite ranks every match the same (search.statement_matches), so its order is the day said, written as the
        index of migration 0040 lists it (SQLite sorts NULLs first, and no index serves NULLS LAST): a word most
        statements have is then walked in that order, each statement tested, rather than every match sorted
        (241,712 at 100,000 events: the page's query 294 → 34 ms)."""
        if connections[self.db].vendor == "sqlite":
            unknown = ExpressionWrapper(Q(said_on__isnull=True), output_field=models.BooleanField())
            return self.order_by(unknown, "said_on", "pk")
        return self.order_by("-search_rank", F("said_on").asc(nulls_last=True), "pk")

    def search_matches(self, q: str) -> statementkeys.Profiled | None:
        """The ids of the published statements `search` finds, each with its profile (its language and kind), for
        the statements index to take those of a language or kind from, and count them by language and kind, without
        another query. PostgreSQL reads them from their documents (timeline/search_documents.py), narrow rows of
        published statements only, where the statements' own rows are wide and drafts' too (a common word's
        24,962: 36 ms, then each one's event tested; 17 ms there); SQLite, the full-text index's matches among the
        published statements' keys. None on another database, or with no word to look for."""
        rebuilt, vendor = search_query(q), connections[self.db].vendor
        if not rebuilt or vendor not in ("postgresql", "sqlite"):
            return None
        if vendor == "sqlite" and not (terms := search_terms(rebuilt)):
            return statementkeys.Profiled()  # as search() finds: nothing
        with connections[self.db].cursor() as cursor:
            if vendor == "postgresql":
                cursor.execute(*search_documents.statement_matches_sql(rebuilt))
                return statementkeys.Profiled.of_groups(cursor.fetchall())
            found = fulltext.statements_matching(terms)
            most = statementkeys.most_among(found, MANY_MATCHES, self.db)
            cursor.execute(*statementkeys.published_among(found, walked=most))
            matches = statementkeys.Profiled.of_groups(cursor.fetchall(), json.loads)
        matches.most = most
        return matches

    def profiled(self) -> statementkeys.Profiled:
        """The ids of these statements by profile (their language and kind), read in one query: for a search within a
        range of days, whose matches no kept list holds (facets.statements_within)."""
        vendor = connections[self.db].vendor
        try:
            sql, params = self.order_by().values("pk", "language", "kind").query.sql_with_params()
        except EmptyResultSet:  # SQLite: a search with no word to look for matches nothing
            return statementkeys.Profiled()
        gathered = "array_agg(m.pk)" if vendor == "postgresql" else "json_group_array(m.pk)"
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT {statementkeys.profile_sql('m')}, {gathered} FROM ({sql}) m GROUP BY 1", params)
            rows = cursor.fetchall()
        if vendor == "sqlite":
            return statementkeys.Profiled.of_groups(rows, json.loads)
        return statementkeys.Profiled.of_groups(rows)

    def matching_first(self, q: str):
        """Every statement, those matching `q` first and with their matches marked (`search_text`): the quote an
        event's card shows when a search found the event through it."""
        q = search_query(q)
        if not q:
            return self
        aliases, condition, annotations = statement_matches(self.model, q, self.db)
        matched = ExpressionWrapper(condition, output_field=models.BooleanField())
        return self.alias(**aliases).annotate(search_matched=matched, **annotations)

    def with_only_weak_sources(self):
        """`only_weak_sources`: whether every source the statement cites is from a weak publisher."""
        return self.annotate(only_weak_sources=only_weak_sources(self.model))

    def published(self):
        """A statement is public once, and only while, the event it belongs to is published.

        Asked of each statement (EXISTS) rather than as a list of published events (IN): SQLite otherwise reads the
        statements from that list, event by event, and sorts them all, where it can walk an index in the order
        asked and stop after a page (PostgreSQL plans both alike)."""
        events = related(self.model, "event").objects.published()
        return self.filter(Exists(events.filter(pk=OuterRef("event_id"))))

    def of_published_events(self, events):
        """The statements of `events`, a queryset of published events only: published, as published() keeps them,
        without asking it of each statement's event again."""
        return self.filter(event__in=events.order_by().values("pk"))

    def of_events_among(self, events: Ids):
        """The statements of `events`, the ids of published events only (a search's matches:
        EventQuerySet.search_matches), sent as one parameter, whose length the planner sees: it reads a few events'
        statements by event, and many events' in the order said, testing each, where as a list of published events
        it read every published event first (the API's statements of "tariffs", 19,209 events: 122 ms)."""
        return self.filter(AmongIds(F("event_id"), events))

    def listed(self, ids: Ids, newest_first: bool = False, said=None) -> "ListedByIds":
        """These statements, whose ids are `ids` (all of them published, said within the range of days `said`, (start,
        end), if given), in the order said or `newest_first`, as a sequence a paginator reads a page of at a time
        (ListedByIds)."""
        return ListedByIds(self, ids, newest_first, said)

    def keyed_in_order(self, stretch: tuple[str, list], count: int, newest_first: bool = False) -> "KeyedInOrder":
        """These statements, whose ids the SQL `stretch` selects (`count` of them) from one stretch of their keys in
        the order said, in that order or `newest_first`, as a sequence a paginator reads a page of at a time
        (KeyedInOrder)."""
        return KeyedInOrder(self, stretch, count, newest_first)

    def best_first(self, q: str, profiles: list[int], count: int, ahead=None) -> "BestFirst":
        """These statements (a search for `q` of the profiles `profiles`, `count` of them), best match first, as a
        sequence a paginator reads a page of at a time: on PostgreSQL, ranked from their documents (the first page's
        ids perhaps being read `ahead`: BestFirst.rank_ahead)."""
        return BestFirst(self, search_query(q), profiles, count, ahead)

    def of_events_between(self, start: datetime.date | None, end: datetime.date | None):
        """The published statements of the events overlapping [start, end] (as EventQuerySet.between reads a range),
        read from the keys of the events with statements, with their dates (timeline/datedkeys.py): only published
        events have keys."""
        return self.filter(event__in=RawSQL(*datedkeys.events_with(eventkeys.STATEMENTS, [1], start, end)))

    def keyed(self, facet: int, values):
        """Published statements with any of these values of a facet, read from the published statements' facet
        keys (timeline/statementkeys.py): only published statements have keys."""
        return self.filter(pk__in=RawSQL(*statementkeys.statements_with(facet, values)))

    def for_list(self, reading_order: bool = False):
        """What a listed statement shows: its speaker, its event and its sources, in a fixed number of queries.

        The reader's pages list sources primary documents first (`in_reading_order`); the data (API, downloads,
        JSON-LD) by title.
        """
        sources = related(self.model, "sources").objects.in_reading_order()
        return self.select_related("speaker", "event").prefetch_related(
            Prefetch("sources", queryset=sources) if reading_order else "sources"
        )

    def said_between(self, start: datetime.date | None = None, end: datetime.date | None = None):
        """Statements said from `start` to `end`; one the sources give no date for counts on its event's day (the
        date it is read under, `sort_date`, which the database keeps: timeline/statementkeys.py)."""
        qs = self
        if start is not None:
            qs = qs.filter(sort_date__gte=start)
        if end is not None:
            qs = qs.filter(sort_date__lte=end)
        return qs

    def chronological(self, newest_first: bool = False):
        """In the order said (a statement with no date of its own on its event's day), as the index on
        (sort_date, id) holds them: a page is read from the index, not sorted from every statement."""
        if newest_first:
            return self.order_by("-sort_date", "-pk")
        return self.order_by("sort_date", "pk")

    def chronological_by_event(self):
        """In the order said, as chronological(), but sorted from the statements of the events selected, read event
        by event from the index on (event, sort_date, id), rather than walked from the index of that order.

        For the statements of events in a date range: PostgreSQL takes them to be spread through the order and walks
        it from the first statement ever said (198,327 walked to find the 50 since 2025 at 100,000 events: 350 ms;
        25 ms read by event). The order is written as an expression no index holds, so that it cannot be walked."""
        return self.order_by(Coalesce("sort_date", "sort_date"), "pk")


class ParticipantQuerySet(models.QuerySet):
    def public(self):
        """Participants a reader can reach: those in a published event or with a published statement, as the
        published events' facet keys count them (timeline/eventkeys.py), one kept count looked up per participant.
        (An EXISTS over the events themselves ran past a worker's timeout on SQLite at 100,000 events; a list of
        every public id made SQLite gather all 38,000 of them to look up the one participant a filter names.)"""
        from timeline import eventkeys

        return self.filter(eventkeys.has_value_sql(*eventkeys.PUBLIC_PARTICIPANT))

    def with_event_counts(self):
        """`event_count`: the published events each participant took part in, as the database keeps it."""
        from timeline import eventkeys

        return self.annotate(event_count=eventkeys.kept_count_sql(eventkeys.PARTICIPANT))

    def search(self, q: str):
        """Participants whose name matches `q`, best match first.

        PostgreSQL: a substring, or close enough by trigrams ("Carny" finds Mark Carney), through the trigram
        index on UPPER(name) (migration 0004). Other databases: every word must be a substring of the name.
        """
        from django.db.models.functions import Upper

        q = search_text(q)
        if not q:
            return self.none()
        if connections[self.db].vendor == "postgresql":
            from django.contrib.postgres.search import TrigramWordSimilarity

            return (
                self.alias(upper_name=Upper("name"))
                .filter(Q(upper_name__contains=q.upper()) | Q(upper_name__trigram_word_similar=q.upper()))
                .annotate(search_rank=TrigramWordSimilarity(Value(q.upper()), Upper("name")))
                .order_by("-search_rank", NameOrder("name"), "pk")
            )
        matches = Q()
        for word in q.split()[:SEARCH_MAX_WORDS]:
            matches &= Q(name__icontains=word)
        return self.filter(matches).annotate(search_rank=Value(1.0)).order_by(NameOrder("name"), "pk")


class TopicQuerySet(models.QuerySet):
    def public(self):
        """Topics a reader can reach: those of a published event. A topic made for a story still in draft
        would otherwise announce that story by its name."""
        from timeline import eventkeys

        return self.filter(eventkeys.has_value_sql(eventkeys.TOPIC))

    def with_event_counts(self):
        """The public topics, each with `event_count`: its published events, as the database keeps it."""
        from timeline import eventkeys

        return self.public().annotate(event_count=eventkeys.kept_count_sql(eventkeys.TOPIC))


def on_site(field: str, domain) -> Q:
    """`field` holds the site `domain` (an expression) or one of its subdomains: "news.example.com" is on
    "example.com", "badexample.com" is not."""
    return Q(**{field: domain}) | Q(**{f"{field}__endswith": Concat(Value("."), domain)})


def weak_publishers_of(source_model, domain):
    """The entries of the list of weak publishers whose site `domain` (an expression) is on."""
    listed = source_model._meta.apps.get_model("timeline", "WeakPublisher").objects
    site = ExpressionWrapper(domain, output_field=models.CharField())
    return listed.annotate(site=site).filter(on_site("site", F("domain"))).order_by("domain")


def only_weak_sources(model):
    """True for the rows of `model` (events, statements) that cite sources, all of them from weak publishers."""
    links = through(model, "sources").objects.filter(**{model._meta.model_name: OuterRef("pk")})
    weak = related(model, "sources").objects.from_weak_publishers()
    return ExpressionWrapper(
        Exists(links) & ~Exists(links.exclude(source__in=weak)), output_field=models.BooleanField()
    )


def publisher_key():
    """A source's publisher in lower case without surrounding spaces: the spellings the sources' index groups
    (an index on it serves that page; timeline/eventkeys.py keeps the publishers' counts by the same SQL)."""
    return Lower(Trim("publisher"))


class SourceQuerySet(models.QuerySet):
    def in_reading_order(self):
        """Primary documents first, then transcripts, wire reports, news reports and the rest; oldest first within
        each kind, so that the record comes before the accounts of it."""
        kinds = self.model.Kind.values
        rank = Case(*[When(kind=kind, then=Value(i)) for i, kind in enumerate(kinds)], default=Value(len(kinds)))
        return self.alias(kind_rank=rank).order_by("kind_rank", F("published_on").asc(nulls_last=True), "title", "pk")

    def from_weak_publishers(self):
        """Sources on a site an editor has marked as a weak publisher (or on one of its subdomains)."""
        return self.filter(Exists(weak_publishers_of(self.model, OuterRef("domain"))))

    def with_weak_publisher(self):
        """`weak_publisher`: the name (or site) of the weak publisher a source's site falls under; None if none."""
        listed = weak_publishers_of(self.model, OuterRef("domain"))
        label = Case(When(name="", then=F("domain")), default=F("name"))
        return self.annotate(weak_publisher=Subquery(listed.annotate(label=label).values("label")[:1]))

    def with_publisher_key(self):
        """`publisher_key`: the publisher's name in lower case, which groups spellings that differ only in case."""
        return self.annotate(publisher_key=publisher_key())

    def with_publisher_name(self):
        """`publisher_name`: one spelling of the publisher's name among these sources, the same for all of them."""
        return self.annotate(publisher_name=Window(Min("publisher"), partition_by=[publisher_key()]))

    def cited(self):
        """Sources the public timeline cites, through an event or a statement; one cited only by drafts is not.
        The database keeps them, with the facet keys of the events that cite them (timeline/eventkeys.py)."""
        return self.filter(eventkeys.has_value_sql(eventkeys.SOURCE))


class WeakPublisherQuerySet(models.QuerySet):
    def with_source_counts(self):
        """`source_count`: the sources on each weak publisher's site."""
        sources = self.model._meta.apps.get_model("timeline", "Source").objects
        counted = sources.filter(on_site("domain", OuterRef("domain"))).order_by()
        return self.annotate(source_count=Coalesce(Subquery(counted.values(n=Func(F("pk"), function="COUNT"))), 0))


class CorrectionQuerySet(models.QuerySet):
    def published(self):
        """Corrections readers see: those of published events. Asked of each correction (EXISTS), as a statement's
        event is: as a list (IN), SQLite first read the ids of every published event, however few the corrections
        (80 ms for the corrections feed at 100,000 events)."""
        events = related(self.model, "event").objects.published()
        return self.filter(Exists(events.filter(pk=OuterRef("event_id"))))
