"""PostgreSQL full-text search: stored search vectors with GIN indexes, and trigram indexes on names.

The vectors are generated columns, so PostgreSQL keeps them current on every insert and update, bulk ones
included; the models do not declare them (they exist on PostgreSQL only) and timeline/querysets.py reads them.
Events are written in English; a statement is indexed in its own language (English or French).
On any other database these operations do nothing: SQLite searches with its simpler fallback.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class PostgreSQLOnlySQL(migrations.RunSQL):
    """RunSQL that runs only on PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0003_history_reason_lists_related_changes"),
    ]

    operations = [
        TrigramExtension(),  # CREATE EXTENSION IF NOT EXISTS pg_trgm; PostgreSQL only. A trusted extension.
        PostgreSQLOnlySQL(
            sql=[
                """
                ALTER TABLE timeline_event ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('english', coalesce(title, '')), 'A')
                    || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
                    || setweight(to_tsvector('english', coalesce(body, '') || ' ' || coalesce(location, '')), 'C')
                ) STORED
                """,
                "CREATE INDEX IF NOT EXISTS timeline_event_search_idx ON timeline_event USING gin (search_vector)",
                """
                ALTER TABLE timeline_statement ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (
                    to_tsvector(
                        CASE language WHEN 'fr' THEN 'french'::regconfig ELSE 'english'::regconfig END,
                        coalesce(text, '') || ' ' || coalesce(speaker_label, '')
                    )
                ) STORED
                """,
                "CREATE INDEX IF NOT EXISTS timeline_statement_search_idx ON timeline_statement USING gin (search_vector)",
                # On UPPER(name): the expression Django's icontains (the admin's search) and ParticipantQuerySet.search use.
                "CREATE INDEX IF NOT EXISTS timeline_participant_name_trgm_idx ON timeline_participant "
                "USING gin ((UPPER(name::text)) gin_trgm_ops)",
            ],
            reverse_sql=[
                "DROP INDEX timeline_participant_name_trgm_idx",
                "ALTER TABLE timeline_statement DROP COLUMN search_vector",
                "ALTER TABLE timeline_event DROP COLUMN search_vector",
            ],
        ),
    ]
