"""Before/after: the paywall, wire-ingest and stack benchmarks for two commits,
side by side in one run.

These machines drift between runs (other work, thermal state, noisy
neighbours), so a figure taken yesterday is no baseline for a change made
today. This script checks both commits out in throw-away worktrees under
``bench/var/compare/`` and runs each benchmark for one and then the other,
alternating the order from round to round, with each commit's own benchmark
script; then it appends one table per benchmark to ``bench/RESULTS.md``.

    .venv/bin/python bench/compare_commits.py BEFORE AFTER
        [--bench paywall,wires,stack] [--rounds 1] [--duration 10] [--files 2000]
        [--stack-urls URLS.json]

Both worktrees use this checkout's ``.venv``: the two commits must need the
same packages, or the newer set installed here. Needs PostgreSQL and Redis
(paywall, stack), wrk, Varnish and nginx (stack) as the benchmarks themselves do.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "var" / "compare"
RESULTS = ROOT / "bench" / "RESULTS.md"
BENCHES = ("paywall", "wires", "stack")


def log(message: str) -> None:
    print(message, flush=True)


def checkout(rev: str, name: str) -> Path:
    path = WORK / name
    if path.exists():
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False)
        shutil.rmtree(path, ignore_errors=True)
    subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=True)
    subprocess.run(["git", "worktree", "add", "--detach", str(path), rev], cwd=ROOT, check=True)
    (path / ".venv").symlink_to(ROOT / ".venv")
    return path


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    log(f"$ (cd {cwd.name}) {' '.join(cmd)}")
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    (WORK / f"log-{cwd.name}.txt").open("a").write(proc.stdout)
    if proc.returncode:
        tail = "\n".join(proc.stdout.splitlines()[-30:])
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{tail}")
    return proc.stdout


def paywall(tree: Path, args: argparse.Namespace) -> dict[str, float]:
    out = run(
        [
            str(tree / ".venv/bin/python"),
            "bench/paywall_load.py",
            "--quick",
            "--duration",
            str(args.duration),
        ],
        tree,
    )
    figures: dict[str, float] = {}
    # "variant cache on <reader> <road> road {'rps': …, 'p50': …, 'p99': …}"
    for line in out.splitlines():
        match = re.match(r"variant cache on (.+?) (\w+) road (\{.*\})$", line)
        if match:
            data = ast.literal_eval(match.group(3))
            figures[f"{match.group(1)} ({match.group(2)} road), req/s"] = data["rps"]
            figures[f"{match.group(1)} ({match.group(2)} road), p99 ms"] = data["p99"]
    return figures


def wires(tree: Path, args: argparse.Namespace) -> dict[str, float]:
    out = run(
        [
            str(tree / ".venv/bin/python"),
            "bench/wire_bench.py",
            "--files",
            str(args.files),
            "--reingest",
            str(args.files // 4),
            "--no-results",
        ],
        tree,
    )
    figures: dict[str, float] = {}
    for key, label in (
        ("items/second", "ingest, items/s"),
        ("re-ingest", "re-ingest, skipped items/s"),
        ("peak RSS", "peak RSS, MiB"),
    ):
        match = re.search(rf"^{re.escape(key)}\s+([\d,.]+)", out, re.MULTILINE)
        if match:
            figures[label] = float(match.group(1).replace(",", ""))
    return figures


def stack(tree: Path, args: argparse.Namespace) -> dict[str, float]:
    env = {"STACK_FRESH": "1"}
    for var in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(var, None)
    run(["bin/stack"], tree, env)
    try:
        run(
            [
                str(tree / ".venv/bin/python"),
                "bench/stack_load.py",
                "--label",
                tree.name,
                "--duration",
                str(args.duration),
                "--no-write",
                *(["--urls", str(Path(args.stack_urls).resolve())] if args.stack_urls else []),
            ],
            tree,
        )
    finally:
        run(["bin/stack-stop"], tree)
    data = json.loads((tree / "bench" / "var" / f"stack-load-{tree.name}.json").read_text())
    figures: dict[str, float] = {}
    for row in data["results"]:
        figures[f"{row['name']}, req/s"] = row["rps"]
        figures[f"{row['name']}, p99 ms"] = row["p99"]
    return figures


RUNNERS = {"paywall": paywall, "wires": wires, "stack": stack}


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def table(name: str, before: list[dict[str, float]], after: list[dict[str, float]]) -> str:
    def mean(rows: list[dict[str, float]], key: str) -> float | None:
        values = [r[key] for r in rows if key in r]
        return sum(values) / len(values) if values else None

    keys = list(dict.fromkeys(k for r in before + after for k in r))
    lines = [f"| {name} | before | after | change |", "|---|---:|---:|---:|"]
    for key in keys:
        b, a = mean(before, key), mean(after, key)
        change = f"{100 * (a - b) / b:+.1f} %" if a is not None and b else "–"
        lines.append(f"| {key} | {_figure(b)} | {_figure(a)} | {change} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--bench", default=",".join(BENCHES))
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--stack-urls",
        help="JSON ({'urls': {...}}, as bench/generate.py writes) for both commits' "
        "stack_load.py, when a default URL exists in only one commit's demo",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk case")
    parser.add_argument("--files", type=int, default=2000, help="wire files to ingest")
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    benches = [b for b in args.bench.split(",") if b]
    unknown = set(benches) - set(BENCHES)
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    WORK.mkdir(parents=True, exist_ok=True)
    revs = {
        side: subprocess.run(
            ["git", "rev-parse", "--short", rev],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        for side, rev in (("before", args.before), ("after", args.after))
    }
    trees = {side: checkout(rev, side) for side, rev in revs.items()}
    started = dt.datetime.now(dt.UTC)
    load_start = os.getloadavg()[0]
    figures: dict[str, dict[str, list[dict[str, float]]]] = {
        b: {"before": [], "after": []} for b in benches
    }
    for bench in benches:
        for round_no in range(args.rounds):
            order = ("before", "after") if round_no % 2 == 0 else ("after", "before")
            for side in order:
                log(f"== {bench}, round {round_no + 1}, {side} ({revs[side]})")
                result: Any = RUNNERS[bench](trees[side], args)
                log(f"   {result}")
                figures[bench][side].append(result)
    text = [
        "",
        f"## Before/after {revs['before']} → {revs['after']} "
        f"({started:%Y-%m-%d %H:%M}–{dt.datetime.now(dt.UTC):%H:%M} UTC)",
        "",
        f"`bench/compare_commits.py {args.before} {args.after} --bench {','.join(benches)} "
        f"--rounds {args.rounds} --duration {args.duration} --files {args.files}`: each "
        "benchmark run for both commits in one run, alternating the order per round, with "
        f"each commit's own script. Machine: {machine()}. Load average (1 min) "
        f"{load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end. Mean of "
        f"{args.rounds} round(s).",
        "",
    ]
    for bench in benches:
        text += [table(bench, figures[bench]["before"], figures[bench]["after"]), ""]
    report = "\n".join(text)
    print(report)
    if not args.no_results:
        with RESULTS.open("a") as fh:
            fh.write(report)
    for tree in trees.values():
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)


if __name__ == "__main__":
    main()
