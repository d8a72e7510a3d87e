"""SQLite's full-text index: what the timeline's search reads on SQLite instead of folding every row in Python.

Two FTS5 tables, one row per event and per statement, under the row's own id:

- timeline_event_fts: an event's own words, each of EVENT_TEXT's fields (title, summary, body, location) in every
  language the events are written in, one column per field, so that a match in the title can be told apart.
- timeline_statement_fts: a statement's text and its speaker as printed.
- timeline_eventwords_fts, one row per event: its own words and its statements', for a search of one word
  (`events_found`).

Words are cut and compared by FTS5's unicode61 tokenizer with diacritics removed: case and accents never count, and
an apostrophe of either kind separates words ("L’Élysée" is "l" and "elysee", as "l'elysee" is). Each word of a
search must be found as the start of a word ("tarif" finds "tariffs"), quoted so that nothing a reader types is
read as FTS5 syntax.

Drafts are indexed too: every search reads the index through a published queryset, which decides what readers see.

Both tables are derived data, kept exact by triggers in the same transaction as the change (an edit in the admin,
an import, a bulk update, SQL in the sqlite3 shell), like the facet keys of timeline/eventkeys.py. They are not
models, so no dump, backup or fixture holds them: a restore or a fixture loaded fills them through the triggers.
PostgreSQL keeps stored tsvector columns and GIN indexes instead (migrations 0004 and 0013): nothing here runs there.
"""

import re

from django.conf import settings
from django.db import connection as default_connection
from django.db.models.expressions import RawSQL

from timeline.eventkeys import rebuilt_once

EVENTS, STATEMENTS, EVENT_WORDS = "timeline_event_fts", "timeline_statement_fts", "timeline_eventwords_fts"
TABLES = (EVENTS, STATEMENTS, EVENT_WORDS)
# An event's own words, in each language: what its search looks through (statements are searched too).
EVENT_TEXT = ("title", "summary", "body", "location")
TOKENIZE = "unicode61 remove_diacritics 2"


def event_columns() -> dict[str, str]:
    """Each column of the events' index, as SQL over the event row ROW: the field in every language, in one text."""
    languages = [code for code, _ in settings.LANGUAGES]
    return {
        field: " || ' ' || ".join(f"coalesce(ROW.{field}_{code}, '')" for code in languages) for field in EVENT_TEXT
    }


def statement_columns() -> dict[str, str]:
    return {"text": "coalesce(ROW.text, '')", "speaker": "coalesce(ROW.speaker_label, '')"}


# Each index: the table it is derived from, and its columns as SQL over a row of that table.
INDEXES = {EVENTS: ("timeline_event", event_columns), STATEMENTS: ("timeline_statement", statement_columns)}
# Each statement's event by the statement's id, read without the statement's row: the events a search finds through
# their statements (`events_found`). Through the rows themselves, a common word's 25,000 statements took SQLite 16 ms
# of the 28 its match took at 100,000 events; through this index, 5. Named to SQLite (INDEXED BY), which otherwise
# reads a rowid from the table itself unless ANALYZE has told it better. Made with the triggers after every migrate,
# so that a table Django rebuilds gets it back.
STATEMENT_EVENTS = "timeline_statement_event_by_id"


# Event words: an event's own words and its statements' in one row, the event's, kept by triggers on both tables.
# One word is found in an event or one of its statements exactly when it is found in that row, so a search of one
# word reads its events in one match: through each statement it finds, a word nearly every event has took 130 ms
# at 100,000 events (255,000 statements, each looked up for its event). Two words may not be in the same statement,
# and a phrase may not cross from one statement to the next, so those are read from the other two indexes.
STATEMENT_WORDS = "coalesce(s.text, '') || ' ' || coalesce(s.speaker_label, '')"


def event_words_sql(event: str) -> str:
    """SQL of the words of the event row `event` (an alias of timeline_event) and of its statements, one text."""
    own = " || ' ' || ".join(f"({sql})" for sql in event_columns().values()).replace("ROW.", f"{event}.")
    said = f"(SELECT group_concat({STATEMENT_WORDS}, ' ') FROM timeline_statement s WHERE s.event_id = {event}.id)"
    return f"{own} || ' ' || coalesce({said}, '')"


def event_words_indexed(where: str = "1 = 1") -> str:
    """SQL indexing the words of the events (alias e) that the condition `where` selects."""
    words = event_words_sql("e")
    return f"INSERT INTO {EVENT_WORDS} (rowid, words) SELECT e.id, {words} FROM timeline_event e WHERE {where}"


def event_words_refreshed(event_id: str) -> str:
    """SQL statements indexing anew the words of the event whose id is the SQL `event_id` (forgotten if it is gone)."""
    return f"DELETE FROM {EVENT_WORDS} WHERE rowid = {event_id}; {event_words_indexed(f'e.id = {event_id}')};"


def event_words_triggers() -> dict[str, str]:
    """The triggers keeping the event words: an event's row when its own words or id change, and its statements'
    events' rows when a statement is added, removed, or its words or event change."""
    event_changed = _changed({"id", *(field for sql in event_columns().values() for field in _fields(sql))})
    said_changed = _changed({"event_id", "speaker_label", "text"})
    forget = f"DELETE FROM {EVENT_WORDS} WHERE rowid = OLD.id;"
    moved = f"{event_words_refreshed('OLD.event_id')} {event_words_refreshed('NEW.event_id')}"
    name = EVENT_WORDS
    return {
        f"{name}_event_insert": f"CREATE TRIGGER {name}_event_insert AFTER INSERT ON timeline_event "
        f"BEGIN {event_words_refreshed('NEW.id')} END",
        f"{name}_event_update": f"CREATE TRIGGER {name}_event_update AFTER UPDATE ON timeline_event "
        f"WHEN {event_changed} BEGIN {forget} {event_words_refreshed('NEW.id')} END",
        f"{name}_event_delete": f"CREATE TRIGGER {name}_event_delete AFTER DELETE ON timeline_event BEGIN {forget} END",
        f"{name}_statement_insert": f"CREATE TRIGGER {name}_statement_insert AFTER INSERT ON timeline_statement "
        f"BEGIN {event_words_refreshed('NEW.event_id')} END",
        f"{name}_statement_update": f"CREATE TRIGGER {name}_statement_update AFTER UPDATE ON timeline_statement "
        f"WHEN {said_changed} BEGIN {moved} END",
        f"{name}_statement_delete": f"CREATE TRIGGER {name}_statement_delete AFTER DELETE ON timeline_statement "
        f"BEGIN {event_words_refreshed('OLD.event_id')} END",
    }


def create_event_words() -> str:
    return f"CREATE VIRTUAL TABLE IF NOT EXISTS {EVENT_WORDS} USING fts5(words, tokenize = '{TOKENIZE}')"


def create_statements() -> list[str]:
    return [
        f"CREATE VIRTUAL TABLE {index} USING fts5({', '.join(columns())}, tokenize = '{TOKENIZE}')"
        for index, (_, columns) in INDEXES.items()
    ]


def sqlite_triggers() -> dict[str, str]:
    """The triggers keeping each index: a row added is indexed, a row removed is forgotten, and a row whose indexed
    text (or id) changed is indexed anew. The INSERT first removes any row under the same id: the statement firing
    the trigger may have replaced a row (INSERT OR REPLACE) without a DELETE trigger firing."""
    triggers = {}
    for index, (table, columns) in INDEXES.items():
        expressions = columns()
        names, values = ", ".join(expressions), _values(expressions, "NEW.")
        add = f"DELETE FROM {index} WHERE rowid = NEW.id; INSERT INTO {index} (rowid, {names}) VALUES ({values});"
        forget = f"DELETE FROM {index} WHERE rowid = OLD.id;"
        changed = _changed({"id", *(field for sql in expressions.values() for field in _fields(sql))})
        triggers[f"{index}_insert"] = f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {add} END"
        triggers[f"{index}_update"] = (
            f"CREATE TRIGGER {index}_update AFTER UPDATE ON {table} WHEN {changed} BEGIN {forget} {add} END"
        )
        triggers[f"{index}_delete"] = f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {forget} END"
    return triggers


def _values(expressions: dict[str, str], row: str) -> str:
    """The id and each index column of the row `row` ("NEW.", or "" in a SELECT from the table)."""
    return ", ".join([f"{row}id", *(sql.replace("ROW.", row) for sql in expressions.values())])


def _changed(fields: set[str]) -> str:
    """A trigger's condition: any of these columns of the row changed."""
    return " OR ".join(f"OLD.{field} IS NOT NEW.{field}" for field in sorted(fields))


def _fields(sql: str) -> list[str]:
    """The columns of ROW an index column's SQL reads."""
    return re.findall(r"ROW\.(\w+)", sql)


def installed(connection) -> bool:
    return connection.vendor == "sqlite" and EVENTS in connection.introspection.table_names()


def has_event_words(connection) -> bool:
    return connection.vendor == "sqlite" and EVENT_WORDS in connection.introspection.table_names()


def all_triggers(connection) -> dict[str, str]:
    """The triggers of the indexes there are (the event words came later: migration 0039)."""
    return {**sqlite_triggers(), **(event_words_triggers() if has_event_words(connection) else {})}


def install(using=None, connection=None, **kwargs) -> None:
    """(Re)create the triggers that keep the indexes; idempotent, run after every migrate (see apps.py), so that
    a table rebuilt by a later migration gets them back."""
    if connection is None:
        from django.db import connections

        connection = connections[using] if using else default_connection
    if not installed(connection):
        return  # PostgreSQL, or migrated back before the indexes existed
    with connection.cursor() as cursor:
        for name, statement in all_triggers(connection).items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(statement)
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {STATEMENT_EVENTS} ON timeline_statement (id, event_id)")


def uninstall(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        for name in {**sqlite_triggers(), **event_words_triggers()}:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def suspended(connection=None):
    """The indexes filled once after a bulk write (eventkeys.rebuilt_once), where there are any: otherwise each
    statement added indexes its event's words anew."""
    return rebuilt_once(uninstall, rebuild, connection or default_connection, installed)


def rebuild(connection=None) -> None:
    """Index every event and statement anew, in one statement each, then merge each index into one b-tree (the
    fastest to read); the triggers are installed afterwards."""
    connection = connection or default_connection
    uninstall(connection)
    with connection.cursor() as cursor:
        for index, (table, columns) in INDEXES.items():
            expressions = columns()
            names, values = ", ".join(expressions), _values(expressions, "")
            cursor.execute(f"DELETE FROM {index}")
            cursor.execute(f"INSERT INTO {index} (rowid, {names}) SELECT {values} FROM {table}")
            cursor.execute(f"INSERT INTO {index} ({index}) VALUES ('optimize')")
        if has_event_words(connection):
            cursor.execute(f"DELETE FROM {EVENT_WORDS}")
            cursor.execute(event_words_indexed())
            cursor.execute(f"INSERT INTO {EVENT_WORDS} ({EVENT_WORDS}) VALUES ('optimize')")
    install(connection=connection)


# Reading the indexes


def match(words: list[str | list[str]], column: str | None = None) -> str:
    """An FTS5 query finding every one of `words` as the start of a word (in `column` only, if given); a list among
    them is one word spelled several ways, any of which will do (search.search_terms). Each word is an FTS5
    string, its double quotes doubled, so that no input is an operator, a column name or a syntax error: FTS5 cuts
    it into words as it cuts the text, and a string of several ("l'acier", "sur-optimiste", or a quoted phrase:
    search.search_terms) is a phrase, its words together and in that order."""

    def string(word: str) -> str:
        return '"' + word.replace('"', '""') + '"*'

    # AND written out: FTS5 reads two terms side by side as both, but not a parenthesis after a term.
    terms = " AND ".join(
        string(word) if isinstance(word, str) else "(" + " OR ".join(map(string, word)) + ")" for word in words
    )
    return f"{column} : ({terms})" if column else terms


def _found_in(index: str) -> str:
    """SQL: the ids of `index`'s rows matching the FTS5 query of its one parameter."""
    return f"SELECT rowid FROM {index} WHERE {index} MATCH %s"


def events_matching(words: list[str], column: str | None = None) -> RawSQL:
    """The ids of the events (drafts included) whose own text has every one of `words` (in `column` only, if
    given)."""
    return RawSQL(_found_in(EVENTS), [match(words, column)])


def statements_matching(words: list[str]) -> RawSQL:
    """The ids of the statements whose text or speaker as printed has every one of `words`."""
    return RawSQL(_found_in(STATEMENTS), [match(words)])


def events_found(words: list[str]) -> RawSQL:
    """The ids of the events (drafts included) whose own text has every one of `words`, or one of whose statements
    does: an event is found through its statements too. One word (spelled one way or several), from the event
    words."""
    query = match(words)
    if one_word(words):
        return RawSQL(_found_in(EVENT_WORDS), [query])
    return RawSQL(
        f"{_found_in(EVENTS)} UNION SELECT event_id FROM timeline_statement INDEXED BY {STATEMENT_EVENTS} "
        f"WHERE id IN ({_found_in(STATEMENTS)})",
        [query, query],
    )


def one_word(words: list[str | list[str]]) -> bool:
    """Whether `words` (search.search_terms) are one word, each of its spellings a single word to FTS5's tokenizer
    (letters and digits only: anything else separates words, so "l'acier" is a phrase)."""
    if len(words) != 1:
        return False
    spellings = words[0] if isinstance(words[0], list) else [words[0]]
    return all(spelling.isalnum() for spelling in spellings)
