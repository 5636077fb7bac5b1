"""Scale benchmark: a fresh database, 100,000 generated articles, the reader
pages measured in-process. Figures go to bench/RESULTS.md.

    .venv/bin/python bench/run.py [--postgres] [--articles N] [--requests N]

``make bench`` runs it; options may also come from the ``ARGS`` environment
variable (``make bench ARGS=--postgres``) when none are given on the command line.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lede_bench"
# The paywall keeps each rendered article variant in the cache; the benchmark
# measures the article page with it (the default) and without it (full render).
NO_VARIANT_CACHE = {"LEDE_VARIANT_CACHE_ENABLED": False}

if TYPE_CHECKING:
    from django.test import Client

    from bench.load import Loader
    from bench.measure import Result, Target


def log(message: str) -> None:
    print(message, flush=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--postgres", action="store_true", help=f"use {DEFAULT_POSTGRES_URL}")
    p.add_argument(
        "--database-url",
        help="database to (re)create; its name must contain 'bench' (default: SQLite "
        "bench/var/bench.sqlite3, or the URL above with --postgres)",
    )
    p.add_argument("--articles", type=int, default=100_000, help="archive size (100,000)")
    p.add_argument(
        "--small",
        type=int,
        default=1_000,
        help="first load stage, measured for query counts (1,000; 0 to skip)",
    )
    p.add_argument("--requests", type=int, default=50, help="timed requests per page (50)")
    p.add_argument("--warmups", type=int, default=5, help="warm-up requests per page (5)")
    p.add_argument("--deep-page", type=int, default=500, help="deep section page (500)")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument(
        "--reuse",
        action="store_true",
        help="measure the existing benchmark database: no re-creation, no loading",
    )
    p.add_argument("--reindex", action="store_true", help="with --reuse: rebuild the search index")
    p.add_argument(
        "--sqlite-analyze",
        action="store_true",
        help="run ANALYZE on SQLite after loading (PostgreSQL is always analysed)",
    )
    p.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md")
    return p.parse_args(argv)


# --- database --------------------------------------------------------------------
def database_url(args: argparse.Namespace) -> str:
    if args.database_url:
        return str(args.database_url)
    if args.postgres:
        return DEFAULT_POSTGRES_URL
    return f"sqlite:///{BENCH_DIR / 'var' / 'bench.sqlite3'}"


def recreate_database(url: str) -> None:
    """Start from nothing. Refuses any database whose name lacks 'bench'."""
    import dj_database_url

    cfg = dj_database_url.parse(url)
    name = str(cfg["NAME"])
    if "bench" not in Path(name).name:
        raise SystemExit(f"refusing to recreate {name!r}: its name must contain 'bench'")
    if cfg["ENGINE"] == "django.db.backends.sqlite3":
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(name + suffix).unlink(missing_ok=True)
        return
    if cfg["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(f"unsupported database engine {cfg['ENGINE']}")
    from bench.pgadmin import prepare_postgres

    prepare_postgres(cfg, drop=True)


def engine_and_size() -> tuple[str, int]:
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            import sqlite3

            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            name = Path(settings.DATABASES["default"]["NAME"])
            size = sum(p.stat().st_size for p in (name, Path(f"{name}-wal")) if p.exists())
            return f"SQLite {sqlite3.sqlite_version}", size
        cursor.execute("SHOW server_version")
        version = str(cursor.fetchone()[0]).split()[0]
        cursor.execute("SELECT pg_database_size(current_database())")
        return f"PostgreSQL {version}", int(cursor.fetchone()[0])


def after_load(args: argparse.Namespace) -> bool:
    """What a running production database would have done by itself (PostgreSQL's
    autovacuum); on SQLite only when asked. True when something ran."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            return True
        if args.sqlite_analyze:
            cursor.execute("ANALYZE")
            return True
    return False


def statistics_state() -> tuple[str, str, str]:
    """RESULTS.md section key, heading variant and a note on planner statistics:
    SQLite runs with and without ANALYZE are kept apart."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return "postgresql", "", "PostgreSQL: VACUUM ANALYZE after loading (what autovacuum does)."
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        analysed = bool(cursor.fetchone()[0])
    if analysed:
        return (
            "sqlite-analyze",
            "with ANALYZE",
            "SQLite statistics: ANALYZE was run after loading (sqlite_stat1 present).",
        )
    return (
        "sqlite",
        "no ANALYZE",
        "SQLite statistics: none (nothing runs ANALYZE in a Lede deployment today), "
        "so the query planner guesses table sizes.",
    )


def rebuild_search_index() -> tuple[float | None, str]:
    """Run the search app's index command when it exists."""
    from django.core.management import call_command, get_commands

    import lede.search.selectors as search_selectors

    doc = (search_selectors.__doc__ or "").strip().split("\n\n")[0]
    impl = " ".join(doc.split()) or "lede.search.selectors"
    if "rebuild_search_index" not in get_commands():
        return None, f"no `rebuild_search_index` command yet; measured as is: {impl}"
    t0 = time.perf_counter()
    call_command("rebuild_search_index", verbosity=0)
    return time.perf_counter() - t0, f"index rebuilt with `rebuild_search_index`; {impl}"


# --- targets --------------------------------------------------------------------
def build_targets(
    rng: random.Random, deep_page: int, article_ids: list[int] | None = None
) -> tuple[list[Target], list[str]]:
    """The pages to measure, picked from what is in the database now."""
    from django.conf import settings
    from django.db.models import Count

    from bench.load import DEEP_SECTION, LEAF_SECTION
    from bench.measure import Target
    from bench.textgen import COMMON_WORD, RARE_WORD
    from lede.editorial.models import ArticleAuthor, ArticlePage, ArticleTag, SectionPage
    from lede.editorial.selectors import section_articles

    notes: list[str] = []
    deep = SectionPage.objects.get(title=DEEP_SECTION)
    leaf = SectionPage.objects.get(title=LEAF_SECTION)
    deep_url = deep.get_url()
    page_size = int(getattr(settings, "LEDE_PAGE_SIZE", 20))
    pages = -(-section_articles(deep).count() // page_size)
    targets = [
        Target("home", ["/"]),
        Target(f"section page 1 ({DEEP_SECTION}, nested)", [deep_url]),
        Target(f"section page 1 ({LEAF_SECTION}, leaf)", [leaf.get_url()]),
    ]
    if pages >= deep_page:
        targets.append(Target(f"section page {deep_page}", [f"{deep_url}?page={deep_page}"]))
    if article_ids is None:
        all_ids = list(ArticlePage.objects.values_list("pk", flat=True))
        article_ids = rng.sample(all_ids, min(10, len(all_ids)))
    articles = ArticlePage.objects.filter(pk__in=article_ids).order_by("pk")
    article_urls = [a.get_url() for a in articles]
    targets.append(Target("article page", article_urls))
    targets.append(
        Target("article page (variant cache off)", article_urls, settings=NO_VARIANT_CACHE)
    )
    author = (
        ArticleAuthor.objects.values("author__slug").annotate(n=Count("id")).order_by("-n").first()
    )
    if author:
        targets.append(Target("author page", [f"/auteurs/{author['author__slug']}/"]))
    tag = ArticleTag.objects.values("tag__slug").annotate(n=Count("id")).order_by("-n").first()
    if tag:
        targets.append(Target("tag page", [f"/mots-cles/{tag['tag__slug']}/"]))
    targets += [
        Target("RSS (site)", ["/rss/"]),
        Target(f"RSS ({DEEP_SECTION})", [f"{deep_url}rss/"]),
        Target("news sitemap (48 h)", ["/news-sitemap.xml"]),
        Target(f"search, common word ({COMMON_WORD})", [f"/recherche/?q={COMMON_WORD}"]),
        Target(f"search, rare word ({RARE_WORD})", [f"/recherche/?q={RARE_WORD}"]),
        Target("sitemap.xml", ["/sitemap.xml"]),
    ]
    articles_sitemap = _sitemap_section_url("articles")
    if articles_sitemap:
        targets.append(Target("articles sitemap, first file", [f"{articles_sitemap}?p=1"]))
    return targets, notes


def _sitemap_section_url(section: str) -> str | None:
    """The URL of one file of a sitemap index, when the project has one."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("django.contrib.sitemaps.views.sitemap", kwargs={"section": section})
    except NoReverseMatch:
        return None


def count_only(client: Client, targets: list[Target]) -> dict[str, tuple[int, int]]:
    from bench.measure import count_queries, target_settings

    out: dict[str, tuple[int, int]] = {}
    for target in targets:
        counts = []
        with target_settings(target):
            for url in target.urls:
                count_queries(client, url)  # warm (renditions, caches)
                counts.append(len(count_queries(client, url)))
        out[target.name] = (min(counts), max(counts))
    return out


def article_counts(client: Client, ids: list[int]) -> tuple[int, int, int]:
    """Queries of the article page rendered in full (no variant cache)."""
    from django.test import override_settings

    from bench.measure import count_queries
    from lede.editorial.models import ArticlePage

    counts = []
    with override_settings(**NO_VARIANT_CACHE):
        for article in ArticlePage.objects.filter(pk__in=ids):
            url = article.get_url()
            count_queries(client, url)
            counts.append(len(count_queries(client, url)))
    return len(counts), min(counts), max(counts)


# --- main -----------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:] or shlex.split(os.environ.get("ARGS", ""))
    args = parse_args(argv)
    url = database_url(args)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_DATABASE_URL"] = url
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    timings: dict[str, float] = {}
    rng = random.Random(args.seed)

    if not args.reuse:
        log(f"Recreating {url}")
        recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bench import report
    from bench.load import Loader, stage_split
    from bench.measure import measure
    from lede.editorial.models import ArticlePage

    client = Client()
    small_counts: dict[str, tuple[int, int]] = {}
    article_check: dict[str, tuple[int, int, int]] = {}
    small_ids: list[int] = []
    load_notes: list[str] = []
    search_note = ""
    total = args.articles

    if not args.reuse:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        timings["migrate"] = time.perf_counter() - t0
        log(f"Migrated in {timings['migrate']:.1f} s")
        loader: Loader = Loader(total=total, seed=args.seed, log=log)
        t0 = time.perf_counter()
        loader.setup()
        timings["sections, authors, images"] = time.perf_counter() - t0
        stage1, stage2 = stage_split(total, args.small)
        if stage2:
            loader.plant_rare_in(stage1)
        if stage2:
            log(f"Loading stage 1: {len(stage1):,} articles")
            timings[f"{len(stage1):,} articles"] = loader.load(stage1)
            after_load(args)
            index_s, search_note = rebuild_search_index()
            small_targets, _ = build_targets(rng, args.deep_page)
            small_ids = rng.sample(list(ArticlePage.objects.values_list("pk", flat=True)), 5)
            small_counts = count_only(client, small_targets)
            article_check[f"{len(stage1):,} articles, 5 random"] = article_counts(client, small_ids)
            log(f"Query counts at {len(stage1):,} articles: {small_counts}")
        log(f"Loading stage 2: {len(stage2 or stage1):,} articles")
        timings[f"{len(stage2 or stage1):,} articles"] = loader.load(stage2 or stage1)
        t0 = time.perf_counter()
        if after_load(args):
            timings["ANALYZE"] = time.perf_counter() - t0
        index_s, search_note = rebuild_search_index()
        if index_s is not None:
            timings["search index"] = index_s
        drift = loader.drift()
        if drift:
            message = (
                "Bulk loader drift: saving an article fills "
                + ", ".join(f"`{name}`" for name in drift)
                + " but bench/load.py does not: its figures may be wrong until it does."
            )
            log("WARNING: " + message)
            load_notes.append("⚠ " + message)
    else:
        # The code may have moved on since the database was loaded.
        call_command("migrate", verbosity=0, interactive=False)
        if args.sqlite_analyze:
            after_load(args)
        if args.reindex:
            _, search_note = rebuild_search_index()
        else:
            search_note = "index as left by the previous run (--reindex rebuilds it)"

    count = ArticlePage.objects.live().count()
    engine, size = engine_and_size()
    log(f"{engine}: {count:,} live articles, {size / 1024 / 1024:,.0f} MiB")
    if small_ids:
        others = ArticlePage.objects.exclude(pk__in=small_ids).values_list("pk", flat=True)
        new_ids = rng.sample(list(others), 5)
        article_check[f"{count:,} articles, the same 5"] = article_counts(client, small_ids)
        article_check[f"{count:,} articles, 5 others"] = article_counts(client, new_ids)
    targets, notes = build_targets(rng, args.deep_page)
    log(f"Measuring {len(targets)} pages ({args.warmups} warm-ups, {args.requests} requests)")
    results: list[Result] = []
    for target in targets:
        result = measure(client, target, requests=args.requests, warmups=args.warmups, log=log)
        result.queries_at_small = small_counts.get(target.name)
        results.append(result)
    for label, (n, qmin, qmax) in article_check.items():
        log(f"Article page queries at {label}: {qmin}-{qmax} ({n} articles)")

    from bench.measure import explain

    plans = []
    for r in results:
        if r.slowest is not None:
            plans.append((r.target.name, r.slowest.ms, r.slowest.sql, explain(r.slowest.sql)))

    load_after = os.getloadavg()
    notes.append(
        f"Load average (1 min) {load_before[0]:.2f} at the start, {load_after[0]:.2f} at the "
        "end: other processes on the machine make the figures noisier."
    )
    key, variant, stats_note = statistics_state()
    run = report.Run(
        key=key,
        variant=variant,
        engine=engine,
        started=started,
        articles=count,
        small_articles=args.small if small_counts else None,
        requests=args.requests,
        warmups=args.warmups,
        machine=report.machine(),
        timings=timings,
        db_size=size,
        search_note=search_note,
        notes=[*load_notes, *notes, stats_note],
        results=results,
        article_check=article_check,
        plans=plans,
    )
    if not args.no_results:
        report.write(BENCH_DIR / "RESULTS.md", run)
        log(f"Wrote {BENCH_DIR / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
