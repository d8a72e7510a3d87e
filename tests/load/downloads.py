"""Whole downloads against the pages: however many readers download everything, the pages keep being served.

    DATABASE_URL=postgresql://user:pw@127.0.0.1:5432/db \\
        python tests/load/downloads.py [--downloaders 3] [--readers 2] [--seconds 20] [--limit N] [--json out.json]
        [--whole-files-only] [--open-data DIR]

Against a migrated database that holds published events (the demo, or `manage.py generate_synthetic`), the script
writes the whole dataset's files (`export_open_data`), serves the production profile (DEBUG=0) with gunicorn as a
small deployment does (2 sync workers, a 30 s timeout), and measures the pages' latency in two phases of
--seconds each: with nothing else going on, then while --downloaders clients each download the whole dataset
over and over, every page of every paged download (events CSV, statements CSV, calendar, TimelineJS) by following
its `Link: rel="next"` and waiting as told after a 429, then every file of /export/full/. --limit sets the
server's TIMELINE_DOWNLOAD_LIMIT (smaller pages, more of them, on a small dataset).

It prints, and writes to --json, each phase's page latency (p50, p95, max, in ms), the loaded phase's multiple of
the unloaded one, and the downloads' statuses, bytes and times. Exit status 1 on any 5xx or connection error, on
a page answering anything but 200, or on a worker restarted (a timeout kills one); never on timings, which a
shared machine makes noisy: they are reported, not judged.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
DOWNLOADS = ["/export/events.csv", "/export/statements.csv", "/export/events.ics", "/export/timeline.json"]
FULL_FILES = ["timeline-events.csv", "timeline-statements.csv", "timeline-events.ics", "timeline.json"]
NEXT = re.compile(r'<([^>]+)>; rel="next"')


@dataclass
class Sample:
    path: str
    status: int | str  # an HTTP status, or the connection error's name
    seconds: float
    size: int = 0
    headers: dict = field(default_factory=dict)


def get(port: int, path: str, timeout: float = 120, headers: dict | None = None) -> Sample:
    """One GET on its own connection (sync workers close each one anyway)."""
    start = time.monotonic()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        size = 0
        while chunk := response.read(65536):
            size += len(chunk)
        wanted = ("Link", "Retry-After", "Content-Encoding")
        return Sample(path, response.status, time.monotonic() - start, size, {h: response.getheader(h) for h in wanted})
    except (OSError, http.client.HTTPException) as error:
        return Sample(path, type(error).__name__, time.monotonic() - start)
    finally:
        conn.close()


def read_pages(port: int, pages: list[str], stop: threading.Event, samples: list[Sample], offset: int) -> None:
    i = offset
    while not stop.is_set():
        samples.append(get(port, pages[i % len(pages)], timeout=60))
        i += 1


def download_everything(
    port: int, stop: threading.Event, samples: list[Sample], whole: list[float], paged: bool = True
) -> None:
    """Every page of every download (unless not `paged`), then every full file, again and again; each pass's time
    goes to `whole`."""
    while not stop.is_set():
        started = time.monotonic()
        for first in DOWNLOADS if paged else []:
            path = first
            while path and not stop.is_set():
                sample = get(port, path)
                samples.append(sample)
                if sample.status == 429:
                    stop.wait(float(sample.headers.get("Retry-After") or 5))
                    continue
                following = NEXT.search(sample.headers.get("Link") or "")
                path = urlsplit(following.group(1))._replace(scheme="", netloc="").geturl() if following else None
        for name in FULL_FILES:
            if not stop.is_set():
                samples.append(get(port, f"/export/full/{name}", headers={"Accept-Encoding": "gzip"}))
        if not stop.is_set():
            whole.append(time.monotonic() - started)


def worker_pids(master: int) -> set[int]:
    children = set()
    for task in Path(f"/proc/{master}/task").iterdir():
        children |= {int(pid) for pid in (task / "children").read_text().split()}
    return children


def latency(samples: list[Sample]) -> dict:
    times = sorted(sample.seconds * 1000 for sample in samples)
    if not times:
        return {"requests": 0}
    return {
        "requests": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
        "max_ms": round(times[-1], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--downloaders", type=int, default=3)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20, help="length of each phase")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, help="the server's TIMELINE_DOWNLOAD_LIMIT (default: its own)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--whole-files-only",
        action="store_true",
        help="the downloaders fetch only the whole dataset's files, not the paged downloads",
    )
    parser.add_argument(
        "--open-data",
        type=Path,
        help="where the whole dataset's files are written (default: a new temporary folder); files that a run "
        "wrote there before from the same data are kept as they are, so a second run need not write them again",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="timeline-load-"))
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "timeline.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(workdir / "static"),
        "TIMELINE_OPEN_DATA_DIR": str(args.open_data or workdir / "open-data"),
        "SITE_URL": f"http://{HOST}:{port}",
    }
    if args.limit:
        env["TIMELINE_DOWNLOAD_LIMIT"] = str(args.limit)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=BASE_DIR)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=BASE_DIR)
    exported_at = time.monotonic()
    subprocess.run([*manage, "export_open_data"], env=env, check=True, cwd=BASE_DIR)
    export_seconds = time.monotonic() - exported_at
    pages = page_paths(env, manage)

    log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 - open for the server's life
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "timeline.wsgi", "-b", f"{HOST}:{port}", "-w", str(args.workers)]
        + ["--timeout", "30", "--log-level", "warning"],
        env=env,
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(150):
            if gunicorn.poll() is not None:
                raise SystemExit(f"gunicorn exited at start; see {workdir / 'gunicorn.log'}")
            if get(port, "/", timeout=60).status == 200:
                break
            time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        for path in pages * 2:  # each worker keeps its own copy of a page: warm both
            get(port, path, timeout=60)
        workers_before = worker_pids(gunicorn.pid)

        def phase(downloaders: int) -> tuple[list[Sample], list[Sample], list[float]]:
            stop = threading.Event()
            read, downloaded, whole = [], [], []
            threads = [
                threading.Thread(target=read_pages, args=(port, pages, stop, read, i)) for i in range(args.readers)
            ]
            threads += [
                threading.Thread(
                    target=download_everything, args=(port, stop, downloaded, whole, not args.whole_files_only)
                )
                for _ in range(downloaders)
            ]
            for thread in threads:
                thread.start()
            time.sleep(args.seconds)
            stop.set()
            for thread in threads:
                thread.join()
            return read, downloaded, whole

        alone, _, _ = phase(0)
        loaded, downloaded, whole = phase(args.downloaders)
        workers_after = worker_pids(gunicorn.pid)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        log.close()

    problems = [f"page {s.path} -> {s.status}" for s in alone + loaded if s.status != 200]
    # A download may be asked to come back (429, then retried); anything else but a 200 is a failure.
    problems += [f"download {s.path} -> {s.status}" for s in downloaded if s.status not in (200, 429)]
    if workers_after != workers_before:
        problems.append(f"a worker was restarted ({sorted(workers_before)} -> {sorted(workers_after)})")
    full = [s for s in downloaded if s.path.startswith("/export/full/") and s.status == 200]
    paged = [s for s in downloaded if not s.path.startswith("/export/full/") and s.status == 200]
    unloaded, under_load = latency(alone), latency(loaded)
    result = {
        "pages": pages,
        "downloaders": args.downloaders,
        "whole_files_only": args.whole_files_only,
        "readers": args.readers,
        "seconds_per_phase": args.seconds,
        "gunicorn_workers": args.workers,
        "export_open_data_seconds": round(export_seconds, 1),
        "pages_alone": unloaded,
        "pages_while_downloading": under_load,
        "p50_multiple": round(under_load["p50_ms"] / unloaded["p50_ms"], 2) if unloaded.get("p50_ms") else None,
        "p95_multiple": round(under_load["p95_ms"] / unloaded["p95_ms"], 2) if unloaded.get("p95_ms") else None,
        "downloads": {
            "statuses": dict(Counter(str(s.status) for s in downloaded)),
            "paged_downloads": {**latency(paged), "megabytes": round(sum(s.size for s in paged) / 1e6, 1)},
            "full_files": {**latency(full), "megabytes": round(sum(s.size for s in full) / 1e6, 1)},
            "whole_dataset_passes_completed": len(whole),
            "seconds_per_whole_pass": [round(seconds, 1) for seconds in whole],
        },
        "workers_unchanged": workers_after == workers_before,
        "problems": problems[:20],
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 1 if problems else 0


def page_paths(env: dict, manage: list[str]) -> list[str]:
    """The pages readers are measured on: the timeline, an event, a participant, the API's list."""
    script = (
        "import django, json; django.setup(); from timeline.models import Event, Participant;"
        "e = Event.objects.published().order_by('-start_date').first();"
        "p = Participant.objects.public().order_by('pk').first();"
        "print(json.dumps([e.get_absolute_url(), p.get_absolute_url()]))"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=BASE_DIR, check=True, capture_output=True)
    event, participant = json.loads(out.stdout)
    return ["/", event, participant, "/api/events"]


if __name__ == "__main__":
    sys.exit(main())
