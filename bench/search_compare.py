"""Compare the search page of two checkouts of Lede against one database.

    .venv/bin/python bench/search_compare.py \
        --database-url postgres://postgres@127.0.0.1:5432/lede_search_bench_scale200k \
        --old /tmp/search-main --new . --rounds 6 --requests 10

Each round runs one worker process per checkout, in alternating order (old
first in odd rounds, new first in even ones), so that both see the same
database, the same caches and the same neighbours on a shared machine. A
worker imports the code of its checkout only (``lede`` and ``bench.settings``
from there), warms up, then times ``--requests`` searches per query and
reader in-process with Django's test ``Client`` (as ``bench/run.py`` does):
``perf_counter`` around ``client.get()``. Readers: anonymous, and a
subscriber (a reader holding an active ``AccessGrant`` of the generated
data). Prints the median and p90 in ms per checkout and the change, with the
load average before and after; ``--json`` writes the raw timings.

The database must hold the schema both checkouts expect (the newer one's
migrations applied: they only add columns). Nothing is written to it except
the subscriber's session.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

QUERIES = [
    "gouvernement",
    "xylographie",
    "médina",
    "maroc",
    "lance la rénovation",
    "budget tramway",
]


def _worker(args: argparse.Namespace) -> None:
    code = str(Path(args.code).resolve())
    here = Path(__file__).resolve().parent
    sys.path[:] = [code, *(p for p in sys.path if Path(p or ".").resolve() != here)]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_DATABASE_URL"] = args.database_url
    import django

    django.setup()
    import lede

    assert str(Path(lede.__file__).resolve()).startswith(code), lede.__file__
    from django.test import Client
    from django.utils import timezone

    from lede.paywall.models import AccessGrant

    grant = (
        AccessGrant.objects.filter(ends_at__gt=timezone.now(), sections__isnull=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    assert grant is not None, "no active subscriber in this database"
    anonymous = Client()
    subscriber = Client()
    subscriber.force_login(grant.user)
    results: dict[str, list[float]] = {}
    for reader, client in (("anonymous", anonymous), ("subscriber", subscriber)):
        for q in QUERIES:
            for _ in range(args.warmups):
                client.get("/recherche/", {"q": q})
            times = []
            for _ in range(args.requests):
                start = time.perf_counter()
                response = client.get("/recherche/", {"q": q})
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            results[f"{reader}|{q}"] = times
    print(json.dumps(results))


def _run_worker(code: Path, args: argparse.Namespace) -> dict[str, list[float]]:
    cmd = [
        str(code / ".venv" / "bin" / "python"),
        str(Path(__file__).resolve()),
        "--worker",
        "--code",
        str(code),
        "--database-url",
        args.database_url,
        "--requests",
        str(args.requests),
        "--warmups",
        str(args.warmups),
    ]
    out = subprocess.run(cmd, cwd=code, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--old", default="/tmp/search-main")
    p.add_argument("--new", default=".")
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--requests", type=int, default=10)
    p.add_argument("--warmups", type=int, default=2)
    p.add_argument("--json", default="")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--code", default="", help=argparse.SUPPRESS)
    args = p.parse_args()
    name = args.database_url.rsplit("/", 1)[-1]
    if "bench" not in name and "scale" not in name:  # bench/generate.py's are *scale*
        p.error("the database name must contain 'bench' or 'scale'")
    if args.worker:
        _worker(args)
        return
    codes = {"old": Path(args.old).resolve(), "new": Path(args.new).resolve()}
    timings: dict[str, dict[str, list[float]]] = {"old": {}, "new": {}}
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    for n in range(args.rounds):
        order = ["old", "new"] if n % 2 == 0 else ["new", "old"]
        for name in order:
            for key, values in _run_worker(codes[name], args).items():
                timings[name].setdefault(key, []).extend(values)
        print(f"round {n + 1}/{args.rounds} done, load {os.getloadavg()[0]:.2f}", flush=True)
    load_after = os.getloadavg()
    print(f"\n{started}; load average before {load_before}, after {load_after}")
    print("| reader | query | old p50 ms | new p50 ms | change | old p90 ms | new p90 ms |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for key in timings["old"]:
        reader, q = key.split("|")
        old, new = timings["old"][key], timings["new"][key]
        o50, n50 = statistics.median(old), statistics.median(new)
        print(
            f"| {reader} | {q} | {o50:.1f} | {n50:.1f} | {100 * (n50 - o50) / o50:+.0f} % "
            f"| {_p(old, 0.9):.1f} | {_p(new, 0.9):.1f} |"
        )
    if args.json:
        data: dict[str, Any] = {"load": [load_before, load_after], "timings": timings}
        Path(args.json).write_text(json.dumps(data))


if __name__ == "__main__":
    main()
