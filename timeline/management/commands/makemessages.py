"""Django's makemessages, with the project's defaults: the reader's strings only (not the tests, the browser
tests' Node packages or collected static files), each entry located by file (line numbers would make every edit
a change to the catalog), and no obsolete entries left behind.

    manage.py makemessages -l fr     then translate timeline/locale/fr/LC_MESSAGES/django.po
    manage.py compilemessages        and commit both the .po and the .mo
"""

from django.core.management.commands import makemessages

IGNORED = ["tests", "node_modules", "staticfiles", "bench-results", "test-artifacts"]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options["ignore_patterns"], *IGNORED]
        options["add_location"] = options["add_location"] or "file"
        options["no_obsolete"] = True
        return super().handle(*args, **options)
