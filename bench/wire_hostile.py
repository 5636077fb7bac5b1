"""How long the wire parsers take to refuse hostile files (the tests only check
that they are refused, never how fast).

    .venv/bin/python bench/wire_hostile.py [--repeat N] [--no-results]

Times ``parse_bytes`` on a "billion laughs" file (UTF-8: refused by the byte
scan; UTF-16: by lxml's amplification limit) and on a file whose DTD sits on an
address nobody answers (never fetched). Prints the median and the worst of
``--repeat`` runs and appends a row to the "Hostile wire files" section of
``bench/RESULTS.md`` with the date and the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "RESULTS.md"
sys.path.insert(0, str(ROOT))
START = "<!-- bench:wire-hostile:start -->"
END = "<!-- bench:wire-hostile:end -->"
SECTION_HEAD = (
    f"{START}\n"
    "## Hostile wire files\n\n"
    "Written by `bench/wire_hostile.py` (one row per run, newest last): milliseconds\n"
    "`parse_bytes` takes to refuse or read each file, median / worst of the runs.\n\n"
    "| date (UTC) | machine | runs | billion laughs UTF-8 | billion laughs UTF-16 "
    "| external DTD |\n"
    "|---|---|---:|---:|---:|---:|\n"
)
G2_NS = "http://iptc.org/std/nar/2006-10-01/"


def _entities() -> str:
    """lol1 holds ten "lol", lol2 ten lol1…: lol9 would be a billion of them."""
    lines = ['<!ENTITY lol "lol">']
    previous = "lol"
    for i in range(1, 10):
        lines.append(f'<!ENTITY lol{i} "{f"&{previous};" * 10}">')
        previous = f"lol{i}"
    return "\n".join(lines) + "\n"


BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="{encoding}"?>\n<!DOCTYPE lolz [\n'
    + _entities()
    + f']>\n<newsItem xmlns="{G2_NS}" guid="urn:lol" version="1">'
    "<contentMeta><headline>&lol9;</headline></contentMeta></newsItem>"
)
EXTERNAL_DTD = (
    '<?xml version="1.0"?><!DOCTYPE newsItem SYSTEM "http://127.0.0.1:9/newsml.dtd">'
    f'<newsItem xmlns="{G2_NS}" guid="urn:x:dtd" version="1"/>'
).encode()


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and worst, in milliseconds; a refusal (ParseError) is expected."""
    from lede.wires.parsers import ParseError

    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        with contextlib.suppress(ParseError):
            call()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs), max(runs)


def machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cores} cores, Python {sys.version.split()[0]}"


def write_results(row: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if START in text and END in text:
        i = text.index(END)
        text = text[:i].rstrip("\n") + "\n" + row + "\n" + text[i:]
    else:
        text = text.rstrip("\n") + "\n\n" + SECTION_HEAD + row + "\n" + END + "\n"
    RESULTS.write_text(text)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each file (20)")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)
    from lede.wires.parsers import parse_bytes  # the parsers need no Django set-up

    figures = []
    for label, data in [
        ("billion laughs UTF-8", BILLION_LAUGHS.format(encoding="utf-8").encode("utf-8")),
        ("billion laughs UTF-16", BILLION_LAUGHS.format(encoding="utf-16").encode("utf-16")),
        ("external DTD", EXTERNAL_DTD),
    ]:
        median, worst = timed(lambda data=data: parse_bytes(data), args.repeat)
        print(f"{label:<24} median {median:8.2f} ms   worst {worst:8.2f} ms")
        figures.append(f"{median:.2f} / {worst:.2f}")
    if not args.no_results:
        date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
        write_results(f"| {date} | {machine()} | {args.repeat} | " + " | ".join(figures) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
