"""Machine description and the RESULTS.md section of a run."""

from __future__ import annotations

import os
import platform
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .measure import Result

START = "<!-- bench:{key}:start -->"
END = "<!-- bench:{key}:end -->"
FINDINGS_MARK = "<!-- bench:findings -->"


def machine() -> dict[str, str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or cpu
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    import django
    import wagtail

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu,
        "cores": f"{os.cpu_count()} ({usable} usable)",
        "ram": ram,
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
    }


@dataclass
class Run:
    key: str  # "sqlite", "sqlite-analyze", "postgresql": one RESULTS.md section each
    variant: str  # shown in the heading, e.g. "no ANALYZE"
    engine: str  # "SQLite 3.40.1"
    started: datetime
    articles: int
    small_articles: int | None
    requests: int
    warmups: int
    machine: dict[str, str]
    timings: dict[str, float]  # load phases, seconds
    db_size: int
    search_note: str
    notes: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    article_check: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    plans: list[tuple[str, float, str, str]] = field(default_factory=list)


def _fmt_q(q: tuple[int, int] | None) -> str:
    if q is None:
        return "—"
    return str(q[0]) if q[0] == q[1] else f"{q[0]}–{q[1]}"


def _short_sql(sql: str, limit: int = 1200) -> str:
    sql = re.sub(r"\s+", " ", sql).strip()
    # The column list says nothing about the plan either.
    sql = re.sub(r"^SELECT (?!COUNT)(.{200,}?) FROM ", "SELECT … FROM ", sql)
    # Long IN (...) lists say nothing about the plan.
    sql = re.sub(
        r"IN \(([^()]{120,}?)\)", lambda m: f"IN (…{m.group(1).count(',') + 1} values…)", sql
    )
    return sql if len(sql) <= limit else sql[:limit] + " …"


def render(run: Run) -> str:
    m = run.machine
    small = f"{run.small_articles:,}" if run.small_articles else "1,000"
    load = (
        ", ".join(f"{name} {secs:,.1f} s" for name, secs in run.timings.items())
        if run.timings
        else "the database of the previous run, reused (`--reuse`)"
    )
    lines = [
        START.format(key=run.key),
        f"## {run.engine}{f' ({run.variant})' if run.variant else ''} — {run.articles:,} articles",
        "",
        f"- **Date**: {run.started:%Y-%m-%d %H:%M} UTC",
        f"- **Machine**: {m['cpu']}, {m['cores']} cores, {m['ram']} RAM, {m['os']}",
        f"- **Software**: Python {m['python']}, Django {m['django']}, Wagtail {m['wagtail']}, "
        f"{run.engine}",
        f"- **Archive**: {run.articles:,} live articles in 9 sections (3 nested), 6 authors, "
        "20 tags, 4 shared lead images, 3 years of dates",
        f"- **Load**: {load}; database size {run.db_size / 1024 / 1024:,.0f} MiB",
        f"- **Search**: {run.search_note}",
        f"- **Method**: {run.warmups} warm-up requests, then {run.requests} timed requests "
        "per page (fewer where stated); SQL queries counted on up to 10 further requests. "
        "*median ms* and *p99 ms*: wall-clock server time; *CPU ms*: median CPU time of the "
        "benchmark process for the request (with SQLite that includes the database work, "
        "with PostgreSQL it does not); it moves less than wall-clock time when other "
        "processes compete for the cores. *SQL ms*: the queries of one request run again one "
        "by one, rows fetched, summed; *slowest SQL ms*: the slowest of them (its plan is "
        "below).",
        *[f"- {note}" for note in run.notes],
        *(
            []
            if run.small_articles
            else [f"- Query counts at {small} articles: not taken (reused database)."]
        ),
        "",
        f"| page | URL | requests | median ms | p99 ms | CPU ms | SQL queries | queries at {small} "
        "| SQL ms | slowest SQL ms | KiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in run.results:
        url = r.target.urls[0] + (
            f" (+{len(r.target.urls) - 1} others)" if len(r.target.urls) > 1 else ""
        )
        slow = f"{r.slowest.ms:.1f}" if r.slowest else "—"
        small_q = r.queries_at_small
        grows = " ⚠" if small_q is not None and r.queries[1] > small_q[1] else ""
        lines.append(
            f"| {r.target.name} | `{url}` | {len(r.timings_ms)} | {r.median:.1f} | {r.p99:.1f} "
            f"| {r.cpu_median:.1f} "
            f"| {_fmt_q(r.queries)}{grows} | {_fmt_q(r.queries_at_small)} | {r.sql_ms:.1f} "
            f"| {slow} "
            f"| {r.size_bytes / 1024:.0f} |"
        )
    if any(r.queries_at_small and r.queries[1] > r.queries_at_small[1] for r in run.results):
        lines += [
            "",
            f"⚠: more SQL queries per request than at {small} articles: a query count that "
            "grows with the archive.",
        ]
    if run.article_check:
        lines += ["", "**Article page, SQL queries per request as the archive grows**", ""]
        lines += ["| archive | articles sampled | queries (min–max) |", "|---|---:|---:|"]
        for label, (n, qmin, qmax) in run.article_check.items():
            lines.append(f"| {label} | {n} | {_fmt_q((qmin, qmax))} |")
    if run.plans:
        lines += ["", "<details><summary>Slowest query of each page, with its plan</summary>", ""]
        for name, ms, sql, plan in run.plans:
            lines += [
                f"**{name}** — {ms:.1f} ms",
                "",
                "```sql",
                _short_sql(sql),
                "```",
                "```",
                plan,
                "```",
                "",
            ]
        lines.append("</details>")
    lines += [
        "",
        "What was measured: the server time of each request, taken with `time.perf_counter()` "
        "around Django's test `Client.get()` in the same process — full middleware, URL "
        "routing, Wagtail page serving, template rendering and SQL, but no network, no "
        "WSGI/ASGI server, no page cache (no Varnish, no cache middleware); the *article page* "
        "row does go through the paywall's variant cache, as the application does by default, "
        "and the next row switches it off (`LEDE_VARIANT_CACHE_ENABLED=False`). Settings: "
        "`bench/settings.py` (DEBUG off, local-memory cache used by Wagtail for site roots and "
        "image renditions, immediate tasks). One process, one request at a time.",
        END.format(key=run.key),
    ]
    return "\n".join(lines) + "\n"


HEADER = """# Benchmark results

Written by `make bench` (`bench/run.py`, see `bench/README.md`). Each run rewrites
the section of its database engine; everything outside those sections is kept.

"""


def write(path: Path, run: Run) -> None:
    section = render(run)
    text = path.read_text() if path.exists() else HEADER
    start, end = START.format(key=run.key), END.format(key=run.key)
    if start in text and end in text:
        before = text[: text.index(start)]
        after = text[text.index(end) + len(end) :].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    elif FINDINGS_MARK in text:
        i = text.index(FINDINGS_MARK)
        text = text[:i] + section + "\n" + text[i:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
