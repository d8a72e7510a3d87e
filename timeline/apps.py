from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def register_sqlite_functions(sender, connection, **kwargs):
    """SQLite has no text-search headline nor a way to ignore accents: give it both as functions, as Django does
    for its own date functions, so that EventQuerySet.search() has one interface on every database."""
    if connection.vendor == "sqlite":
        from timeline.search import fold, highlight_words

        connection.connection.create_function("timeline_highlight", 2, highlight_words, deterministic=True)
        connection.connection.create_function("timeline_fold", 1, fold, deterministic=True)


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from timeline import eventkeys
        from timeline.versions import install_triggers

        connection_created.connect(register_sqlite_functions)
        # After every migrate, so that the triggers behind the cached pages cover tables added since.
        post_migrate.connect(install_triggers, sender=self)
        post_migrate.connect(eventkeys.install, sender=self)
