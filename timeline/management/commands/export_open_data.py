"""Write the whole published dataset as files, served at /export/full/ (timeline/open_data.py)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from timeline import open_data


class Command(BaseCommand):
    help = (
        "Write every published event and statement as CSV, iCalendar and TimelineJS files (and gzipped copies), in "
        "each of the site's languages, into TIMELINE_OPEN_DATA_DIR, served at /export/full/ (and /fr/export/full/). "
        "Writes nothing when no published data has changed since the last run, so it can run from cron as often as "
        "wanted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Write the files even if nothing has changed.")
        parser.add_argument(
            "--base-url",
            default=settings.SITE_URL,
            help=f"The site's address, for the links in the files (default: SITE_URL, {settings.SITE_URL}).",
        )

    def handle(self, *args, force, base_url, **options):
        started = time.monotonic()
        written = open_data.export(base_url, force=force)
        if written is None:
            self.stdout.write("Nothing readers can see has changed since the last export: nothing written.")
            return
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Wrote the open data to {open_data.directory()} in {elapsed:.1f} s:"))
        for language, files in written["files"].items():
            for name, file in files.items():
                self.stdout.write(f"  {language}/{name}: {file['rows']:,} rows, {file['bytes'] / 1e6:,.1f} MB")
