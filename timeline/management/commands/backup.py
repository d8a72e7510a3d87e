"""Write every event, statement, source, participant, role, account and history entry to one JSON file."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand

from timeline import backups


class Command(BaseCommand):
    help = "Back up the database to a JSON file (gzip-compressed when the name ends in .gz); read it back with restore."

    def add_arguments(self, parser):
        default = f"timeline-backup-{datetime.datetime.now():%Y%m%d-%H%M%S}.json.gz"
        parser.add_argument("path", nargs="?", default=default, help=f"Where to write it (default: {default}).")

    def handle(self, *args, path, **options):
        count = backups.write(Path(path))
        self.stdout.write(self.style.SUCCESS(f"Backed up {count} rows to {path}."))
