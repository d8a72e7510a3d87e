"""Measuring the app under load: the SQL query counter `manage.py bench` reads, and the load driver it uses.

The counter is a middleware that settings.py installs only when TIMELINE_BENCH=1 (which `manage.py bench`
sets for the server it starts); a normal deployment never has it.
"""

import http.client
import math
import threading
import time
from dataclasses import dataclass, field

from django.db import connections

QUERY_COUNT_HEADER = "X-Timeline-Queries"


class QueryCountMiddleware:
    """Adds the number of SQL queries run for the request, all middleware included, as a response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A list, appended to at once by the request's thread and the one reading its counts (timeline/alongside.py),
        # which takes this counter along.
        queries = []

        def counter(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        response[QUERY_COUNT_HEADER] = str(len(queries))
        return response


# The load driver: plain threads and http.client, so the benchmark needs no tool beyond Python.


@dataclass
class Target:
    name: str
    path: str
    headers: dict = field(default_factory=dict)


@dataclass
class Result:
    name: str
    path: str
    concurrency: int
    requests: int
    seconds: float
    latencies: list[float]
    errors: int
    error_samples: list[str]
    queries: list[int]
    sizes: list[int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Latency in milliseconds at percentile `p` (nearest rank), over every request, failed ones too."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000

    @property
    def median_queries(self) -> int | None:
        return sorted(self.queries)[len(self.queries) // 2] if self.queries else None

    @property
    def median_bytes(self) -> int:
        return sorted(self.sizes)[len(self.sizes) // 2] if self.sizes else 0

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "path": self.path,
            "concurrency": self.concurrency,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "max_ms": round(self.percentile(100), 2),
            "errors": self.errors,
            "error_samples": self.error_samples,
            "queries": self.median_queries,
            "queries_min": min(self.queries, default=None),
            "queries_max": max(self.queries, default=None),
            "bytes": self.median_bytes,
        }


def fetch(host: str, port: int, target: Target, timeout: float = 30.0) -> tuple[int, int, int | None]:
    """One GET on a fresh connection (gunicorn's sync workers close it anyway): status, body bytes, queries."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", target.path, headers={"Host": host, **target.headers})
        response = connection.getresponse()
        body = response.read()
        queries = response.getheader(QUERY_COUNT_HEADER)
        return response.status, len(body), int(queries) if queries is not None else None
    finally:
        connection.close()


def run(host: str, port: int, target: Target, requests: int, concurrency: int) -> Result:
    """`requests` GETs of one target from `concurrency` threads, each sending its next request as soon as the
    previous one is answered (a closed loop, as a browser behind each thread would)."""
    latencies, queries, sizes, samples = [], [], [], []
    errors = 0
    remaining = [requests]
    lock = threading.Lock()

    def worker():
        nonlocal errors
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                status, size, count = fetch(host, port, target)
                failure = None if status == 200 else f"HTTP {status}"
            except (OSError, http.client.HTTPException) as error:
                status, size, count, failure = 0, 0, None, f"{type(error).__name__}: {error}"
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if failure:
                    errors += 1
                    if len(samples) < 3:
                        samples.append(failure)
                else:
                    sizes.append(size)
                    if count is not None:
                        queries.append(count)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return Result(target.name, target.path, concurrency, requests, seconds, latencies, errors, samples, queries, sizes)
