"""PostgreSQL: events searched in English and in French, accents aside.

Two text search configurations, copies of PostgreSQL's english and french with the unaccent dictionary before the
stemmer ("mérite" and "merite" are one word; unaccent is a trusted extension, which the database's owner may
create). An event has a vector for its English, stemmed as English, and one for its French, stemmed as French, each
with the weights of migration 0004 (title A, summary B, body and place C); a statement is indexed in the language
it was spoken, now also without accents. On any other database these operations do nothing: SQLite folds accents in Python instead
(timeline.search.fold).
"""

import importlib

from django.db import migrations

PostgreSQLOnlySQL = importlib.import_module("timeline.migrations.0004_postgresql_search").PostgreSQLOnlySQL

CONFIGURATION = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{name}') THEN
        CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {copy});
        ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {stemmer};
    END IF;
END
$$
"""

# An event's English and its French, each in a vector of its own: a query read as English is matched against the
# English, read as French against the French, so that "-word" in one language is not undone by the other.
EVENT_VECTOR = """
ALTER TABLE timeline_event ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('timeline_en', coalesce(title_en, '')), 'A')
    || setweight(to_tsvector('timeline_en', coalesce(summary_en, '')), 'B')
    || setweight(to_tsvector('timeline_en', coalesce(body_en, '') || ' ' || coalesce(location_en, '')), 'C')
) STORED
"""
EVENT_VECTOR_FR = """
ALTER TABLE timeline_event ADD COLUMN search_vector_fr tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('timeline_fr', coalesce(title_fr, '')), 'A')
    || setweight(to_tsvector('timeline_fr', coalesce(summary_fr, '')), 'B')
    || setweight(to_tsvector('timeline_fr', coalesce(body_fr, '') || ' ' || coalesce(location_fr, '')), 'C')
) STORED
"""

STATEMENT_VECTOR = """
ALTER TABLE timeline_statement ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector(
        CASE language WHEN 'fr' THEN 'timeline_fr'::regconfig ELSE 'timeline_en'::regconfig END,
        coalesce(text, '') || ' ' || coalesce(speaker_label, '')
    )
) STORED
"""

# Migration 0004's vectors, for going back.
OLD_EVENT_VECTOR = """
ALTER TABLE timeline_event ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
    || setweight(to_tsvector('english', coalesce(body, '') || ' ' || coalesce(location, '')), 'C')
) STORED
"""
OLD_STATEMENT_VECTOR = """
ALTER TABLE timeline_statement ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector(
        CASE language WHEN 'fr' THEN 'french'::regconfig ELSE 'english'::regconfig END,
        coalesce(text, '') || ' ' || coalesce(speaker_label, '')
    )
) STORED
"""


def vectors(event: str, statement: str) -> list[str]:
    return [
        "ALTER TABLE timeline_event DROP COLUMN IF EXISTS search_vector",
        event,
        "CREATE INDEX IF NOT EXISTS timeline_event_search_idx ON timeline_event USING gin (search_vector)",
        "ALTER TABLE timeline_statement DROP COLUMN IF EXISTS search_vector",
        statement,
        "CREATE INDEX IF NOT EXISTS timeline_statement_search_idx ON timeline_statement USING gin (search_vector)",
    ]


FRENCH_EVENT_VECTOR = [
    EVENT_VECTOR_FR,
    "CREATE INDEX IF NOT EXISTS timeline_event_search_fr_idx ON timeline_event USING gin (search_vector_fr)",
]


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0012_translated_fields"),
    ]

    operations = [
        PostgreSQLOnlySQL(
            sql=[
                "CREATE EXTENSION IF NOT EXISTS unaccent",
                CONFIGURATION.format(name="timeline_en", copy="english", stemmer="english_stem"),
                CONFIGURATION.format(name="timeline_fr", copy="french", stemmer="french_stem"),
                *vectors(EVENT_VECTOR, STATEMENT_VECTOR),
                *FRENCH_EVENT_VECTOR,
            ],
            reverse_sql=[
                "ALTER TABLE timeline_event DROP COLUMN IF EXISTS search_vector_fr",
                *vectors(OLD_EVENT_VECTOR, OLD_STATEMENT_VECTOR),
                "DROP TEXT SEARCH CONFIGURATION IF EXISTS timeline_fr",
                "DROP TEXT SEARCH CONFIGURATION IF EXISTS timeline_en",
            ],
        ),
    ]
