"""Replace the database's content with a backup written by `manage.py backup`, all or nothing."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Empty the database and load a backup written by `manage.py backup`, in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("path", help="A backup file (.json or .json.gz).")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Do not ask for confirmation."
        )

    def handle(self, *args, path, interactive, verbosity, **options):
        path = Path(path)
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        if interactive:
            answer = input("This deletes everything in the database and loads the backup. Type 'yes' to go on: ")
            if answer != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        # flush recreates content types and permissions; loaddata then reads the rest, keeping primary keys and
        # resetting sequences. If anything fails, the transaction leaves the database as it was.
        with transaction.atomic():
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(path), verbosity=verbosity)
        self.stdout.write(self.style.SUCCESS(f"Restored {path}."))
