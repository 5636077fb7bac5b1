"""EXPLAIN (ANALYZE, BUFFERS) of the search ranking query (PostgreSQL), with the
candidate cap at 2,000 (before) and 500 (after), for an anonymous reader:

    .venv/bin/python bench/search_explain.py postgres://…/<bench db> gouvernement médina

Prints, per query and cap, the median execution time of the ranking query (5 runs
after 2) and the shared buffers it touched (hit + read): the work, which unlike
the time does not depend on the machine's load.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CAPS = (2000, 500)


def explain_once(query: str) -> tuple[float, int]:
    from django.db import connection

    from lede.paywall.access import Reader
    from lede.search.selectors import search_articles

    captured: dict[str, Any] = {}

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "ts_rank_cd" in sql:
            raw = context["cursor"].cursor  # the driver's cursor: no wrapper again
            raw.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
            captured["plan"] = raw.fetchone()[0]
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        search_articles(query, reader=Reader.anonymous())
    plan = captured["plan"]
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    top = plan["Plan"]
    buffers = int(top.get("Shared Hit Blocks", 0)) + int(top.get("Shared Read Blocks", 0))
    return float(plan["Execution Time"]), buffers


def main(argv: list[str]) -> None:
    url, queries = argv[0], argv[1:]
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_DATABASE_URL"] = url
    import django

    django.setup()
    from lede.search import selectors

    name = url.rsplit("/", 1)[-1]
    for query in queries:
        for cap in CAPS:
            selectors.RANK_CANDIDATES = cap
            runs = [explain_once(query) for _ in range(7)][2:]
            ms = statistics.median(t for t, _ in runs)
            print(f"{name} | {query} | cap {cap} | {ms:.1f} ms | {runs[-1][1]} buffers", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
