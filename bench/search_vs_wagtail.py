"""Lede's reader search index against Wagtail's search backend, on one database.

    .venv/bin/python bench/search_vs_wagtail.py \
        --database-url postgres://postgres@127.0.0.1:5432/lede_scale --requests 10

The database is one made by ``bench/generate.py`` (Lede's index built). This
script builds Wagtail's index of the articles too (``update_index``-style, the
articles only) unless it is there already, then, in-process:

1. **build**: seconds to (re)build each index over the live articles, and its
   size on disk;
2. **latency**: median and p90 in ms per query, ``--requests`` timed runs after
   a warm-up, of what the reader search needs: Lede's
   ``search_articles(q, reader=anonymous)`` (ranked ids, fragments, the listing
   queries) against Wagtail's ``ArticlePage.objects.live().search(q,
   operator="and")[:50]`` then the same listing queries (no fragments: the
   database backend has none);
3. **paywall**: a word of its own is appended, as a last (locked) paragraph,
   to each of ``--sample`` non-public articles, both indexes are updated, and
   an anonymous reader searches each word; staff search it too (the word is
   in Lede's index for a reader who may read it). Rolled back afterwards.
   Wagtail's index holds one body per page, so it cannot tell the free part
   from the locked one.

Prints Markdown rows for docs/search.md. Nothing is left in the database
but Wagtail's index of the articles.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

QUERIES = ["gouvernement", "xylographie", "médina", "lance la rénovation", "budget tramway"]
ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"[^\W\d_]{6,}")


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _time(fn: Any, requests: int, warmups: int) -> list[float]:
    for _ in range(warmups):
        fn()
    out = []
    for _ in range(requests):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _table_bytes(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size(%s)", [table])
        else:
            cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE %s", [f"{table}%"])
        return int(cursor.fetchone()[0] or 0)


def build_wagtail_index(force: bool) -> float | None:
    """Index the live articles in Wagtail's backend; seconds, or None if
    the index was there already."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.search.backends import get_search_backend
    from wagtail.search.models import IndexEntry

    from lede.editorial.models import ArticlePage

    articles = ContentType.objects.get_for_model(ArticlePage)
    if IndexEntry.objects.filter(content_type=articles).exists() and not force:
        return None
    backend = get_search_backend()
    start = time.perf_counter()
    index = backend.get_index_for_model(ArticlePage)
    queryset = ArticlePage.objects.live().specific()
    batch: list[Any] = []
    for page in queryset.iterator(chunk_size=500):
        batch.append(page)
        if len(batch) == 500:
            index.add_items(ArticlePage, batch)
            batch = []
    if batch:
        index.add_items(ArticlePage, batch)
    return time.perf_counter() - start


def rebuild_lede_index() -> float:
    from django.core.management import call_command

    start = time.perf_counter()
    call_command("rebuild_search_index", verbosity=0)
    return time.perf_counter() - start


def latency(requests: int, warmups: int) -> list[str]:
    from lede.editorial.models import ArticlePage
    from lede.editorial.selectors import for_listing
    from lede.paywall.access import Reader
    from lede.search.selectors import search_articles

    rows = []
    for q in QUERIES:

        def lede(q: str = q) -> int:
            return len(search_articles(q, reader=Reader.anonymous()))

        def wagtail(q: str = q) -> int:
            ids = [p.pk for p in ArticlePage.objects.live().search(q, operator="and")[:50]]
            return len(list(for_listing(ArticlePage.objects.filter(pk__in=ids))))

        n_lede, n_wagtail = lede(), wagtail()
        t_lede = _time(lede, requests, warmups)
        t_wagtail = _time(wagtail, requests, warmups)
        rows.append(
            f"| {q} | {statistics.median(t_lede):.1f} | {_p(t_lede, 0.9):.1f} | {n_lede} "
            f"| {statistics.median(t_wagtail):.1f} | {_p(t_wagtail, 0.9):.1f} | {n_wagtail} |"
        )
    return rows


class _Rollback(Exception):
    pass


def paywall(sample: int) -> tuple[int, int, int, int]:
    """A word of the locked text only, anonymous reader: (articles tried,
    found by Wagtail's index, found by Lede's, found by Lede's for staff — the
    word is there for a reader who may read it).

    Generated copy repeats a small vocabulary, so each article gets a word of
    its own appended as a last (locked) paragraph, both indexes are updated,
    the searches run, and everything is rolled back."""
    from django.db import transaction
    from wagtail.search.index import insert_or_update_object

    from lede.editorial.models import ArticlePage
    from lede.paywall.access import Reader
    from lede.search.selectors import MAX_LIMIT, search_articles
    from lede.search.services import search_index_article

    staff = Reader(is_authenticated=True, is_staff=True)
    found = [0, 0, 0]
    articles = list(
        ArticlePage.objects.live()
        .exclude(access_level="public")
        .exclude(access_level="", section__default_access_level="public")
        .order_by("-pk")[:sample]
    )
    try:
        with transaction.atomic():
            words = {}
            for n, article in enumerate(articles):
                word = "zorglubeptyx" + "".join(chr(97 + int(d)) for d in f"{n:03d}")
                words[article.pk] = word
                article.body.append(("paragraph", f"<p>Un mot caché : {word}.</p>"))
                article.save(update_fields=["body"])
                search_index_article(article=article)
                insert_or_update_object(article)
            for article in articles:
                word = words[article.pk]
                found[0] += article.pk in {p.pk for p in ArticlePage.objects.live().search(word)}
                for i, reader in ((1, Reader.anonymous()), (2, staff)):
                    hits = search_articles(word, MAX_LIMIT, reader=reader)
                    found[i] += article.pk in {hit.article.pk for hit in hits}
            raise _Rollback
    except _Rollback:
        pass
    return len(articles), found[0], found[1], found[2]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--requests", type=int, default=10)
    p.add_argument("--warmups", type=int, default=2)
    p.add_argument("--sample", type=int, default=30)
    p.add_argument("--rebuild", action="store_true", help="rebuild both indexes and time it")
    args = p.parse_args()
    name = args.database_url.rsplit("/", 1)[-1]
    if not any(word in name for word in ("scale", "bench", "stack")):
        p.error("the database name must contain 'scale', 'bench' or 'stack'")
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.db import connection
    from wagtail.search.models import IndexEntry

    from lede.editorial.models import ArticlePage
    from lede.search.models import SearchDocument
    from lede.search.selectors import MAX_LIMIT

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0]
    articles = ArticlePage.objects.live().count()
    print(f"{started}; {connection.vendor}; {articles} live articles; load {load:.1f}")
    wagtail_s = build_wagtail_index(force=args.rebuild)
    lede_s = rebuild_lede_index() if args.rebuild else None
    print("\n| index | build s | size MiB |\n|---|---:|---:|")
    for label, seconds, table in (
        ("Lede (lede.search)", lede_s, SearchDocument._meta.db_table),
        ("Wagtail (database backend)", wagtail_s, IndexEntry._meta.db_table),
    ):
        shown = f"{seconds:.1f}" if seconds is not None else "–"
        print(f"| {label} | {shown} | {_table_bytes(table) / 2**20:.1f} |")
    print(
        "\n| query | Lede p50 ms | Lede p90 ms | Lede hits | Wagtail p50 ms | Wagtail p90 ms "
        "| Wagtail hits |\n|---|---:|---:|---:|---:|---:|---:|"
    )
    for row in latency(args.requests, args.warmups):
        print(row)
    tried, wagtail_found, lede_found, staff_found = paywall(args.sample)
    print(
        f"\nLocked-text-only words, anonymous reader: {tried} non-public articles tried; "
        f"found by Wagtail's index {wagtail_found}, by Lede's {lede_found} "
        f"(by Lede's for staff, among its {MAX_LIMIT} best: {staff_found})."
    )
    print(f"Load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
