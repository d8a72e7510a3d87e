"""PostgreSQL stopped and started again while the app serves steady traffic.

Passes when requests fail only while the database is down, and then only with 503 and Retry-After (never a 500,
never a dropped connection), and when the same gunicorn workers serve 200s again once it is back, without a
restart of the app.

    TIMELINE_PG_DATA=/path/to/pgdata DATABASE_URL=postgresql://user:pw@127.0.0.1:PORT/db \\
        python tests/faults/pg_restart.py [--clients 8] [--warm 5] [--down 5] [--after 10] [--json out.json]

TIMELINE_PG_DATA is the data directory of the server DATABASE_URL points at (`.ci/run` exports it); the server
is controlled with its own pg_ctl, as the postgres user (through runuser when run as root). Use a throwaway
server: this one really goes down. The script migrates the database, loads the demo dataset, collects static
files into a temporary folder, serves the production profile (DEBUG=0) with gunicorn on 127.0.0.1, and drives
it with a fixed number of clients that request pages back to back. Exit status 0 means it passed.
"""

import argparse
import http.client
import json
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PAGES = [
    "/",
    "/events/carney-trump-white-house-meeting-2025-05-06/",
    "/participants/donald-trump/",
    "/topics/tariffs/",
]


@dataclass
class Sample:
    start: float
    end: float
    path: str
    status: int | str  # an HTTP status, or the connection error's name
    retry_after: str | None


def as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def server_command(pgdata: Path) -> tuple[Path, list[str]]:
    """The pg_ctl beside the running postgres binary, and the options it was started with (postmaster.opts)."""
    binary, *options = shlex.split((pgdata / "postmaster.opts").read_text())
    kept, skip = [], False
    for option in options:
        if skip:
            skip = False
        elif option == "-D":
            skip = True
        else:
            kept.append(option)
    return Path(binary).parent / "pg_ctl", kept


def drive(port: int, stop: threading.Event, samples: list[Sample], offset: int) -> None:
    """One client: requests back to back on a kept-alive connection (a new one only after a failure), so the
    load does not churn through the machine's ephemeral ports, where the database's own port may lie."""
    i = offset
    conn = None
    while not stop.is_set():
        path = PAGES[i % len(PAGES)]
        i += 1
        start = time.monotonic()
        try:
            conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            status, retry_after = response.status, response.getheader("Retry-After")
            if response.will_close:
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as error:
            status, retry_after = type(error).__name__, None
            conn.close()
            conn = None
        samples.append(Sample(start, time.monotonic(), path, status, retry_after))
    if conn:
        conn.close()


def worker_pids(master: int) -> set[int]:
    children = set()
    for task in Path(f"/proc/{master}/task").iterdir():
        children |= {int(pid) for pid in (task / "children").read_text().split()}
    return children


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warm", type=float, default=5, help="seconds of load before the stop")
    parser.add_argument("--down", type=float, default=5, help="seconds the database stays down")
    parser.add_argument("--after", type=float, default=10, help="seconds of load after it is back")
    parser.add_argument("--port", type=int, default=0, help="where gunicorn listens (default: a free port)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]

    pgdata = Path(os.environ["TIMELINE_PG_DATA"])
    database_url = os.environ["DATABASE_URL"]
    pg_ctl, options = server_command(pgdata)
    static_root = tempfile.mkdtemp(prefix="timeline-static-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "timeline.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": static_root,
        "DATABASE_URL": database_url,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    for command in (["migrate", "-v0"], ["demo", "--no-server", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(manage + command, env=env, check=True, cwd=BASE_DIR)

    server_log = open(Path(static_root) / "gunicorn.log", "w")
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "timeline.wsgi",
            "-b",
            f"127.0.0.1:{args.port}",
            "-w",
            "2",
            "--threads",
            "4",
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=BASE_DIR,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    samples: list[Sample] = []
    stop_load = threading.Event()
    try:
        for _ in range(100):
            if gunicorn.poll() is not None:
                raise SystemExit("gunicorn exited at start")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
                conn.request("GET", "/")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        workers_before = worker_pids(gunicorn.pid)

        clients = [threading.Thread(target=drive, args=(args.port, stop_load, samples, i)) for i in range(args.clients)]
        t0 = time.monotonic()
        for client in clients:
            client.start()
        time.sleep(args.warm)
        down_from = time.monotonic()
        subprocess.run(
            as_postgres([str(pg_ctl), "-D", str(pgdata), "-m", "fast", "-w", "stop"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        stopped = time.monotonic()
        time.sleep(args.down)
        start_server = as_postgres(
            [
                str(pg_ctl),
                "-D",
                str(pgdata),
                "-l",
                str(pgdata / "restart.log"),
                "-w",
                "-o",
                shlex.join(options),
                "start",
            ]
        )
        # The load's own client sockets cycle through the ephemeral port range, where a test server's port may
        # lie: if one holds the port just then, the server cannot listen yet. Try again, as an operator would.
        for attempt in range(1, 91):  # noqa: B007 - reported after the loop
            if subprocess.run(start_server, stdout=subprocess.DEVNULL).returncode == 0:
                break
            time.sleep(1)  # a closed connection keeps its port for a minute (TIME_WAIT)
        else:
            raise SystemExit(f"PostgreSQL did not start again; see {pgdata / 'restart.log'}")
        up_at = time.monotonic()
        time.sleep(args.after)
        stop_load.set()
        for client in clients:
            client.join()
        workers_after = worker_pids(gunicorn.pid)
        app_alive = gunicorn.poll() is None
    finally:
        stop_load.set()
        gunicorn.terminate()
        gunicorn.wait(timeout=30)

    # A request is "during the outage" if any part of it overlaps [stop began, start finished].
    def phase(sample: Sample) -> str:
        if sample.end < down_from:
            return "before"
        if sample.start > up_at:
            return "after"
        return "outage"

    by_phase = {name: Counter() for name in ("before", "outage", "after")}
    for sample in samples:
        by_phase[phase(sample)][str(sample.status)] += 1
    problems = []
    for sample in samples:
        where = phase(sample)
        allowed = {200, 503} if where == "outage" else {200}
        if sample.status not in allowed:
            problems.append(f"{where}: {sample.path} -> {sample.status} at {sample.start - t0:.2f}s")
        if sample.status == 503 and not sample.retry_after:
            problems.append(f"503 without Retry-After: {sample.path}")
    if not by_phase["outage"]["503"]:
        problems.append("no 503 seen while the database was down: did the outage happen?")
    if not by_phase["after"]["200"]:
        problems.append("no 200 after the database came back")
    if not app_alive or not workers_before or workers_after != workers_before:
        problems.append(f"the app was restarted (workers {sorted(workers_before)} -> {sorted(workers_after)})")
    first_200_after = min((s.end for s in samples if s.start > up_at and s.status == 200), default=None)

    result = {
        "clients": args.clients,
        "requests": len(samples),
        "database_down_seconds": round(up_at - down_from, 2),
        "pg_ctl_stop_seconds": round(stopped - down_from, 2),
        "pg_ctl_start_attempts": attempt,
        "by_phase": {name: dict(counts) for name, counts in by_phase.items()},
        "first_200_after_restart_seconds": round(first_200_after - up_at, 3) if first_200_after else None,
        "gunicorn_workers_unchanged": workers_after == workers_before,
        "problems": problems[:20],
        "server_log": server_log.name if problems else None,
        "passed": not problems,
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    if not problems:
        shutil.rmtree(static_root)  # kept, with the server's log, when something failed
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
