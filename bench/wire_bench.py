"""Wire ingest benchmark: 10,000 agency files generated from the IPTC samples (new
guids), ingested through the desk's service into a fresh database, the way the
folder poller takes them (``wire_ingest_files`` on up to 500 files at a time,
their items stored in shared batches), or one file per call (``--one-by-one``,
the upload and HTTP paths).

    .venv/bin/python bench/wire_bench.py [--files N] [--postgres] [--one-by-one] [--no-results]

Reports items per second and memory (the process's peak RSS from
``getrusage``, and its growth during the ingest), and appends a row to the
"Wire ingest" section of ``bench/RESULTS.md`` with the date and the machine.
Uses ``bench/settings.py`` (never ``DATABASE_URL``); the database is
``bench/var/wire_bench.sqlite3`` or ``lede_wire_bench`` on PostgreSQL, dropped
and created again.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
SAMPLE_DIRS = [
    ROOT / "lede" / "wires" / "tests" / "samples" / "newsml-g2",
    ROOT / "lede" / "wires" / "tests" / "samples" / "ninjs",
]
DEFAULT_SQLITE = f"sqlite:///{BENCH_DIR / 'var' / 'wire_bench.sqlite3'}"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/lede_wire_bench"
RESULTS = BENCH_DIR / "RESULTS.md"
START = "<!-- bench:wire-ingest:start -->"
END = "<!-- bench:wire-ingest:end -->"
FINDINGS_MARK = "<!-- bench:findings -->"
SECTION_HEAD = (
    f"{START}\n"
    "## Wire ingest\n\n"
    "Written by `bench/wire_bench.py` (one row per run, newest last). Files generated from\n"
    "the IPTC samples in `lede/wires/tests/samples/` with new guids, ingested one at a time\n"
    "with `wire_ingest_path` (parse, sanitise, one transaction and one log line per item)\n"
    "into a fresh database (migrated by a separate process). *Peak RSS* is the ingesting\n"
    "process's high-water mark (`getrusage`: Python, Django, the parsers and the ingest);\n"
    "*growth* is the RSS added during the ingest. *Load* is the 1-minute load average\n"
    "at the start and the end: the machines are shared, a busy neighbour slows the run.\n\n"
    "| date (UTC) | machine | database | files | items imported | seconds | items/s "
    "| files/s | re-ingest (skip) items/s | peak RSS | RSS growth | load |\n"
    "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
)


def log(message: str) -> None:
    print(message, flush=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--files", type=int, default=10_000, help="wire files to generate (10,000)")
    p.add_argument("--postgres", action="store_true", help=f"use {DEFAULT_POSTGRES}")
    p.add_argument("--database-url", help="SQLite or PostgreSQL URL whose name contains 'bench'")
    p.add_argument("--reingest", type=int, default=2_000, help="files ingested again (2,000)")
    p.add_argument("--one-by-one", action="store_true", help="one wire_ingest_path call per file")
    p.add_argument("--poll-files", type=int, default=500, help="files per call (500)")
    p.add_argument("--keep", action="store_true", help="keep the generated files")
    p.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md")
    return p.parse_args(argv)


# --- database ------------------------------------------------------------------------
def engine_name() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


# --- files ---------------------------------------------------------------------------
def templates() -> list[tuple[str, bytes, list[str]]]:
    """Sample files that hold news items: (suffix, content, the items' guids)."""
    from lede.wires.parsers import parse_file
    from lede.wires.services.folders import iter_wire_files

    found = []
    for folder in SAMPLE_DIRS:
        for path in iter_wire_files(folder):
            guids = [item.guid for item in parse_file(path).items]
            if guids:
                found.append((path.suffix, path.read_bytes(), guids))
    return found


def _renamed(data: bytes, guids: list[str], n: int, *, by_item_id: bool = False) -> bytes:
    """The file with every guid replaced by a new one (longest first). NewsML 1
    builds its guid from parts: ``by_item_id`` renames the last part instead."""
    for guid in sorted(set(guids), key=len, reverse=True):
        if by_item_id:
            forms = {guid.rsplit(":", 1)[-1]}
        else:
            forms = {guid, json.dumps(guid)[1:-1], guid.replace("&", "&amp;")}
        for form in forms:
            data = data.replace(form.encode(), f"{form}-b{n}".encode())
    return data


Template = tuple[str, bytes, list[str], bool]


def usable_templates() -> list[Template]:
    """Templates whose guids are all renamed cleanly (checked by parsing a copy)."""
    from lede.wires.parsers import parse_bytes

    kept = []
    for suffix, data, guids in templates():
        for by_item_id in (False, True):
            copy = parse_bytes(_renamed(data, guids, 0, by_item_id=by_item_id))
            if sorted(item.guid for item in copy.items) == sorted(f"{g}-b0" for g in guids):
                kept.append((suffix, data, guids, by_item_id))
                break
    return kept


def generate(folder: Path, count: int) -> tuple[int, int]:
    """Write ``count`` files; returns (files, news items they hold)."""
    chosen = usable_templates()
    if not chosen:
        raise SystemExit("no usable sample file")
    items = 0
    for n in range(count):
        suffix, data, guids, by_item_id = chosen[n % len(chosen)]
        sub = folder / f"{n // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"wire-{n:06d}{suffix}").write_bytes(
            _renamed(data, guids, n + 1, by_item_id=by_item_id)
        )
        items += len(guids)
    return count, items


# --- measures ------------------------------------------------------------------------
def rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}, {cores} cores, Python {platform.python_version()}"


def ingest(files: list[Path], *, per_call: int = 1) -> tuple[float, Counter[str]]:
    """Ingest ``files``, ``per_call`` at a time (1: a call per file)."""
    from lede.wires.services.ingest import wire_ingest_files

    outcomes: Counter[str] = Counter()
    started = time.perf_counter()
    done = 0
    for start in range(0, len(files), per_call):
        chunk = files[start : start + per_call]
        for file_outcomes in wire_ingest_files(paths=chunk):
            for outcome in file_outcomes:
                outcomes[str(outcome.outcome)] += 1
        previous, done = done, done + len(chunk)
        if done // 1000 > previous // 1000:
            elapsed = time.perf_counter() - started
            log(f"  {done:>6} files, {sum(outcomes.values()):>6} items, {elapsed:6.1f} s")
    return time.perf_counter() - started, outcomes


def write_results(row: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if START in text and END in text:
        i = text.index(END)
        text = text[:i].rstrip("\n") + "\n" + row + "\n" + text[i:]
    else:
        section = SECTION_HEAD + row + "\n" + END + "\n"
        if FINDINGS_MARK in text:
            i = text.index(FINDINGS_MARK)
            text = text[:i] + section + "\n" + text[i:]
        else:
            text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text)


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    url = args.database_url or (DEFAULT_POSTGRES if args.postgres else DEFAULT_SQLITE)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_DATABASE_URL"] = url
    from bench.run import recreate_database  # the same rules as the scale benchmark

    recreate_database(url)

    log(f"migrating {url} …")
    # In a process of its own: the migrations' memory must not count as the ingest's.
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"],
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )

    import django

    django.setup()
    from lede.wires.models import WireItemRecord

    load_start = os.getloadavg()[0]
    engine = engine_name()
    mode = "one file per call" if args.one_by_one else f"{args.poll_files} files per call"
    workdir = Path(tempfile.mkdtemp(prefix="lede-wire-bench-"))
    try:
        log(f"generating {args.files:,} files in {workdir} …")
        count, expected_items = generate(workdir, args.files)
        files = sorted(workdir.rglob("wire-*"))
        log(f"ingesting {count:,} files ({expected_items:,} news items) …")
        rss_before = rss_mib()
        per_call = 1 if args.one_by_one else max(1, args.poll_files)
        seconds, outcomes = ingest(files, per_call=per_call)
        rss_after = rss_mib()
        imported = outcomes["imported"] + outcomes["updated"]
        stored = WireItemRecord.objects.count()
        again = files[: min(args.reingest, len(files))]
        skip_rate = 0.0
        if again:
            log(f"ingesting {len(again):,} files again (every item skipped) …")
            re_seconds, re_outcomes = ingest(again, per_call=per_call)
            skip_rate = sum(re_outcomes.values()) / re_seconds if re_seconds else 0.0
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    peak = peak_rss_mib()
    load_end = os.getloadavg()[0]
    rate = imported / seconds if seconds else 0.0
    log("")
    log(f"database        {engine} ({mode})")
    log(f"files           {count:,}")
    log(f"outcomes        {dict(outcomes)}")
    log(f"records stored  {stored:,}")
    log(f"time            {seconds:.1f} s")
    log(f"items/second    {rate:,.0f}")
    log(f"files/second    {count / seconds:,.0f}")
    log(f"re-ingest       {skip_rate:,.0f} skipped items/second")
    log(
        f"peak RSS        {peak:,.0f} MiB (growth during ingest {rss_after - rss_before:+,.0f} MiB)"
    )
    if outcomes["rejected"]:
        log(f"WARNING: {outcomes['rejected']} rejected items or files")
    if args.no_results:
        return
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    row = (
        f"| {date} | {machine()} | {engine}, {mode} | {count:,} | {imported:,} | {seconds:.1f} | "
        f"{rate:,.0f} | {count / seconds:,.0f} | {skip_rate:,.0f} | {peak:,.0f} MiB | "
        f"{rss_after - rss_before:+,.0f} MiB | {load_start:.1f} → {load_end:.1f} |"
    )
    write_results(row)
    log(f"appended to {RESULTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
