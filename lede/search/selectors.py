"""Reader search over live articles.

One entry point, :func:`search_articles`, branching on the database engine:

* SQLite: FTS5 (``unicode61 remove_diacritics 2``), ranked with ``bm25`` and
  column weights, fragments cut in Python (:func:`lede.search.text.highlight`).
  The reader's text is never passed as FTS5 syntax: see
  :func:`lede.search.text.fts5_match_expression`.
* PostgreSQL: the ``lede_french`` configuration (French stemming, accents
  removed), ``websearch_to_tsquery``, ranked with ``ts_rank_cd``, fragments
  from ``ts_headline``.

Either way a search costs one query for the ranked ids and texts, then
the listing queries of :func:`lede.editorial.selectors.for_listing` (the
articles with their section and image, and their authors): three queries
whatever the number of results, one when nothing matches.

Fragments are plain text with sentinel characters around the matches; they are
escaped and the sentinels turned into ``<mark>`` by
:func:`lede.search.text.render_fragment`. Body fragments are only shown when the
paywall lets the reader read the article without spending a metered read;
otherwise the fragment comes from the standfirst, which teasers show anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DatabaseError, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.safestring import SafeString
from wagtail.models import Page

from lede.editorial.models import ArticlePage, SectionPage
from lede.editorial.selectors import for_listing, live_articles
from lede.paywall.access import ArticleAccess, Level, MeterState, Reader, decide

from .models import FTS_TABLE, TS_CONFIG, SearchDocument
from .text import (
    ELLIPSIS,
    MARK_START,
    MARK_STOP,
    excerpt,
    fts5_match_expression,
    highlight,
    highlight_count,
    normalize_query,
    query_terms,
    render_fragment,
)

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
#: PostgreSQL ranks the most recent matches only, at most this many: a word
#: found in most of the archive must not make every article be ranked.
RANK_CANDIDATES = 2000

#: bm25 column weights, in the FTS5 table's column order.
BM25_WEIGHTS = {"title": 10.0, "standfirst": 4.0, "body": 1.0, "credits": 4.0}
#: ts_headline options (PostgreSQL). The sentinels are control characters that
#: never occur in indexed text.
HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_STOP}", '
    f'MaxWords=35, MinWords=15, ShortWord=3, MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "'
)


@dataclass
class SearchHit:
    article: ArticlePage
    #: Escaped HTML in which only ``<mark>`` elements are markup.
    snippet: SafeString


@dataclass(frozen=True)
class _Ranked:
    """A ranked article with its standfirst and body: plain text, or fragments
    already highlighted by the database (see the backend's ``Fragmenter``)."""

    article_id: int
    standfirst: str
    body: str


#: Turns a text returned by the ranking query into a fragment with sentinels.
Fragmenter = Callable[[str], str]


def _plain(text: str) -> str:
    return text


def search_articles(
    query: str, limit: int = DEFAULT_LIMIT, *, reader: Reader | None = None
) -> list[SearchHit]:
    """The live articles matching ``query``, best first, at most ``limit``.

    Any string is accepted: it is cleaned with
    :func:`lede.search.text.normalize_query` and a query with nothing to
    search for gives no results. ``reader`` decides whether body fragments may
    be shown (anonymous by default)."""
    q = normalize_query(query)
    limit = max(0, min(int(limit), MAX_LIMIT))
    if not q or not limit:
        return []
    connection = connections[router.db_for_read(SearchDocument)]
    now = timezone.now()
    try:
        if connection.vendor == "postgresql":
            ranked, fragment = _rank_postgresql(connection, q, limit, now)
        else:
            ranked, fragment = _rank_sqlite(connection, q, limit, now)
    except DatabaseError:
        # A broken index must not take the page down; the error is logged.
        logger.exception("search failed for a query of %d characters", len(q))
        return []
    if not ranked:
        return []
    found = live_articles().filter(pk__in=[r.article_id for r in ranked]).defer("body")
    by_id = {a.pk: a for a in for_listing(found)}
    reader = reader or Reader.anonymous()
    # Ancestor sections only matter to entitlements (one more query when the
    # reader holds some).
    ancestry = _section_ids_by_section(list(by_id.values())) if reader.entitlements else {}
    hits: list[SearchHit] = []
    for r in ranked:
        article = by_id.get(r.article_id)
        if article is None:
            continue
        own = frozenset({article.section_id}) if article.section_id else frozenset()
        section_ids = ancestry.get(article.section_id or 0, own)
        show_body = _may_read(reader, article, section_ids, now)
        hits.append(SearchHit(article=article, snippet=_snippet(r, show_body, fragment)))
    return hits


# --- ranking -----------------------------------------------------------------
def _liveness_tables() -> tuple[str, str, str]:
    page = Page._meta.db_table
    article = ArticlePage._meta.db_table
    article_pk = ArticlePage._meta.pk.column  # type: ignore[union-attr]
    return page, article, article_pk


def _rank_sqlite(
    connection: BaseDatabaseWrapper, q: str, limit: int, now: datetime
) -> tuple[list[_Ranked], Fragmenter]:
    match = fts5_match_expression(q)
    if not match:
        return [], _plain
    qn = connection.ops.quote_name
    page, article, article_pk = _liveness_tables()
    doc = SearchDocument._meta.db_table
    weights = ", ".join(str(w) for w in BM25_WEIGHTS.values())
    # The inner query ranks and keeps `limit` rows (only ids and sort keys go
    # through the sort); the texts are read for those rows only. Fragments are
    # cut in Python: FTS5's snippet() would run the MATCH again for each row,
    # which costs seconds for a short prefix.
    sql = f"""
        WITH top AS (
            SELECT {FTS_TABLE}.rowid AS id,
                   bm25({FTS_TABLE}, {weights}) AS score,
                   a.published_at AS published_at
            FROM {FTS_TABLE}
            JOIN {qn(page)} p ON p.id = {FTS_TABLE}.rowid
            JOIN {qn(article)} a ON a.{qn(article_pk)} = {FTS_TABLE}.rowid
            WHERE {FTS_TABLE} MATCH %s
              AND p.live
              AND a.published_at IS NOT NULL
              AND (p.expire_at IS NULL OR p.expire_at > %s)
            ORDER BY score, a.published_at DESC, {FTS_TABLE}.rowid DESC
            LIMIT %s
        )
        SELECT top.id, d.standfirst, d.body
        FROM top JOIN {qn(doc)} d ON d.article_id = top.id
        ORDER BY top.score, top.published_at DESC, top.id DESC
    """  # noqa: S608 - identifiers only; every value is a parameter
    params: list[Any] = [match, connection.ops.adapt_datetimefield_value(now), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    terms = query_terms(q)

    def fragment(text: str) -> str:
        return highlight(text, terms) or excerpt(text)

    return [_Ranked(int(r[0]), r[1] or "", r[2] or "") for r in rows], fragment


def _rank_postgresql(
    connection: BaseDatabaseWrapper, q: str, limit: int, now: datetime
) -> tuple[list[_Ranked], Fragmenter]:
    qn = connection.ops.quote_name
    page, article, article_pk = _liveness_tables()
    doc = SearchDocument._meta.db_table
    # Three steps, innermost first:
    # 1. candidates: the most recent RANK_CANDIDATES live matches. The query
    #    is written out (no CTE) so that the planner sees it as a constant
    #    and can estimate how common its words are: for a word in most
    #    articles it walks the published_at index and stops early, for a
    #    rare one it reads the GIN index. Ranking every match instead cost
    #    1.0-1.4 s for a word in all of 200,000 articles (bench/RESULTS.md).
    # 2. rank those candidates, keep `limit`;
    # 3. ts_headline (costly) for the rows kept only.
    tsquery = "websearch_to_tsquery(%s::regconfig, %s)"
    sql = f"""
        SELECT top.article_id,
               ts_headline(%s::regconfig, top.standfirst, {tsquery}, %s),
               ts_headline(%s::regconfig, top.body, {tsquery}, %s)
        FROM (
            SELECT d.article_id, d.standfirst, d.body, c.published_at,
                   ts_rank_cd(d.document, {tsquery}) AS score
            FROM (
                SELECT m.article_id, a.published_at
                FROM {qn(doc)} m
                JOIN {qn(page)} p ON p.id = m.article_id
                JOIN {qn(article)} a ON a.{qn(article_pk)} = m.article_id
                WHERE m.document @@ {tsquery}
                  AND p.live
                  AND a.published_at IS NOT NULL
                  AND (p.expire_at IS NULL OR p.expire_at > %s)
                ORDER BY a.published_at DESC, m.article_id DESC
                LIMIT %s
            ) c
            JOIN {qn(doc)} d ON d.article_id = c.article_id
            ORDER BY score DESC, c.published_at DESC, d.article_id DESC
            LIMIT %s
        ) top
        ORDER BY top.score DESC, top.published_at DESC, top.article_id DESC
    """  # noqa: S608 - identifiers only; every value is a parameter
    params: list[Any] = [
        *(TS_CONFIG, TS_CONFIG, q, HEADLINE_OPTIONS),  # standfirst fragment
        *(TS_CONFIG, TS_CONFIG, q, HEADLINE_OPTIONS),  # body fragment
        *(TS_CONFIG, q),  # rank
        *(TS_CONFIG, q),  # match
        now,
        RANK_CANDIDATES,
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # ts_headline already cut and highlighted the fragments.
    return [_Ranked(int(r[0]), r[1] or "", r[2] or "") for r in rows], _plain


# --- fragments -----------------------------------------------------------------
def _section_ids_by_section(articles: list[ArticlePage]) -> dict[int, frozenset[int]]:
    """Each section of ``articles`` with its ancestor sections (one query): what
    an entitlement to a parent section covers."""
    sections = {a.section.pk: a.section for a in articles if a.section is not None}
    prefixes = {
        s.pk: [s.path[:i] for i in range(s.steplen, len(s.path) + 1, s.steplen)]
        for s in sections.values()
    }
    wanted = {p for paths in prefixes.values() for p in paths}
    id_by_path = dict(SectionPage.objects.filter(path__in=wanted).values_list("path", "pk"))
    return {
        pk: frozenset(id_by_path[p] for p in paths if p in id_by_path)
        for pk, paths in prefixes.items()
    }


def _may_read(
    reader: Reader, article: ArticlePage, section_ids: frozenset[int], now: datetime
) -> bool:
    """Whether the paywall lets ``reader`` read ``article`` without spending a
    metered read: only then may a fragment of its body be shown."""
    access = ArticleAccess(
        article_id=article.pk,
        level=Level(article.effective_access_level),
        metered=article.metered,
        section_ids=section_ids,
    )
    return decide(reader, access, MeterState(limit=0), now).allowed


def _snippet(ranked: _Ranked, show_body: bool, fragment: Fragmenter) -> SafeString:
    """The fragment with the most highlights (the standfirst on a tie); the
    standfirst's beginning when only the title or the credits matched."""
    candidates = [fragment(ranked.standfirst)] if ranked.standfirst else []
    if show_body and ranked.body:
        candidates.append(fragment(ranked.body))
    if not candidates:
        return SafeString("")
    return render_fragment(max(candidates, key=highlight_count))
