"""Free-text search on both databases: the query as typed made safe, matched and ranked with PostgreSQL's stemmed
vectors or, on SQLite, with the full-text indexes of timeline/fulltext.py, and matches marked for highlighting."""

import functools
import itertools
import json
import operator
import re
import unicodedata

from django.db import connections, models
from django.db.models import (
    Case,
    F,
    Func,
    Q,
    Value,
    When,
)

from timeline import fulltext
from timeline.text import printable

# Matches in search results are wrapped in these two private-use characters by the database (ts_headline on
# PostgreSQL, timeline_highlight on SQLite); templates escape the text first and only then turn them into <mark>.
HIGHLIGHT_START, HIGHLIGHT_STOP = "\ue000", "\ue001"


# PostgreSQL's text search configurations for each language: its stemmer, with accents removed first (migration
# 0013), so that "merite" finds "mérite" and "Quebec" finds "Québec".
SEARCH_CONFIGS = {"en": "timeline_en", "fr": "timeline_fr"}


SEARCH_MAX_WORDS = 12


SEARCH_MAX_LENGTH = 200


def search_text(raw: str) -> str:
    """A search as typed, tidied: single spaces, at most SEARCH_MAX_LENGTH characters, and no control characters
    (PostgreSQL refuses a NUL in text, and a query string can carry one as %00)."""
    return " ".join(printable(raw).split())[:SEARCH_MAX_LENGTH]


# Characters websearch_to_tsquery reads as separators anyway, and the backslash, which its word reader takes as an
# escape: spaces, so that an operator can only be where the syntax below puts it.
SEARCH_SEPARATORS = re.compile(r"[!&|()<\\]")
# Quotation marks as a phone's smart punctuation, a French keyboard or a pasted article writes them: read as the
# straight ones, so that “a phrase” and « une phrase » are phrases too.
QUOTATION_MARKS = str.maketrans(dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\uff02", '"'))
SEARCH_TERM = re.compile(r'(-*)(?:"([^"]*)(?:"|$)|([^\s"]+))')
LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def search_query(raw: str) -> str:
    """A free-text search in the syntax both databases read (words, "a phrase", `or` between terms, -word to
    exclude one), rebuilt so that any shape of it can be run: each term excluded at most once, no "-", "or" or
    quotes without a term, no term without a letter or digit. "" when nothing is left to look for.

    PostgreSQL's websearch_to_tsquery keeps each "-" waiting for its term on a stack of 32, so 33 dashes in a row
    failed the whole query ("tsquery stack too small").
    """
    terms = []
    for match in SEARCH_TERM.finditer(SEARCH_SEPARATORS.sub(" ", search_text(raw).translate(QUOTATION_MARKS))):
        dashes, phrase, word = match.groups()
        sign = "-" if dashes else ""
        if phrase is not None:
            if LETTER_OR_DIGIT.search(phrase):
                terms.append(f'{sign}"{" ".join(phrase.split())}"')
        elif word.lower() == "or" and not sign:
            if terms and terms[-1] != "or":
                terms.append("or")
        elif LETTER_OR_DIGIT.search(word):
            terms.append(sign + word)
    if terms and terms[-1] == "or":
        terms.pop()
    return " ".join(terms)


# A dash inside a word ("Canada-U.S.", "COVID-19", "contre-mesures"). PostgreSQL's parser reads a hyphenated word
# as the compound and its parts, and an en dash as a space between two words, so the same words written with one
# did not find them written with the other: "Canada-U.S." found none of the demo's "Canada–U.S." events.
INNER_DASH = re.compile(r"(?<=[^\W_])[\-\u2010-\u2014](?=[^\W_])")


def dash_readings(q: str) -> list[str]:
    """A rebuilt query (`search_query`) as PostgreSQL is asked it, the results of each reading together: as it is,
    or, when a word or phrase has a dash inside a word, once with hyphens and once with the parts as a phrase. A
    term left out is left out both ways in each reading."""
    if not INNER_DASH.search(q):
        return [q]
    hyphens, parts = [], []
    for sign, phrase, word in SEARCH_TERM.findall(q):
        text = phrase or word
        if not INNER_DASH.search(text):
            hyphens.append(f'{sign}"{phrase}"' if phrase else sign + word)
            parts.append(hyphens[-1])
            continue
        hyphenated = INNER_DASH.sub("-", text)
        readings = [f'"{hyphenated}"' if phrase else hyphenated, '"' + INNER_DASH.sub(" ", text) + '"']
        if sign:
            hyphens += [sign + reading for reading in readings]
            parts += [sign + reading for reading in readings]
        else:
            hyphens.append(readings[0])
            parts.append(readings[1])
    return [" ".join(hyphens), " ".join(parts)]


# One name as readers type it and as the texts write it: an abbreviation with or without its periods ("US tariffs"
# found 1 of the demo's 28 "U.S. tariffs" events on PostgreSQL), and the trade agreement under each of its names
# (USMCA in the United States, CUSMA in Canada, ACEUM in French). Each spelling is looked for as typed, so that
# PostgreSQL and SQLite read it as they read the texts.
SAME_NAMES = (("US", "U.S.", "USA", "U.S.A."), ("UK", "U.K."), ("USMCA", "CUSMA", "ACEUM"))
_SAME_NAMES = {name.lower().rstrip("."): names for names in SAME_NAMES for name in names}
# A word's spellings multiply with its neighbours': a search with several of these names asks for the first few.
MAX_SPELLINGS = 8
WORD_PARTS = re.compile(r"(\s+|[\-\u2010-\u2014])")


def spellings(term: str) -> list[str]:
    """A word or a phrase as typed, then as the texts may write it: with each of its words (a part of a hyphenated
    word included) spelled each way SAME_NAMES knows. "Canada-US" -> ["Canada-US", "Canada-U.S.", ...]."""
    parts = WORD_PARTS.split(term)
    choices = []
    for part in parts:
        names = _SAME_NAMES.get(part.lower().rstrip("."))
        choices.append([part, *(name for name in names if name.lower() != part.lower())] if names else [part])
    return ["".join(spelled) for spelled in itertools.islice(itertools.product(*choices), MAX_SPELLINGS)]


def readings(q: str) -> list[str]:
    """A rebuilt query (`search_query`) as PostgreSQL is asked it, the results of each reading together: each of
    its dash_readings, with the terms in each of their `spellings`. A term left out is left out in every spelling
    in each reading."""
    found = []
    for reading in dash_readings(q):
        choices = []
        for sign, phrase, word in SEARCH_TERM.findall(reading):
            spelled = [f'"{text}"' if phrase else text for text in spellings(phrase or word)]
            choices.append([" ".join(sign + text for text in spelled)] if sign else spelled)
        found += [" ".join(terms) for terms in itertools.islice(itertools.product(*choices), MAX_SPELLINGS)]
    return found[: 2 * MAX_SPELLINGS]


def postgresql_query(q: str, config: str):
    """`q` (rebuilt) as one tsquery in `config`: each of its readings, any of them matching."""
    from django.contrib.postgres.search import SearchQuery

    queries = [SearchQuery(reading, search_type="websearch", config=config) for reading in readings(q)]
    return functools.reduce(operator.or_, queries)


def quoted_phrase(typed: str) -> str | None:
    """The phrase, when a search as typed is one quoted phrase and nothing else; else None."""
    straight = search_text(typed).translate(QUOTATION_MARKS)
    if len(straight) > 2 and straight.count('"') == 2 and straight[0] == straight[-1] == '"':
        return " ".join(straight[1:-1].split()) or None
    return None


def search_terms(q: str) -> list[list[str]]:
    """The terms of a rebuilt query (`search_query`) the SQLite search looks for, every one of them, each as its
    `spellings`, any of which will do: each word, and each phrase as one term, its words together and in that
    order. A term left out (-word, -"a phrase") and `or` are not looked for (PostgreSQL parses the query itself)."""
    terms = [phrase or word for dashes, phrase, word in SEARCH_TERM.findall(q) if not dashes]
    return [spellings(term) for term in terms if term.lower() != "or"][:SEARCH_MAX_WORDS]


def search_words(q: str) -> list[str]:
    """The words of those terms, in every spelling: what SQLite's results highlight."""
    return [word for term in search_terms(q) for spelled in term for word in spelled.split()]


def stored_search_vector(model, column: str = "search_vector"):
    """A search vector column PostgreSQL keeps for `model`'s table (migrations 0004 and 0013; not a model field, as
    it exists on PostgreSQL only): `search_vector`, or an event's French in `search_vector_fr`. A column reference,
    so Django re-aliases it when the query becomes a subquery."""
    from django.contrib.postgres.search import SearchVectorField
    from django.db.models.expressions import Col

    field = SearchVectorField()
    field.set_attributes_from_name(column)
    field.model = model
    return Col(model._meta.db_table, field)


APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def fold(text: str | None) -> str | None:
    """Text as the SQLite search compares it: lower case, without accents, with one kind of apostrophe ("L’Élysée"
    and "l'elysee" are equal). Character by character, so that positions in the folded text are those of the text."""
    if text is None:
        return None
    if text.isascii():
        # Most text: no accent to remove, one character for one. SQLite's highlighting folds every statement of a
        # search's page; character by character, that was a tenth of the page's time.
        return text.lower()
    return "".join(map(_fold_character, text))


@functools.lru_cache(maxsize=4096)
def _fold_character(character: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFKD", character) if not unicodedata.combining(c))
    bare = bare.translate(APOSTROPHES).lower()
    return bare if len(bare) == 1 else character.lower()  # a ligature or the like keeps its place as it is


def highlight_words(text: str | None, words: str) -> str | None:
    """`text` with each occurrence of the newline-separated `words` at the start of a word between HIGHLIGHT marks,
    found as `fold` finds them (case, accents and apostrophes aside) and marked in the text as written."""
    if text is None:
        return None
    text = text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_STOP, "")
    needles = sorted({fold(word) for word in words.split("\n") if word}, key=len, reverse=True)
    if not needles:
        return text
    # At the start of a word, as the full-text index matches them: "U.S." also looks for "us", which is not the
    # end of "business".
    pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(word) for word in needles) + ")")
    marked, last = [], 0
    for match in pattern.finditer(fold(text)):
        marked += [text[last : match.start()], HIGHLIGHT_START, text[match.start() : match.end()], HIGHLIGHT_STOP]
        last = match.end()
    return "".join(marked) + text[last:]


class Ids(list):
    """Ids as one parameter, written once: a page's queries each send the same thousands of matches, and a list
    parameter is written out element by element each time (11 ms for 6,000 ids on PostgreSQL).

    `most`: these ids are a search's matches, most of the published events (EventQuerySet.search_matches). A
    condition on them (`among`) then has the rows walked in their order, each tested, rather than each id looked up
    and the rows sorted: on SQLite, "+" keeps the id's own index out of it (a page of a common word's 95,000: 37 →
    10 ms). On PostgreSQL, `found_by` holds the SQL and parameters that read them (a search of one word), and the
    condition asks that SQL again rather than sending them: an array of 95,000 ids took 11 to 25 ms to parse and
    plan in each query that sent it, more than the page it selected (0.5 ms); from the text's statistics, the
    planner knows that the word is everywhere and walks the events in order. A copy, a sample or an intersection
    of them is sent as ids."""

    most: bool = False
    found_by: tuple[str, list] | None = None

    @functools.cached_property
    def array(self) -> str:
        """PostgreSQL's array literal."""
        return "{" + ",".join(map(str, map(int, self))) + "}"

    @functools.cached_property
    def json(self) -> str:
        """A JSON array, which SQLite reads with json_each (it allows 32,766 parameters at most)."""
        return "[" + ",".join(map(str, map(int, self))) + "]"

    def param(self, vendor: str) -> str:
        """The one parameter `ids_sql(vendor)` reads."""
        return self.array if vendor == "postgresql" else self.json

    def sql(self, vendor: str) -> tuple[str, list]:
        """SQL and parameters selecting these ids: `found_by`, or the ids sent as one parameter."""
        if vendor == "postgresql" and self.found_by is not None:
            return self.found_by
        return ids_sql(vendor), [self.param(vendor)]

    def as_set(self) -> set[int]:
        """These ids as a set, built once (a page may test many ids against them)."""
        if "_set" not in self.__dict__:
            self.__dict__["_set"] = set(self)
        return self.__dict__["_set"]

    def every(self, step: int) -> "Ids":
        """Every `step`-th of these ids in order, the same list each time it is asked (a sample every count of a page
        reads)."""
        samples = self.__dict__.setdefault("_every", {})
        if step not in samples:
            samples[step] = Ids(sorted(self)[::step])
        return samples[step]


def read_ids(sql: str, params, using: str) -> list[int]:
    """The ids the SQL `sql` selects (its one column), read as one array (PostgreSQL's array_agg, SQLite's
    json_group_array): read a row each, a common word's 95,000 took 8 ms more on PostgreSQL (35 → 27 ms) and 16 on
    SQLite (59 → 43)."""
    connection = connections[using]
    gathered = "array_agg(id)" if connection.vendor == "postgresql" else "json_group_array(id)"
    with connection.cursor() as cursor:
        cursor.execute(f"WITH read(id) AS ({sql}) SELECT {gathered} FROM read", params)
        (ids,) = cursor.fetchone()
    if connection.vendor == "sqlite":
        return json.loads(ids)
    return ids or []


def ids_sql(vendor: str) -> str:
    """SQL selecting the ids of one parameter (Ids.param)."""
    return "SELECT unnest(%s::bigint[])" if vendor == "postgresql" else "SELECT value FROM json_each(%s)"


class AmongIds(Func):
    """`expression` is one of `ids`, sent as one parameter however many there are (a list expanded into
    placeholders is slow to plan, and fails past 65,535 of them on PostgreSQL, 32,766 on SQLite)."""

    output_field = models.BooleanField()

    def __init__(self, expression, ids):
        super().__init__(expression)
        self.ids = ids if isinstance(ids, Ids) else Ids(ids)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        among_sql, among_params = among(sql, self.ids, connection.vendor)
        return among_sql, (*params, *among_params)


def among(column: str, ids: Ids, vendor: str) -> tuple[str, list]:
    """SQL and parameters of the condition that `column` is one of `ids` (see AmongIds)."""
    if vendor == "postgresql" and ids.found_by is None:
        return f"{column} = ANY(%s::bigint[])", [ids.array]  # not IN (unnest): its length is seen
    selected, params = ids.sql(vendor)
    walked = "+" if ids.most and vendor == "sqlite" else ""
    return f"{walked}{column} IN ({selected})", params


class Walked(Func):
    """SQLite: `expression` is one of the rows the RawSQL `found` selects, the column kept off its own index ("+"),
    so that the rows are walked in the order asked, each tested against them: for words most rows have, of which
    the first page's are among the first rows walked."""

    output_field = models.BooleanField()

    def __init__(self, expression, found):
        super().__init__(expression)
        self.found = found

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"+{sql} IN ({self.found.sql})", (*params, *self.found.params)


class Highlight(Func):
    """SQLite: wrap each occurrence of the query's words in HIGHLIGHT marks (a Python function, see apps.py)."""

    function = "timeline_highlight"
    output_field = models.TextField()


def statement_matches(statement_model, q: str, db: str, walked: bool = False) -> tuple[dict, Q, dict]:
    """How statements match the free text `q`: (aliases to add, the condition, annotations), the annotations being
    `search_rank` and `search_text` (the text with matches between HIGHLIGHT_START and HIGHLIGHT_STOP).

    PostgreSQL: the stored vector, each statement in the language spoken (websearch syntax, stemmed, ranked), as
    the timeline's search reads statements. SQLite: every term (`search_terms`) found in the text or the speaker
    as printed, in the full-text index of timeline/fulltext.py (case, accents and apostrophes not counting); with
    `walked`, tested on each statement in the order asked (Walked)."""
    if connections[db].vendor == "postgresql":
        from django.contrib.postgres.search import SearchHeadline, SearchRank

        english, french = (postgresql_query(q, config) for config in SEARCH_CONFIGS.values())
        vector = stored_search_vector(statement_model)
        condition = Q(language="fr", search_vector=french) | ~Q(language="fr") & Q(search_vector=english)
        marks = {"start_sel": HIGHLIGHT_START, "stop_sel": HIGHLIGHT_STOP, "highlight_all": True}
        in_french = Q(language="fr")
        return (
            {"search_vector": vector},
            condition,
            {
                "search_rank": Case(
                    When(in_french, then=SearchRank(vector, french)), default=SearchRank(vector, english)
                ),
                "search_text": Case(
                    When(in_french, then=SearchHeadline("text", french, config=SEARCH_CONFIGS["fr"], **marks)),
                    default=SearchHeadline("text", english, config=SEARCH_CONFIGS["en"], **marks),
                ),
            },
        )
    terms = search_terms(q)
    if not terms:
        return {}, Q(pk__in=[]), {"search_rank": Value(0.0), "search_text": F("text")}
    needle = Value("\n".join(fold(word) for word in search_words(q)))
    found = fulltext.statements_matching(terms)
    return (
        {},
        Walked(F("pk"), found) if walked else Q(pk__in=found),
        {"search_rank": Value(1.0), "search_text": Highlight("text", needle)},
    )
