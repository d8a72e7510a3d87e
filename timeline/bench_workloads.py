"""What `manage.py bench` asks of the server besides its fixed URLs: the long tail of filter combinations that
readers really send (each asked once), and the common pages around an edit (the first and second reader after
a draft is saved, then after a published event is edited).

Every URL is built from the database's own slugs, words and years, so the same seed gives the same workload.
"""

import math
import random
import statistics
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Max, Min
from django.urls import reverse

from timeline import eventkeys
from timeline.benchmarking import Target, fetch, run
from timeline.models import Event, Participant, Topic

RESULTS = {"HX-Request": "true", "HX-Target": "results"}
KINDS = ("participant", "topic", "type", "years", "q")


def vocabulary(seed: int = 1) -> dict:
    """What readers filter by: participants (the busiest, as facets list them, and any other), topics, types,
    the span of years, and words from the topics' names, which titles use. The same `seed` draws the same other
    participants from the same data: drawn by the database, each run of the long tail asked for others."""
    busy_ids = [value for value, _ in eventkeys.kept_counts(eventkeys.PARTICIPANT, limit=300)]
    busy = dict(Participant.objects.filter(pk__in=busy_ids).values_list("pk", "slug"))
    participants = [busy[pk] for pk in busy_ids if pk in busy]
    others = list(Participant.objects.public().order_by("pk").values_list("slug", flat=True))
    participants += random.Random(seed).sample(others, min(300, len(others)))
    topics = list(Topic.objects.public().order_by("slug").values_list("slug", "name"))
    span = Event.objects.published().aggregate(first=Min("start_date"), last=Max("start_date"))
    words = sorted({word.lower() for _, name in topics for word in name.split() if len(word) > 4})
    return {
        "participant": participants,
        "topic": [slug for slug, _ in topics],
        "type": [value for value, _ in Event.Type.choices],
        "years": (span["first"].year, span["last"].year),
        "q": words or ["trade"],
    }


def long_tail(n: int, seed: int = 1) -> list[Target]:
    """`n` distinct timeline URLs, each of one to three kinds of filter, a third of them as htmx results."""
    words = vocabulary(seed)
    rng = random.Random(seed)
    first, last = words["years"]
    seen: set[str] = set()
    targets = []
    while len(targets) < n and len(seen) < 20 * n:
        params = []
        for kind in sorted(rng.sample(KINDS, rng.choice((1, 1, 2, 2, 3)))):
            if kind == "years":
                start = rng.randint(first, last)
                end = min(last, start + rng.choice((0, 1, 5, 10, 25)))
                params += [("start", str(start))] + ([("end", str(end))] if rng.random() < 0.8 else [])
            elif kind == "q":
                params.append(("q", rng.choice(words["q"])))
            else:
                params.append((kind, rng.choice(words[kind])))
        path = f"{reverse('event_list')}?{urlencode(params)}"
        partial = rng.random() < 1 / 3
        if (path, partial) in seen:
            continue
        seen.add((path, partial))
        name = ("htmx " if partial else "") + "+".join(dict.fromkeys(name for name, _ in params))
        targets.append(Target(name, path, dict(RESULTS) if partial else {}))
    return targets


def warm_targets() -> list[Target]:
    """What the long tail warms each worker up on first: the unfiltered timeline, as a page and as htmx results.
    A worker's first requests load the templates and code of a page; no combination of the tail is unfiltered, so
    the tail measures the combinations rather than a worker just started."""
    path = reverse("event_list")
    return [Target("timeline", path), Target("htmx timeline", path, dict(RESULTS))]


def common_pages(targets: list[Target]) -> list[Target]:
    """The fixed benchmark URLs and the other pages most readers open: the indexes, an event in the API, feeds."""
    event = Event.objects.published().order_by("-start_date").values_list("slug", flat=True).first()
    topic = Topic.objects.public().order_by("name").values_list("slug", flat=True).first()
    more = [
        Target("participants", reverse("participant_list")),
        Target("topics", reverse("topic_list")),
        Target("topic", reverse("topic_detail", args=[topic])),
        Target("sources", reverse("source_list")),
        Target("api event", f"/api/events/{event}"),
        Target("api participants", "/api/participants"),
        Target("api topics", "/api/topics"),
        Target("feed", reverse("feed_events")),
        Target("feed corrections", reverse("feed_corrections")),
        Target("timeline page 2", f"{reverse('event_list')}?page=2"),
        Target("timeline newest", f"{reverse('event_list')}?sort=newest"),
        Target("embed", reverse("embed")),
    ]
    named = {target.name for target in targets}
    return targets + [target for target in more if target.name not in named]  # the indexes may be among them


# Edits, made as the admin makes them (a model save), and undone afterwards.


@dataclass
class Edit:
    name: str
    event: Event
    field: str
    original: str
    changes: list = field(default_factory=list)

    def apply(self) -> None:
        setattr(self.event, self.field, f"{self.original} (edited by the benchmark)")
        self.event.save()

    def undo(self) -> None:
        setattr(self.event, self.field, self.original)
        self.event.save()


def draft_edit() -> Edit | None:
    draft = Event.objects.filter(status=Event.Status.DRAFT).order_by("pk").first()
    return Edit("draft saved", draft, "summary", draft.summary) if draft else None


def published_edit() -> Edit:
    """A published event's summary corrected: the most recent event, which the first timeline page shows."""
    event = Event.objects.published().order_by("-start_date", "pk").first()
    return Edit("event edited", event, "summary", event.summary)


@dataclass
class Pass:
    """One request to each page, one after the other: what the first (or second) reader of each page waits."""

    label: str
    times: dict[str, float]  # milliseconds, by page name
    statuses: dict[str, int]

    @property
    def total(self) -> float:
        return sum(self.times.values())

    @property
    def errors(self) -> list[str]:
        return [f"{name}: HTTP {status}" for name, status in self.statuses.items() if status != 200]


def one_pass(host: str, port: int, pages: list[Target], label: str) -> Pass:
    times, statuses = {}, {}
    for page in pages:
        started = time.perf_counter()
        try:
            statuses[page.name] = fetch(host, port, page)[0]
        except OSError:
            statuses[page.name] = 0
        times[page.name] = (time.perf_counter() - started) * 1000
    return Pass(label, times, statuses)


def share_over(latencies_ms: list[float], threshold: float) -> float:
    return 100 * sum(1 for value in latencies_ms if value > threshold) / len(latencies_ms) if latencies_ms else 0.0


def summary(latencies_ms: list[float]) -> dict:
    ordered = sorted(latencies_ms)

    def rank(p):
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else 0.0

    return {
        "n": len(ordered),
        "p50_ms": round(rank(50), 1),
        "p95_ms": round(rank(95), 1),
        "p99_ms": round(rank(99), 1),
        "max_ms": round(rank(100), 1),
        "mean_ms": round(statistics.fmean(ordered), 1) if ordered else 0.0,
        "over_100ms_pct": round(share_over(ordered, 100), 1),
        "over_1s_pct": round(share_over(ordered, 1000), 1),
    }


def static_figures(result) -> dict:
    return {"p50_ms": round(result.percentile(50), 1), "p95_ms": round(result.percentile(95), 1)}


# The long tail


def run_long_tail(host: str, port: int, targets: list[Target], floor: Target, concurrency: int) -> dict:
    """Each target asked once, by `concurrency` threads in turn; the static file as many times, in the same run."""
    static = run(host, port, floor, max(50, len(targets) // 2), concurrency)
    rows, lock, queue = [], threading.Lock(), list(reversed(targets))

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                target = queue.pop()
            started = time.perf_counter()
            try:
                status, _, queries = fetch(host, port, target)
            except OSError:
                status, queries = 0, None
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                rows.append(
                    {
                        "name": target.name,
                        "path": target.path,
                        "htmx": bool(target.headers),
                        "ms": round(elapsed, 1),
                        "status": status,
                        "queries": queries,
                    }
                )

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies = [row["ms"] for row in rows]
    queries = [row["queries"] for row in rows if row["queries"] is not None]
    return {
        "concurrency": concurrency,
        "summary": summary(latencies),
        "pages": summary([row["ms"] for row in rows if not row["htmx"]]),
        "partials": summary([row["ms"] for row in rows if row["htmx"]]),
        "static": static_figures(static),
        "queries": [min(queries, default=0), max(queries, default=0)],
        "slowest": sorted(rows, key=lambda row: -row["ms"])[:10],
        "errors": [f"{row['path']}: HTTP {row['status']}" for row in rows if row["status"] != 200],
    }


def long_tail_table(report: dict, meta: dict) -> str:
    figures = report["summary"]
    lines = [
        "",
        f"Long tail: {meta['database']}, {meta['events']:,} events, {figures['n']} distinct filter combinations each "
        f"asked once (a third as htmx results), {meta['workers']} gunicorn workers, concurrency "
        f"{report['concurrency']}, server-side caches {'on' if meta['server_cache'] else 'off'}",
        f"{'':<22}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'>100 ms':>9}{'>1 s':>7}",
    ]
    for label, row in (("all", figures), ("full pages", report["pages"]), ("htmx results", report["partials"])):
        lines.append(
            f"{label:<22}{row['n']:>5}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}{row['p99_ms']:>9.1f}"
            f"{row['max_ms']:>9.1f}{row['over_100ms_pct']:>8.1f}%{row['over_1s_pct']:>6.1f}%"
        )
    static = report["static"]
    lines.append(f"{'static file, same size':<22}{'':>5}{static['p50_ms']:>9.1f}{static['p95_ms']:>9.1f}")
    lines.append(f"queries per request: {report['queries'][0]}-{report['queries'][1]}; slowest:")
    lines += [f"  {row['ms']:>8.1f} ms  {'htmx ' if row['htmx'] else ''}{row['path']}" for row in report["slowest"][:5]]
    return "\n".join(lines) + "\n"


# After an edit


def run_after_edit(host: str, port: int, pages: list[Target], floor: Target, edits: list[Edit]) -> dict:
    """The common pages asked one after the other: warmed, cached, then after each edit the first and the second
    reader; every edit is undone at the end."""
    for _ in range(3):  # every worker has had its turn at each page
        one_pass(host, port, pages, "warm-up")
    passes = [one_pass(host, port, pages, "cached")]
    try:
        for edit in edits:
            edit.apply()
            passes.append(one_pass(host, port, pages, f"{edit.name}, 1st reader"))
            passes.append(one_pass(host, port, pages, f"{edit.name}, 2nd reader"))
    finally:
        for edit in reversed(edits):
            edit.undo()
    static = run(host, port, floor, 4 * len(pages), 1)
    return {
        "pages": [page.name for page in pages],
        "passes": [{"label": p.label, "total_ms": round(p.total, 1), "times_ms": p.times} for p in passes],
        "static": static_figures(static),
        "errors": [error for p in passes for error in p.errors],
    }


def after_edit_table(report: dict, meta: dict) -> str:
    passes = report["passes"]
    short = [p["label"] for p in passes]
    lines = [
        "",
        f"After an edit: {meta['database']}, {meta['events']:,} events, {len(report['pages'])} common pages asked "
        f"one after the other, {meta['workers']} gunicorn workers; milliseconds",
        f"{'page':<26}" + "".join(f"{label:>24}" for label in short),
    ]
    for page in report["pages"]:
        lines.append(f"{page[:25]:<26}" + "".join(f"{p['times_ms'][page]:>24.1f}" for p in passes))
    lines.append(f"{'sum':<26}" + "".join(f"{p['total_ms']:>24.1f}" for p in passes))
    static = report["static"]
    lines.append(f"static file, same size: p50 {static['p50_ms']:.1f} ms, p95 {static['p95_ms']:.1f} ms")
    return "\n".join(lines) + "\n"
