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
from wagtail.models import Locale, Page

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

#: bm25 column weights, in the FTS5 table's column order: for a match on the
#: full text (``body`` holds the lead too) and on the free text only.
BM25_WEIGHTS = {
    "title": 10.0,
    "standfirst": 4.0,
    "lead": 0.0,
    "body": 1.0,
    "credits": 4.0,
    "section": 2.0,
    "tags": 4.0,
}
BM25_FREE_WEIGHTS = {**BM25_WEIGHTS, "lead": 1.0, "body": 0.0}
#: The FTS5 columns of the free text.
FREE_COLUMNS = tuple(c for c, w in BM25_FREE_WEIGHTS.items() if w)
#: A lexeme in the text form of a tsquery, and what it becomes in a query
#: restricted to the weights of the free text (PostgreSQL; the locked text
#: alone has weight D, see lede.search.services).
TSQUERY_LEXEME = "'(?:[^']|'')*'"
FREE_WEIGHTS = r"\&:ABC"
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
    """A ranked article with its standfirst and a text of its body: the whole
    body when it was matched on its full text (``full``), else only the free
    part. Plain text, or fragments already highlighted by the database (see
    the backend's ``Fragmenter``)."""

    article_id: int
    full: bool
    standfirst: str
    body: str


#: Turns a text returned by the ranking query into a fragment with sentinels.
Fragmenter = Callable[[str], str]


def _plain(text: str) -> str:
    return text


#: Each section's id with the ids of its ancestor sections.
Sections = dict[int, frozenset[int]]


@dataclass(frozen=True)
class FullText:
    """Where a reader's words may match the locked text of an article (the
    body past what the wall shows): the access levels at which the paywall
    lets them read every article, and per level the sections where it does
    (``sectionless``: also articles without a section). Everywhere else only
    the free text matches: title, standfirst, lead, credits, section, tags."""

    everywhere: frozenset[Level]
    in_sections: tuple[tuple[Level, frozenset[int], bool], ...] = ()

    @property
    def unrestricted(self) -> bool:
        return self.everywhere == frozenset(Level)


def _may_read_level(
    reader: Reader, level: Level, section_ids: frozenset[int], now: datetime
) -> bool:
    """Whether the paywall lets ``reader`` read every article of ``level`` in
    a section with these ids, metered or not, without spending a metered
    read: a search listing is not a read, so the meter opens nothing here."""
    return all(
        decide(
            reader,
            ArticleAccess(article_id=0, level=level, metered=metered, section_ids=section_ids),
            MeterState(limit=0),
            now,
        ).allowed
        for metered in (False, True)
    )


def full_text_scope(reader: Reader, now: datetime, sections: Sections | None) -> FullText:
    """Where ``reader`` may match locked text, from the paywall decision.

    ``sections`` are all the sections with their ancestors (:func:`all_sections`);
    ``None`` for a reader without entitlements, for whom the decision does not
    depend on sections (only an entitlement covers sections)."""
    everywhere: set[Level] = set()
    partial: list[tuple[Level, frozenset[int], bool]] = []
    for level in Level:
        sectionless = _may_read_level(reader, level, frozenset(), now)
        if sections is None:
            if sectionless:
                everywhere.add(level)
            continue
        ids = frozenset(
            pk for pk, ancestry in sections.items() if _may_read_level(reader, level, ancestry, now)
        )
        if sectionless and len(ids) == len(sections):
            everywhere.add(level)
        elif ids or sectionless:
            partial.append((level, ids, sectionless))
    return FullText(frozenset(everywhere), tuple(partial))


def all_sections() -> Sections:
    """Every section with its ancestor sections (one query): what an
    entitlement to a parent section covers."""
    rows = list(SectionPage.objects.values_list("pk", "path"))
    id_by_path = {path: pk for pk, path in rows}
    step = SectionPage.steplen
    return {
        pk: frozenset(
            id_by_path[path[:i]] for i in range(step, len(path) + 1, step) if path[:i] in id_by_path
        )
        for pk, path in rows
    }


def search_articles(
    query: str,
    limit: int = DEFAULT_LIMIT,
    *,
    reader: Reader | None = None,
    language: str | None = None,
) -> list[SearchHit]:
    """The live articles matching ``query``, best first, at most ``limit``.

    Any string is accepted: it is cleaned with
    :func:`lede.search.text.normalize_query` and a query with nothing to
    search for gives no results. ``reader`` (anonymous by default) decides
    which articles match on their full text and which on their free text
    only, and whether body fragments may be shown. ``language``: only the
    articles of that edition (docs/editions.md); None, every edition."""
    q = normalize_query(query)
    limit = max(0, min(int(limit), MAX_LIMIT))
    if not q or not limit:
        return []
    connection = connections[router.db_for_read(SearchDocument)]
    now = timezone.now()
    reader = reader or Reader.anonymous()
    # Ancestor sections only matter to entitlements (one more query when the
    # reader holds some).
    sections = all_sections() if reader.entitlements else None
    scope = full_text_scope(reader, now, sections)
    edition = _edition_condition(language)
    try:
        if connection.vendor == "postgresql":
            ranked, fragment = _rank_postgresql(connection, q, limit, now, scope, edition)
        else:
            ranked, fragment = _rank_sqlite(connection, q, limit, now, scope, edition)
    except DatabaseError:
        # A broken index must not take the page down; the error is logged.
        logger.exception("search failed for a query of %d characters", len(q))
        return []
    if not ranked:
        return []
    found = live_articles().filter(pk__in=[r.article_id for r in ranked]).defer("body")
    by_id = {a.pk: a for a in for_listing(found)}
    hits: list[SearchHit] = []
    for r in ranked:
        article = by_id.get(r.article_id)
        if article is None:
            continue
        own = frozenset({article.section_id}) if article.section_id else frozenset()
        section_ids = (sections or {}).get(article.section_id or 0, own)
        show_body = _may_read(reader, article, section_ids, now)
        hits.append(SearchHit(article=article, snippet=_snippet(r, show_body, fragment)))
    return hits


# --- ranking -----------------------------------------------------------------
def _edition_condition(language: str | None) -> str:
    """SQL narrowing the ranking's pages (``p``) to one edition's locale: the
    locale's id is an integer read from the database, written into the SQL
    so that the queries' parameter order stays as it is."""
    if not language:
        return ""
    locale_id = (
        Locale.objects.filter(language_code=language.split("-")[0])
        .values_list("pk", flat=True)
        .first()
    )
    return f"AND p.locale_id = {int(locale_id or 0)}"


def _liveness_tables() -> tuple[str, str, str]:
    page = Page._meta.db_table
    article = ArticlePage._meta.db_table
    article_pk = ArticlePage._meta.pk.column  # type: ignore[union-attr]
    return page, article, article_pk


def _full_text_sql(connection: BaseDatabaseWrapper, scope: FullText) -> tuple[str, str, list[Any]]:
    """A join to add to the ranking query and an SQL expression, 1 or 0 (never
    NULL), telling whether the row's article (``a``) may match on its full
    text, with its parameters."""
    qn = connection.ops.quote_name
    section = SectionPage._meta.db_table
    section_pk = SectionPage._meta.pk.column  # type: ignore[union-attr]
    join = f"LEFT JOIN {qn(section)} s ON s.{qn(section_pk)} = a.section_id"
    # The article's effective access level, as ArticlePage.effective_access_level.
    level = "COALESCE(NULLIF(a.access_level, ''), s.default_access_level, %s)"
    level_params: list[Any] = [Level.PUBLIC.value]
    parts: list[str] = []
    params: list[Any] = []
    if scope.everywhere:
        levels = sorted(scope.everywhere)
        parts.append(f"{level} IN ({', '.join(['%s'] * len(levels))})")
        params += [*level_params, *levels]
    for lvl, section_ids, sectionless in scope.in_sections:
        where: list[str] = []
        if section_ids:
            where.append(f"a.section_id IN ({', '.join(['%s'] * len(section_ids))})")
            params_ids: list[Any] = sorted(section_ids)
        else:
            params_ids = []
        if sectionless:
            where.append("a.section_id IS NULL")
        parts.append(f"({level} = %s AND ({' OR '.join(where)}))")
        params += [*level_params, lvl.value, *params_ids]
    if not parts:
        return join, "0", []
    return join, f"(CASE WHEN {' OR '.join(parts)} THEN 1 ELSE 0 END)", params


def _rank_sqlite(
    connection: BaseDatabaseWrapper,
    q: str,
    limit: int,
    now: datetime,
    scope: FullText,
    edition: str = "",
) -> tuple[list[_Ranked], Fragmenter]:
    match = fts5_match_expression(q)
    if not match:
        return [], _plain
    qn = connection.ops.quote_name
    page, article, article_pk = _liveness_tables()
    doc = SearchDocument._meta.db_table
    live = f"""
        JOIN {qn(page)} p ON p.id = {FTS_TABLE}.rowid
        JOIN {qn(article)} a ON a.{qn(article_pk)} = {FTS_TABLE}.rowid
    """
    alive = f"""
        p.live
        AND a.published_at IS NOT NULL
        AND (p.expire_at IS NULL OR p.expire_at > %s)
        {edition}
    """
    now_param = connection.ops.adapt_datetimefield_value(now)

    def weights(free: bool) -> str:
        table = BM25_FREE_WEIGHTS if free else BM25_WEIGHTS
        return ", ".join(str(w) for w in table.values())

    # The ranking keeps `limit` rows (only ids and sort keys go through the
    # sort); the texts are read for the rows kept only. Fragments
    # are cut in Python: FTS5's snippet() would run the MATCH again for each
    # row, which costs seconds for a short prefix.
    def branch(free: bool, condition: str) -> str:
        return f"""
            SELECT {FTS_TABLE}.rowid AS id,
                   bm25({FTS_TABLE}, {weights(free)}) AS score,
                   a.published_at AS published_at,
                   {0 if free else 1} AS full_text
            FROM {FTS_TABLE} {live} {{join}}
            WHERE {FTS_TABLE} MATCH %s AND {alive} {condition}
        """  # noqa: S608 - identifiers only; every value is a parameter

    if scope.unrestricted:
        ranking = branch(False, "").replace("{join}", "")
        params: list[Any] = [match, now_param]
    else:
        # Articles the reader may not read match on their free columns only;
        # the others on all of them. Every article is in one branch only.
        join, full_text, full_params = _full_text_sql(connection, scope)
        free_match = f"{{{' '.join(FREE_COLUMNS)}}} : ({match})"
        ranking = f"""
            {branch(True, f"AND {full_text} = 0").replace("{join}", join)}
            UNION ALL
            {branch(False, f"AND {full_text} = 1").replace("{join}", join)}
        """
        params = [free_match, now_param, *full_params, match, now_param, *full_params]
    sql = f"""
        WITH top AS (
            SELECT id, score, published_at, full_text FROM ({ranking})
            ORDER BY score, published_at DESC, id DESC
            LIMIT %s
        )
        SELECT top.id, top.full_text, d.standfirst,
               CASE WHEN top.full_text = 1 THEN d.body ELSE d.lead END
        FROM top JOIN {qn(doc)} d ON d.article_id = top.id
        ORDER BY top.score, top.published_at DESC, top.id DESC
    """  # noqa: S608 - identifiers only; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        rows = cursor.fetchall()
    terms = query_terms(q)

    def fragment(text: str) -> str:
        return highlight(text, terms) or excerpt(text)

    return [_Ranked(int(r[0]), bool(r[1]), r[2] or "", r[3] or "") for r in rows], fragment


def _rank_postgresql(
    connection: BaseDatabaseWrapper,
    q: str,
    limit: int,
    now: datetime,
    scope: FullText,
    edition: str = "",
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
    #    An article the reader may not read matches on its free text only:
    #    the query restricted to the weights the locked text never has.
    # 2. rank those candidates (the same way), keep `limit`;
    # 3. ts_headline (costly) for the rows kept only: of the whole body when
    #    it was matched, else of the free part only.
    tsquery = "websearch_to_tsquery(%s::regconfig, %s)"
    q_params: list[Any] = [TS_CONFIG, q]
    full_params: list[Any] = []
    if scope.unrestricted:
        join, full_text = "", "1"
        match, match_params = f"m.document @@ {tsquery}", q_params
        rank = f"ts_rank_cd(d.document, {tsquery})"
        rank_params = q_params
    else:
        join, full_text, full_params = _full_text_sql(connection, scope)
        # Every lexeme of the query gets the weights of the free text (the
        # query's text form quotes each lexeme, doubling inner quotes). The
        # restricted query matches a subset of what the full one matches, so
        # the GIN index is read for the full one, as for any reader.
        free_tsquery = f"regexp_replace({tsquery}::text, %s, %s, 'g')::tsquery"
        free_params = [*q_params, TSQUERY_LEXEME, FREE_WEIGHTS]
        match = f"m.document @@ {tsquery} AND ({full_text} = 1 OR m.document @@ {free_tsquery})"
        match_params = [*q_params, *full_params, *free_params]
        rank = (
            f"CASE WHEN c.full_text = 1 THEN ts_rank_cd(d.document, {tsquery}) "
            f"ELSE ts_rank_cd(d.document, {free_tsquery}) END"
        )
        rank_params = [*q_params, *free_params]
    sql = f"""
        SELECT top.article_id, top.full_text,
               ts_headline(%s::regconfig, top.standfirst, {tsquery}, %s),
               ts_headline(%s::regconfig,
                           CASE WHEN top.full_text = 1 THEN top.body ELSE top.lead END,
                           {tsquery}, %s)
        FROM (
            SELECT d.article_id, d.standfirst, d.body, d.lead, c.published_at, c.full_text,
                   {rank} AS score
            FROM (
                SELECT m.article_id, a.published_at, {full_text} AS full_text
                FROM {qn(doc)} m
                JOIN {qn(page)} p ON p.id = m.article_id
                JOIN {qn(article)} a ON a.{qn(article_pk)} = m.article_id
                {join}
                WHERE {match}
                  AND p.live
                  AND a.published_at IS NOT NULL
                  AND (p.expire_at IS NULL OR p.expire_at > %s)
                  {edition}
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
        *(TS_CONFIG, *q_params, HEADLINE_OPTIONS),  # standfirst fragment
        *(TS_CONFIG, *q_params, HEADLINE_OPTIONS),  # body (or lead) fragment
        *rank_params,
        *full_params,  # the candidates' full_text column
        *match_params,
        now,
        RANK_CANDIDATES,
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # ts_headline already cut and highlighted the fragments.
    return [_Ranked(int(r[0]), bool(r[1]), r[2] or "", r[3] or "") for r in rows], _plain


# --- fragments -----------------------------------------------------------------
def _may_read(
    reader: Reader, article: ArticlePage, section_ids: frozenset[int], now: datetime
) -> bool:
    """Whether the paywall lets ``reader`` read ``article`` without spending a
    metered read: only then may a fragment of its whole body be shown."""
    access = ArticleAccess(
        article_id=article.pk,
        level=Level(article.effective_access_level),
        metered=article.metered,
        section_ids=section_ids,
    )
    return decide(reader, access, MeterState(limit=0), now).allowed


def _snippet(ranked: _Ranked, show_body: bool, fragment: Fragmenter) -> SafeString:
    """The fragment with the most highlights (the standfirst on a tie); the
    standfirst's beginning when only the title or the credits matched. The
    body's fragment comes from the whole body only when the reader may read
    it, else from its free part."""
    candidates = [fragment(ranked.standfirst)] if ranked.standfirst else []
    if ranked.body and (show_body or not ranked.full):
        candidates.append(fragment(ranked.body))
    if not candidates:
        return SafeString("")
    return render_fragment(max(candidates, key=highlight_count))
