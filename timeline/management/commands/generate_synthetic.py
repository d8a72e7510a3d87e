"""Fill an empty database (or, with --flush, an emptied one) with an obviously synthetic dataset of a given size."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from timeline import eventkeys, fulltext, search_documents, statementkeys, synthetic
from timeline.models import Event, Participant, Source, Topic
from timeline.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Generate a synthetic dataset for benchmarks: by default 100,000 events with about 3 statements and "
        "2 sources each, 20,000 participants and 30 topics. Refuses a database that already holds timeline data "
        "unless --flush is given; point DATABASE_URL at a separate database to keep the demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--events",
            type=int,
            default=100_000,
            help="Number of events; participants and the rest scale with it (default 100000).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        parser.add_argument(
            "--flush",
            action="store_true",
            help="Delete ALL timeline data (events, participants, sources, history...) first.",
        )
        parser.add_argument("--batch-size", type=int, default=2000, help="Events per transaction (default 2000).")

    def handle(self, *args, events, seed, flush, batch_size, verbosity, **options):
        if events < 1:
            raise CommandError("--events must be at least 1.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        call_command("migrate", interactive=False, verbosity=0)
        if flush:
            synthetic.flush_timeline()
        elif any(model.objects.exists() for model in (Event, Participant, Source, Topic)):
            raise CommandError(
                "This database already holds timeline data, which generate_synthetic will not mix with synthetic "
                "data. Use a separate database (DATABASE_URL=...), or --flush to delete all timeline data first."
            )

        started = time.monotonic()
        progress = ProgressBar(enabled=verbosity >= 1)
        generator = synthetic.Generator(
            synthetic.Sizes(events=events), seed=seed, batch_size=batch_size, progress=progress
        )
        # The keys, search documents and full-text indexes are computed once at the end rather than by the triggers
        # per batch.
        with eventkeys.suspended(), statementkeys.suspended(), search_documents.suspended(), fulltext.suspended():
            counts = generator.run()
        progress.close()
        synthetic.analyze()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {counts.events:,} events ({counts.drafts:,} drafts), {counts.statements:,} statements, "
                f"{counts.sources:,} sources, {counts.involvements:,} involvements, "
                f"{counts.participants:,} participants with {counts.roles:,} roles, {counts.topics} topics "
                f"in {elapsed:.0f} s (seed {seed})."
            )
        )
