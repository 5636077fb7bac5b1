"""In-process measurements with Django's test client: server time around
``client.get`` (no network) and SQL queries per request."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

SLOW_SECONDS = 2.0  # a first request slower than this…
SLOW_REQUESTS = 3  # …gets this many timed requests instead of --requests


@dataclass
class Target:
    name: str
    urls: list[str]
    requests: int | None = None  # None: the run's --requests
    warmups: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)  # overridden while measured


@dataclass
class SlowQuery:
    sql: str
    ms: float


@dataclass
class Result:
    target: Target
    timings_ms: list[float]
    cpu_ms: list[float]  # CPU time of this process: robust to busy neighbours
    query_counts: list[int]
    statuses: set[int]
    size_bytes: int
    sql_ms: float  # the request's queries run again one by one, summed
    slowest: SlowQuery | None
    queries_at_small: tuple[int, int] | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_ms)

    @property
    def p99(self) -> float:
        return percentile(self.timings_ms, 99)

    @property
    def queries(self) -> tuple[int, int]:
        return min(self.query_counts), max(self.query_counts)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 50 samples is the largest)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-int(pct * len(ordered)) // 100)))
    return ordered[rank - 1]


class RequestFailed(RuntimeError):
    pass


def _get(client: Client, url: str) -> Any:
    response = client.get(url)
    if response.status_code != 200:
        raise RequestFailed(f"GET {url} answered {response.status_code}")
    return response


@contextmanager
def target_settings(target: Target) -> Iterator[None]:
    if target.settings:
        with override_settings(**target.settings):
            yield
    else:
        yield


def count_queries(client: Client, url: str) -> list[str]:
    """The SQL of one request (parameters inlined), in order."""
    with CaptureQueriesContext(connection) as ctx:
        _get(client, url)
    return [q["sql"] for q in ctx.captured_queries]


def time_query(sql: str, runs: int = 2) -> float | None:
    """Run a captured read query again and fetch all its rows: milliseconds
    (best of ``runs``). Timing the cursor call alone would miss SQLite's work,
    which mostly happens while rows are fetched. None for anything but a read."""
    if not sql.lstrip()[:6].upper().startswith(("SELECT", "WITH")):
        return None
    best = float("inf")
    with connection.cursor() as cursor:
        for _ in range(runs):
            t0 = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            best = min(best, (time.perf_counter() - t0) * 1000)
    return best


def measure(
    client: Client,
    target: Target,
    *,
    requests: int,
    warmups: int,
    counted: int = 10,
    log: Callable[[str], None] = print,
) -> Result:
    """Warm up; time ``requests`` requests without query capture (Django's
    debug cursor adds work); count queries on ``counted`` more; then run the
    queries of one request again, one by one, to time each of them."""
    n = target.requests or requests
    w = target.warmups if target.warmups is not None else warmups
    urls = target.urls
    with target_settings(target):
        for i in range(max(w, 1)):
            t0 = time.perf_counter()
            _get(client, urls[i % len(urls)])
            if i == 0 and time.perf_counter() - t0 > SLOW_SECONDS:
                # A page that takes seconds: a few requests say enough.
                n, counted, w = min(n, SLOW_REQUESTS), min(counted, SLOW_REQUESTS), 1
                break
        gc.collect()
        timings: list[float] = []
        cpu: list[float] = []
        statuses: set[int] = set()
        size = 0
        for i in range(n):
            url = urls[i % len(urls)]
            c0 = time.process_time()
            t0 = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            statuses.add(response.status_code)
            size = max(size, len(response.content))
        counts: list[int] = []
        first: list[str] = []
        for i in range(min(n, counted)):
            sqls = count_queries(client, urls[i % len(urls)])
            counts.append(len(sqls))
            first = first or sqls
    timed = [(sql, time_query(sql)) for sql in first]
    known = [(sql, ms) for sql, ms in timed if ms is not None]
    slowest = max(known, key=lambda item: item[1]) if known else None
    result = Result(
        target=target,
        timings_ms=timings,
        cpu_ms=cpu,
        query_counts=counts,
        statuses=statuses,
        size_bytes=size,
        sql_ms=sum(ms for _, ms in known),
        slowest=SlowQuery(sql=slowest[0], ms=slowest[1]) if slowest else None,
    )
    qmin, qmax = result.queries
    log(
        f"  {target.name:<40} median {result.median:7.1f} ms  p99 {result.p99:7.1f} ms  "
        f"CPU {result.cpu_median:7.1f} ms  SQL {result.sql_ms:7.1f} ms  queries {qmin}-{qmax}"
    )
    return result


def explain(sql: str) -> str:
    """The database's plan for a captured query (params already inlined)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            rows = cursor.fetchall()
            depth: dict[int, int] = {0: 0}
            lines = []
            for node_id, parent, _unused, detail in rows:
                level = depth.get(parent, 0) + 1
                depth[node_id] = level
                lines.append("  " * (level - 1) + str(detail))
            return "\n".join(lines)
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return "\n".join(str(row[0]) for row in cursor.fetchall())
    return "(no EXPLAIN for this database)"
