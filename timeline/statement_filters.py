"""The statements' parameters: those of the API and the statements download, which select statements through the
timeline's own filters, and those of the statements index ("who said what")."""

from functools import cached_property

from django import forms
from django.db import connections
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from timeline import eventkeys, events_dated, facets, statementkeys
from timeline.events_dated import EventsDated
from timeline.filter_fields import (
    LenientForm,
    LenientMultipleFilter,
    PartialDateFilter,
    SearchFilter,
    SlugMultipleFilter,
)
from timeline.filters import EventFilter, ParameterSet, Problem, order_parameter, public_participants, public_topics
from timeline.models import Statement
from timeline.search import Ids, read_ids


def speaker_parameter() -> SlugMultipleFilter:
    """Who said it: the same parameter on the statements' download, API and index."""
    return SlugMultipleFilter(
        label=_("Speakers"),
        noun=_("speaker"),
        unknown=_("no published statement has this speaker"),
        help_text=_("Participant slugs, repeatable: statements said by any of them."),
        queryset=public_participants,
        method="filter_speaker",
    )


def language_parameter() -> LenientMultipleFilter:
    """The language it was said in, as speaker_parameter."""
    return LenientMultipleFilter(
        label=_("Language"),
        noun=_("language"),
        unknown=_("there is no such language"),
        help_text=_("Statement languages (en, fr), repeatable."),
        choices=Statement.Language.choices,
        method="filter_language",
    )


class OfStatements:
    """What the API's and the index's statement parameters share: published statements, a lenient form, and how
    the speaker and language parameters (speaker_parameter, language_parameter) narrow them."""

    class Meta:
        model = Statement
        fields = []
        form = LenientForm

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset if queryset is not None else Statement.objects.published(), **kwargs)

    def filter_speaker(self, queryset, name, value):
        return queryset.filter(speaker__in=[participant.pk for participant in value])

    def filter_language(self, queryset, name, value):
        return queryset.filter(language__in=value)


class SelectedEvents(EventFilter):
    """The timeline's parameters as they select the events whose statements are listed: a set, not a page."""

    in_order = False


class StatementFilter(OfStatements, ParameterSet):
    """The statements' GET parameters. Every parameter of the timeline (EventFilter) but its order selects the events
    whose statements are listed, so that the timeline's query string gives the statements of the events it shows.
    Two more narrow the statements themselves:

    speaker   participant slugs, repeatable: said by any of them
    language  "en" or "fr", repeatable

    The queryset it narrows holds every statement, drafts' too (by default, all of them): it keeps the published
    ones itself, as the statements of the published events the timeline's parameters select, or, with none, as
    published() keeps them. Asked of each statement again, whether its event is published joined every published
    event to the statements selected: 30 to 50 ms of the API's statements since 1935 at 100,000 events.
    """

    speaker = speaker_parameter()
    language = language_parameter()

    def __init__(self, data=None, queryset=None, **kwargs):
        # Unbound, a FilterSet's results are its queryset as given: bound to no parameters, they are filtered.
        data = QueryDict() if data is None else data
        super().__init__(data, queryset if queryset is not None else Statement.objects.all(), **kwargs)
        events = data.copy()
        events.pop(self.NOT_TAKEN, None)
        self.events = SelectedEvents(events)

    # The statements are in the order they were said, whatever the timeline's: its order is not theirs to take.
    NOT_TAKEN = "sort"

    def parameter_names(self) -> list[str]:
        return super().parameter_names() + [name for name in self.events.parameter_names() if name != self.NOT_TAKEN]

    @cached_property
    def problems(self) -> list[Problem]:
        """Its own parameters' problems, then those of the timeline's parameters."""
        return super().problems + self.events.problems

    # The timeline's date parameters: the statements of a date range's events lie together in the order said.
    DATED = ("start", "end")

    def filter_queryset(self, queryset):
        statements = super().filter_queryset(queryset)
        if self.dates_alone() and connections[self.queryset.db].vendor == "sqlite":
            statements = statements.of_events_between(*(self.events.cleaned.get(name) for name in self.DATED))
        elif (matches := self.events_searched()) is not None:
            statements = statements.of_events_among(matches)
        elif self.events.selection():
            statements = statements.of_published_events(self.events.qs)
        else:
            statements = statements.published()
        # In the order said, one with no date of its own on its event's day, as the statements index lists them:
        # an index holds that order, so a page is read from it rather than sorted from every statement; but the
        # statements of a date range lie together, not spread through it, so they are read by event and sorted.
        if set(self.DATED) & set(self.events.in_force()):
            return statements.chronological_by_event()
        return statements.chronological()

    def in_force(self) -> list[str]:
        return super().in_force() + self.events.in_force()

    def events_searched(self) -> Ids | None:
        """With a search the only one of the timeline's parameters in force, or a search and a date range, the
        published events it matches (EventFilter.search_matches), and of those the ones in the range, each read once;
        else None, as for a search with nothing to look for. Asked of each statement's event, a common word's events
        in a wide range were read twice, for the total and again for the page ("exports" since 2000 at 100,000
        events: 35 and 43 ms)."""
        in_force = self.events.in_force()
        if "q" not in in_force or not set(in_force) <= {"q", *self.DATED}:
            return None
        return facets.searched(self.events, "")

    def kept_total(self) -> int | None:
        """How many statements the parameters select, as the database keeps it, with none of the timeline's in force:
        the kept counts of the speakers' statements, or all of them, of the languages asked (statementkeys
        .profile_counts_sql); else None. Counted, the French ones' 45,000 were each read for their event's status
        (79 ms at 100,000 events)."""
        if self.events.in_force():
            return None
        return self.kept()

    def kept(self) -> int:
        """How many published statements the speakers and languages asked select, as the database keeps it."""
        speakers = [speaker.pk for speaker in self.cleaned.get("speaker") or []]
        sql, params = statementkeys.profile_counts_sql(
            statementkeys.STATEMENT,
            statementkeys.profiles(self.cleaned.get("language") or [], []),
            (statementkeys.SPEAKER, speakers) if speakers else None,
        )
        with connections[self.queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            return sum(n for _, n in cursor.fetchall())

    def searched_total(self) -> int | None:
        """With a search the only one of the timeline's parameters in force, of a word most published events have
        (search.Ids.most): how many statements the parameters select, as kept (`kept`) less those of the published
        events it does not match, few, read by their ids; else None. Counted through the matches, a common word's
        284,026 statements took 53 ms on PostgreSQL."""
        if self.events.in_force() != ["q"] or (matches := self.events_searched()) is None or not matches.most:
            return None
        total = self.kept()
        if self.events.kept_count(eventkeys.EVENT, 0) == len(matches):  # it matches every published event
            return total
        published = read_ids(*eventkeys.events_with(eventkeys.EVENT, [0]), self.queryset.db)
        missed = Ids(set(published).difference(matches))
        return total - self.narrowed(Statement.objects.of_events_among(missed), list(self.cleaned)).count()

    def events_dated(self) -> EventsDated | None:
        """With a date range the only one of the timeline's parameters in force (or with a search that keeps every
        event in it: `search_keeps_the_range`), and at most languages besides: its statements, counted from their
        keys, as a sequence paged from the order said (timeline/events_dated.py); else None."""
        if set(super().in_force()) - {"language"} or not (self.dates_alone() or self.search_keeps_the_range()):
            return None
        start, end = (self.events.cleaned.get(name) for name in self.DATED)
        languages = self.cleaned.get("language") or []
        return EventsDated(
            self.queryset, start, end, languages, events_dated.counted(start, end, languages, self.queryset.db)
        )

    def search_keeps_the_range(self) -> bool:
        """Whether the timeline's parameters in force are a search and a date range, and the search matches every
        published event in the range: a word most events have (search.Ids.most), whose matches in the range are
        read in Python from the range's events (facets.searched_most), as many as those. Its statements are then
        the range's, counted and paged as a range's alone are: counted through the matches' ids, the statements of
        a word in every event since 2020 took 29 ms on PostgreSQL, and their page 39, at 100,000 events."""
        in_force = self.events.in_force()
        if not set(in_force) - {"q"} or not set(in_force) <= {"q", *self.DATED}:
            return False
        matches = facets.matches_in_force(self.events, in_force)
        if matches is None or not matches.most or (kept := self.events_searched()) is None:
            return False
        start, end = (self.events.cleaned.get(name) for name in self.DATED)
        return len(kept) == len(facets.dated_set(self.events, start, end))

    def dates_alone(self) -> bool:
        """Whether a date range is the only one of the timeline's parameters in force. SQLite then reads the events
        from their keys with their dates (StatementQuerySet.of_events_between): from the events, it read each one's
        row to test that it is published, the status being a parameter of the query, not the condition of the
        published events' index (the API's statements since 1935 at 100,000 events: 320 → 169 ms). PostgreSQL plans
        the range better on the events' own index."""
        in_force = self.events.in_force()
        return bool(in_force) and set(in_force) <= set(self.DATED)


# The statements index: its own parameters, named as the timeline's where they mean the same.
class StatementListFilter(OfStatements, ParameterSet):
    """The statements index's GET parameters:

    q               free text in the statements themselves (and the speaker as printed); matches are highlighted
    start, end      when it was said (a statement the sources give no date for counts on its event's day)
    speaker         participant slugs, repeatable: said by any of them
    topic           topic slugs, repeatable: said at an event on any of them
    language        "en" or "fr", repeatable
    kind            "quote" or "paraphrase", repeatable
    sort            "" (oldest first), "newest" or "relevance" (needs q)
    """

    route = "statement_list"
    needs_search_note = _("Best match needs a search; the statements are shown oldest first.")

    q = SearchFilter(
        label=_("Search the statements"),
        noun=_("the search"),
        help_text=_(
            'Free text in what was said: PostgreSQL full-text search; elsewhere every word and "quoted phrase" must '
            "match."
        ),
        method="filter_q",
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    start = PartialDateFilter(
        label=_("Said from"),
        noun=_("the From date"),
        help_text=_("Said on or after: YYYY-MM-DD, YYYY-MM or YYYY."),
        method="filter_start",
    )
    end = PartialDateFilter(
        label=_("Said until"),
        noun=_("the To date"),
        help_text=_("Said on or before: YYYY-MM-DD, YYYY-MM or YYYY (a month or year stands for its last day)."),
        method="filter_end",
        period_end=True,
    )
    speaker = speaker_parameter()
    topic = SlugMultipleFilter(
        label=_("Topics"),
        noun=_("topic"),
        unknown=_("there is no such topic"),
        help_text=_("Topic slugs, repeatable: said at an event on any of these topics."),
        queryset=public_topics,
        method="filter_topic",
    )
    language = language_parameter()
    kind = LenientMultipleFilter(
        label=_("Kind"),
        noun=_("kind"),
        unknown=_("use quote or paraphrase"),
        help_text=_("quote (verbatim) or paraphrase, repeatable."),
        choices=Statement.Kind.choices,
        method="filter_kind",
    )
    sort = order_parameter()

    # Speaker, topic, language and kind are each a facet of the published statements' keys
    # (timeline/statementkeys.py), which the facets count: `keys()` selects through them. The page itself is read
    # through the keys only for a topic, which the statement row does not hold: a speaker is read from the index of
    # the statements' speakers (PostgreSQL, told a speaker's statements through the keys, walked the index of the
    # readers' order for them, 500 ms for one speaker whose statements are old), and a language or a kind, a good
    # part of all statements, is asked of each statement as the page is read in order.
    KEYED = {
        "speaker": (statementkeys.SPEAKER, lambda participants: [participant.pk for participant in participants]),
        "topic": (statementkeys.TOPIC, lambda topics: [topic.pk for topic in topics]),
        "language": (
            statementkeys.LANGUAGE,
            lambda codes: [statementkeys.value_of(statementkeys.LANGUAGES, code) for code in codes],
        ),
        "kind": (
            statementkeys.KIND,
            lambda codes: [statementkeys.value_of(statementkeys.KINDS, code) for code in codes],
        ),
    }

    def keyed(self, queryset, name, value):
        facet, values = self.KEYED[name]
        return queryset.keyed(facet, values(value))

    filter_topic = keyed

    def filter_kind(self, queryset, name, value):
        return queryset.filter(kind__in=value)

    def keys(self, names: list[str], keyed: tuple[int, list[int]] | None = None) -> tuple[str, list]:
        """SQL and parameters selecting the ids of the published statements that the filters `names` (each among
        KEYED, each in force) select, from the keys alone; with `keyed` (facet, values), of those with one of
        these values (read first)."""
        sql, params = statementkeys.statements_with(*keyed) if keyed else ("", [])
        for name in names:
            facet, values = self.KEYED[name]
            keyed_sql, keyed_params = statementkeys.statements_with(facet, values(self.cleaned[name]))
            sql = f"{keyed_sql} AND statement_id IN ({sql})" if sql else keyed_sql
            params = [*keyed_params, *params]
        return sql, params

    def filter_q(self, queryset, name, value):
        # The matches, where the page has read them already (facets.statement_matches), say whether the words are in
        # most statements, to be walked in the order listed (best match first too: see best_match_first).
        matches = facets.statement_matches_read(self)
        return queryset.search(value, walked=matches is not None and matches.most)

    def filter_start(self, queryset, name, value):
        return queryset.said_between(start=value)

    def filter_end(self, queryset, name, value):
        return queryset.said_between(end=value)

    def filter_sort(self, queryset, name, value):
        return queryset  # ordering is applied last, in filter_queryset

    def filter_queryset(self, queryset):
        if (listed := facets.statements_listed(self)) is not None:
            filtered = queryset.search(self.cleaned["q"], matching=listed)  # they are what every filter selects
        else:
            filtered = super().filter_queryset(queryset)
        if self.relevance_sorted:
            return filtered.best_match_first()
        return filtered.chronological(newest_first=self.cleaned.get("sort") == "newest")

    @property
    def relevance_sorted(self) -> bool:
        return self.cleaned.get("sort") == "relevance" and bool(self.cleaned.get("q"))
