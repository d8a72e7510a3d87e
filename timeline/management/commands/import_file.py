"""Import a file of any size, as the admin's import does but without a request's time limit: all rows or none,
with a progress bar, in bounded memory (the file is read a chunk of rows at a time)."""

import resource
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from timeline import importing
from timeline.import_files import ImportRefused
from timeline.progress import ProgressBar
from timeline.resources import IMPORT_ORDER

RESOURCES = {resource_class._meta.model._meta.model_name: resource_class for resource_class in IMPORT_ORDER}


class Command(BaseCommand):
    help = (
        "Import a CSV, XLSX or JSON file of topics, participants, sources, roles, events or statements, as the "
        "admin's import does, for files larger than the admin takes. Everything is checked first and written in "
        "one transaction: if any row is wrong, nothing is written and every problem is listed by its row."
    )

    def add_arguments(self, parser):
        parser.add_argument("model", choices=sorted(RESOURCES), help="What the file holds.")
        parser.add_argument("path", type=Path, help="The file: .csv (UTF-8), .xlsx or .json.")
        parser.add_argument(
            "--user",
            required=True,
            help="The username the import is made as: its history names them, and only a publisher's file may "
            "publish (through the status column).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check every row and write nothing.")
        parser.add_argument(
            "--known-addresses",
            choices=["update", "keep"],
            default="",
            help="For sources whose address is already known: update them with the file, or keep them as they are "
            "(required when the file has such rows).",
        )

    def handle(self, *args, model, path, user, dry_run, known_addresses, verbosity, **options):
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        kind = path.suffix.lower().lstrip(".")
        if kind not in ("csv", "xlsx", "json"):
            raise CommandError("The file must end in .csv, .xlsx or .json, so that its format is known.")
        importer = get_user_model().objects.filter(username=user, is_active=True).first()
        if importer is None:
            raise CommandError(f"No active user is named {user}.")
        if not (importer.has_perm(f"timeline.add_{model}") and importer.has_perm(f"timeline.change_{model}")):
            raise CommandError(f"{user} may not add and change {model}s, so may not import them.")
        progress = ProgressBar(enabled=verbosity >= 1, stream=self.stderr)
        try:
            outcome = importing.import_large(
                RESOURCES[model],
                path,
                kind,
                user=importer,
                dry_run=dry_run,
                known_addresses=known_addresses,
                progress=lambda done, total: progress("rows", done, total),
            )
        except ImportRefused as refusal:
            raise CommandError(f"{refusal} Nothing was imported.") from None
        finally:
            progress.close()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # kilobytes on Linux
        if outcome.problems:
            for problem in outcome.problems:
                self.stderr.write(problem)
            raise CommandError(f"Nothing was imported: {len(outcome.problems)} problem(s) above.")
        verb = "Checked (dry run, nothing written)" if dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {outcome.rows:,} rows of {path.name}: {importing.describe(outcome)}; "
                f"{outcome.seconds:.1f} s, peak memory {peak:,} MB."
            )
        )
        sys.stdout.flush()
