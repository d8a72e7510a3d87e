"""Benchmark the reader's pages under gunicorn, against a static file of the same size as the timeline page."""

import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from timeline import bench_workloads as workloads
from timeline import paging
from timeline.benchmarking import Result, Target, fetch, run
from timeline.models import Event, Involvement, Statement

HOST = "127.0.0.1"
STATIC_NAME = "bench/timeline-page-copy.html"  # under STATIC_URL; written into the child's STATIC_ROOT


def busiest(published):
    """The busiest participant (the page readers reach most, and the heaviest participant filter), their events,
    and the topic they are busiest on."""
    row = (
        Involvement.objects.filter(event__in=published)
        .values("participant__slug")
        .annotate(n=Count("pk"))
        .order_by("-n", "participant__slug")
        .first()
    )
    participant = row["participant__slug"]
    theirs = published.filter(involvements__participant__slug=participant)
    topic = (
        Event.topics.through.objects.filter(event__in=theirs)
        .values("topic__slug", "topic__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "topic__slug")
        .first()
    )
    return participant, theirs, topic


def discover_targets() -> tuple[list[Target], list[str]]:
    """The benchmark URLs, built from real slugs in the database; the notes say what was left out and why."""
    notes = []
    published = Event.objects.published()
    if not published.exists():
        raise CommandError("The database has no published events: run `manage.py generate_synthetic` first.")
    participant, theirs, topic = busiest(published)
    # The last ten years of that participant on that topic, from the most recent such event.
    latest = theirs.filter(topics__slug=topic["topic__slug"]).order_by("-start_date").values("start_date").first()
    filters = urlencode(
        {
            "participant": participant,
            "topic": topic["topic__slug"],
            "start": latest["start_date"].year - 10,
            "end": latest["start_date"].year,
        }
    )
    # A search for the name of that topic: words found in many titles, as a reader's first search might be.
    search = urlencode({"q": topic["topic__name"].lower()})
    # The last three years with events, by month: the chart at its most detailed.
    last_year = published.order_by("-start_date").values_list("start_date", flat=True).first().year
    chart = urlencode({"start": f"{last_year - 2}-01", "end": f"{last_year}-12"})
    # An event with as many statements as any: the fullest detail page, among the most recent.
    event = published.annotate(n=Count("statements")).order_by("-n", "-start_date", "pk").values("slug").first()
    timeline = reverse("event_list")
    # "Load more" under page 49 goes on from the last event a reader has (paging.Place), as the page's link asks.
    shown = 49 * paging.PAGE_SIZE
    last_shown = published.chronological()[shown - 1 : shown].first()
    page_50 = urlencode({"page": 50, **({"after": str(paging.Place.of(last_shown))} if last_shown else {})})
    results = {"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": f"http://{HOST}{timeline}"}
    more = {**results, "HX-Target": "load-more"}
    candidates = [
        Target("timeline", timeline),
        Target("timeline filtered", f"{timeline}?{filters}"),
        Target("text search", f"{timeline}?{search}"),
        Target("htmx page 50 (load more)", f"{timeline}?{page_50}", more),
        Target("htmx page 50 (results)", f"{timeline}?page=50", results),
        Target("density chart (results)", f"{timeline}?{chart}", results),
        Target("event detail", reverse("event_detail", args=[event["slug"]])),
        Target("participant", reverse("participant_detail", args=[participant])),
        Target("api events", "/api/events"),
        # The indexes and the API's other lists, which no filter narrows: every one must stay within bounds too.
        Target("statements", reverse("statement_list")),
        Target("participants", reverse("participant_list")),
        Target("topics", reverse("topic_list")),
        Target("sources", reverse("source_list")),
        Target("api statements", "/api/statements"),
        Target("api participants", "/api/participants"),
        Target("api sources", "/api/sources"),
        Target("api topics", "/api/topics"),
    ]
    targets = []
    for target in candidates:
        try:
            resolve(target.path.split("?")[0])
        except Resolver404:
            notes.append(f"skipped {target.name}: no page at {target.path.split('?')[0]} yet")
            continue
        targets.append(target)
    return targets, notes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the app as in production (DEBUG off, whitenoise), with the query counter on."""

    def __init__(self, workers: int, static_root: Path, log: Path, cold: bool = False, env: dict | None = None):
        self.port = free_port()
        self.log = log
        self.env = {
            **os.environ,
            **(env or {}),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback: no TLS proxy in front
            "STATIC_ROOT": str(static_root),
            "TIMELINE_BENCH": "1",
            "TIMELINE_CACHE": "0" if cold else "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "LOG_LEVEL": "ERROR",  # not a warning line per 404 while waiting for the reload
        }
        self.command = [
            sys.executable,
            "-m",
            "gunicorn",
            "timeline.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--error-logfile",
            str(log),
            "--log-level",
            "warning",
        ]
        self.process = None

    def collectstatic(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=settings.BASE_DIR,
            env=self.env,
            check=True,
        )

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, cwd=settings.BASE_DIR, env=self.env)

    def wait_until(self, target: Target, consecutive: int = 1, timeout: float = 60.0) -> None:
        """Until `target` answers 200 `consecutive` times in a row (after a reload, old workers may answer)."""
        deadline = time.monotonic() + timeout
        streak = 0
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CommandError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                status = fetch(HOST, self.port, target, timeout=10)[0]
            except OSError:
                status = None
            streak = streak + 1 if status == 200 else 0
            if streak >= consecutive:
                return
            time.sleep(0.2)
        raise CommandError(f"{target.path} did not answer 200 within {timeout:.0f} s:\n{self.log_tail()}")

    def reload(self) -> None:
        """New workers, so whitenoise sees files added to STATIC_ROOT after start."""
        self.process.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])
        except OSError:
            return "(no log)"


class Command(BaseCommand):
    help = (
        "Start the app under gunicorn on 127.0.0.1 (DEBUG off), warm it up, then send a bounded number of "
        "requests to each benchmark URL at each concurrency level; print latency percentiles, requests/s, errors, "
        "SQL queries per request and sizes, each against a static file of the timeline page's size. Uses the "
        "database DATABASE_URL points at; fill it with `manage.py generate_synthetic` first. Exits 1 on errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=200, help="Requests per URL and concurrency level.")
        parser.add_argument("--concurrency", default="1,4,8", help="Comma-separated levels (default 1,4,8).")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2).")
        parser.add_argument("--warmup", type=int, default=10, help="Unmeasured requests per URL first (default 10).")
        parser.add_argument("--only", action="append", default=[], help="Only URLs whose name contains this.")
        parser.add_argument("--json-out", help="Also write the results as JSON to this file.")
        parser.add_argument(
            "--cold",
            action="store_true",
            help="Turn the server-side page and aggregate caches off (TIMELINE_CACHE=0): every request is computed.",
        )
        parser.add_argument(
            "--mode",
            action="append",
            choices=["fixed", "long-tail", "after-edit"],
            help="fixed: the benchmark URLs, --requests each (the default); long-tail: --long-tail distinct filter "
            "combinations, each asked once, caches on; after-edit: the common pages cached, then after a draft "
            "is saved, then after a published event is edited, for the first and second reader. Repeatable.",
        )
        parser.add_argument("--long-tail", type=int, default=300, help="Combinations in the long tail (300).")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the long tail's combinations (1).")

    def handle(self, *args, requests, concurrency, workers, warmup, only, json_out, cold, **options):
        modes = options.get("mode") or ["fixed"]
        levels = self.levels(concurrency, requests, workers, warmup)

        targets, notes = discover_targets()
        if only:
            targets = [t for t in targets if any(word in t.name for word in only)]
        tail = workloads.long_tail(options["long_tail"], options["seed"]) if "long-tail" in modes else []
        pages = workloads.common_pages(targets) if "after-edit" in modes else []
        edits = [edit for edit in (workloads.draft_edit(), workloads.published_edit()) if edit] if pages else []
        meta = {**self.describe(workers, requests, levels), "server_cache": not cold, "modes": modes}
        connection.close()  # the server's workers use the database from here on, not this process

        # Stopped from outside (a CI timeout), still stop gunicorn: the finally below runs on SystemExit.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
        workdir = Path(tempfile.mkdtemp(prefix="timeline-bench-"))
        server = Server(workers, workdir / "static", workdir / "gunicorn.log", cold)
        try:
            self.stderr.write("Collecting static files and starting gunicorn...")
            server.collectstatic()
            server.start()
            timeline = Target("timeline", reverse("event_list"))
            server.wait_until(timeline)
            floor = self.serve_floor(server, timeline, workdir, workers)

            warmups, results, report = [], [], {}
            if "fixed" in modes:
                self.stderr.write(f"Warming up ({warmup} requests per URL)...")
                warmups = [run(HOST, server.port, target, warmup, workers) for target in [floor, *targets] if warmup]
                for level in levels:
                    for target in [floor, *targets]:
                        self.stderr.write(f"  c={level} {target.name}: {target.path}")
                        results.append(run(HOST, server.port, target, requests, level))
            if tail:
                if warmup:
                    self.stderr.write(f"Warming up the workers ({warmup} requests of the unfiltered timeline)...")
                    warm = workloads.warm_targets()
                    warmups += [run(HOST, server.port, target, warmup, workers) for target in warm]
                self.stderr.write(f"Long tail: {len(tail)} distinct combinations, each asked once, c={workers}...")
                report["long_tail"] = workloads.run_long_tail(HOST, server.port, tail, floor, workers)
            if pages:
                self.stderr.write(f"After an edit: {len(pages)} common pages, first and second reader...")
                report["after_edit"] = workloads.run_after_edit(HOST, server.port, pages, floor, edits)
        finally:
            server.stop()
            log = server.log_tail()
            shutil.rmtree(workdir, ignore_errors=True)

        meta["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        if results:
            self.stdout.write(self.table(results, floor.name, meta, notes))
        if "long_tail" in report:
            self.stdout.write(workloads.long_tail_table(report["long_tail"], meta))
        if "after_edit" in report:
            self.stdout.write(workloads.after_edit_table(report["after_edit"], meta))
        report = {"meta": {**meta, "notes": notes}, "results": self.with_ratios(results, floor.name), **report}
        if json_out:
            Path(json_out).write_text(json.dumps(report, indent=2) + "\n")
            self.stdout.write(f"JSON written to {json_out}")
        self.fail_on_errors([*warmups, *results], report, log)

    def fail_on_errors(self, results, report: dict, log: str) -> None:
        """Exit non-zero on any failed request, never on timings."""
        errors = sum(result.errors for result in results)
        samples = sorted({sample for result in results for sample in result.error_samples})
        for mode in ("long_tail", "after_edit"):
            errors += len(report.get(mode, {}).get("errors", []))
            samples += report.get(mode, {}).get("errors", [])[:3]
        if errors:
            raise CommandError(f"{errors} request(s) failed: {'; '.join(samples)}\n{log}")

    def levels(self, concurrency: str, requests: int, workers: int, warmup: int) -> list[int]:
        try:
            levels = [int(level) for level in concurrency.split(",") if level.strip()]
        except ValueError:
            raise CommandError(f"--concurrency takes numbers separated by commas, not {concurrency!r}.") from None
        if not levels or min(levels) < 1 or requests < 1 or workers < 1 or warmup < 0:
            raise CommandError("--requests, --workers and every --concurrency level must be at least 1.")
        return levels

    def serve_floor(self, server: Server, timeline: Target, workdir: Path, workers: int) -> Target:
        """The floor every figure is compared with: the timeline page's own bytes, served as a static file by the
        same server."""
        page = self.get_body(server, timeline)
        floor_path = workdir / "static" / STATIC_NAME
        floor_path.parent.mkdir(parents=True, exist_ok=True)
        floor_path.write_bytes(page)
        floor = Target("static file, same size", f"/{settings.STATIC_URL.strip('/')}/{STATIC_NAME}")
        server.reload()
        server.wait_until(floor, consecutive=4 * workers)
        return floor

    def get_body(self, server: Server, target: Target) -> bytes:
        conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
        try:
            conn.request("GET", target.path, headers={"Host": HOST})
            return conn.getresponse().read()
        finally:
            conn.close()

    def describe(self, workers: int, requests: int, levels: list[int]) -> dict:
        return {
            "when": timezone.now().isoformat(timespec="seconds"),
            "database": connection.vendor,
            "events": Event.objects.count(),
            "published_events": Event.objects.published().count(),
            "statements": Statement.objects.count(),
            "workers": workers,
            "requests_per_url": requests,
            "concurrency": levels,
            "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
        }

    @staticmethod
    def with_ratios(results: list[Result], floor_name: str) -> list[dict]:
        floors = {r.concurrency: r for r in results if r.name == floor_name}
        rows = []
        for result in results:
            row = result.as_dict()
            floor = floors.get(result.concurrency)
            for p in (50, 95):
                base = floor.percentile(p) if floor else 0
                row[f"x_static_p{p}"] = round(result.percentile(p) / base, 1) if base else None
            rows.append(row)
        return rows

    def table(self, results: list[Result], floor_name: str, meta: dict, notes: list[str]) -> str:
        rows = self.with_ratios(results, floor_name)
        header = (
            f"{'URL':<27}{'conc':>5}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>7}"
            f"{'queries':>8}{'bytes':>9}{'x static p50':>13}{'x p95':>7}"
        )
        lines = [
            "",
            f"{meta['database']}, {meta['events']:,} events ({meta['published_events']:,} published), "
            f"{meta['workers']} gunicorn workers, {meta['requests_per_url']} requests per URL and level, "
            f"server-side caches {'on' if meta['server_cache'] else 'off (--cold)'}, "
            f"load average {meta['load_average'][0]} before, {meta['load_average_after'][0]} after, "
            f"on {meta['cpus']} CPUs",
            header,
            "-" * len(header),
        ]
        for row in rows:
            queries = (
                "-"
                if row["queries"] is None
                else (
                    str(row["queries"])
                    if row["queries_min"] == row["queries_max"]
                    else f"{row['queries_min']}-{row['queries_max']}"
                )
            )
            lines.append(
                f"{row['name']:<27}{row['concurrency']:>5}{row['rps']:>8.1f}{row['p50_ms']:>8.1f}{row['p95_ms']:>8.1f}"
                f"{row['p99_ms']:>8.1f}{row['errors']:>7}{queries:>8}{row['bytes']:>9,}"
                f"{row['x_static_p50'] or 0:>13.1f}{row['x_static_p95'] or 0:>7.1f}"
            )
        lines += [f"note: {note}" for note in notes]
        return "\n".join(lines) + "\n"
