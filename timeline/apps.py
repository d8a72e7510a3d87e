from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def register_sqlite_functions(sender, connection, **kwargs):
    """SQLite has no text-search headline: give it one as a function, as Django does for its own date functions, so
    that EventQuerySet.search() has one interface on every database. It only marks the rows a search returns. Nor
    does it order names as readers expect: give it the collation PostgreSQL has from ICU (querysets.NameOrder)."""
    if connection.vendor == "sqlite":
        from timeline.querysets import SQLITE_NAME_COLLATION, compare_names
        from timeline.search import highlight_words

        connection.connection.create_function("timeline_highlight", 2, highlight_words, deterministic=True)
        connection.connection.create_collation(SQLITE_NAME_COLLATION, compare_names)


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from timeline import eventkeys, fulltext, search_documents, statementkeys
        from timeline.versions import install_triggers

        connection_created.connect(register_sqlite_functions)
        # After every migrate, so that the triggers behind the cached pages cover tables added since.
        post_migrate.connect(install_triggers, sender=self)
        post_migrate.connect(eventkeys.install, sender=self)
        post_migrate.connect(fulltext.install, sender=self)
        post_migrate.connect(search_documents.install, sender=self)
        post_migrate.connect(statementkeys.install, sender=self)
