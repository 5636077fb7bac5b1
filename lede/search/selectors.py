"""Reader search over live articles.

One entry point, :func:`search_articles`, branching on the database engine:

Only the articles of the edition's language are searched (the document's
``language``); the query is normalised like the index
(:func:`lede.search.arabic.normalize_arabic`).

* SQLite: FTS5 (``unicode61 remove_diacritics 2``), ranked with ``bm25`` and
  column weights, fragments cut in Python (:func:`lede.search.text.highlight`).
  The reader's text is never passed as FTS5 syntax: see
  :func:`lede.search.text.fts5_match_expression`.
* PostgreSQL: the language's configuration (``lede_french``: French stemming,
  accents removed; ``arabic``: Arabic stemming), ``websearch_to_tsquery``,
  ranked with ``ts_rank_cd``, fragments from ``ts_headline``.

Either way a search costs one query for the ranked ids and texts, then
the listing queries of :func:`lede.editorial.selectors.for_listing` (the
articles with their section and image, and their authors): three queries
whatever the number of results, one when nothing matches. PostgreSQL asks
the planner first how many documents the words should match (an ``EXPLAIN``,
not run) and, for a common word, reads the histogram of publication dates,
to search a recency window (:func:`_recent_since`, ``docs/search.md``): one
or two more small queries, and the ranking query once more when the window
held too few matches.

Fragments are plain text with sentinel characters around the matches; they are
escaped and the sentinels turned into ``<mark>`` by
:func:`lede.search.text.render_fragment`. Body fragments are only shown when the
paywall lets the reader read the article without spending a metered read;
otherwise the fragment comes from the standfirst, which teasers show anyway.
"""

from __future__ import annotations

import json
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

from .arabic import normalize_arabic
from .models import FTS_TABLE, SearchDocument, search_language, ts_config
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
#: found in most of the archive must not make every article be ranked. It was
#: 2,000: then a word found in every article cost twice the ranking work on an
#: archive of 200,000 articles as on one of 1,000 (which has only 1,000
#: matches to rank), and read 2,000 vectors from a table too large to stay in
#: memory: the search page through the stack was 38 % slower at 200,000
#: articles (issue 17, goal 5). 500 of the most recent matches is about a
#: fortnight of a daily's output for a word in every article, and the whole
#: archive for a rarer one (the rare words never reach the cap).
RANK_CANDIDATES = 500
#: The recency window (PostgreSQL): the candidates are looked for among the
#: most recent documents where the planner expects this many times
#: RANK_CANDIDATES matches (see _recent_since), and in the whole archive only
#: when the window held fewer than RANK_CANDIDATES.
WINDOW_MARGIN = 2.0

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
    only, and whether body fragments may be shown. ``language`` is the
    edition's (French by default): only that language's articles are searched,
    the query parsed with its configuration (PostgreSQL) and normalised like
    the index (:mod:`lede.search.arabic`)."""
    q = normalize_arabic(normalize_query(query))
    language = search_language(language)
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
    try:
        if connection.vendor == "postgresql":
            ranked, fragment = _rank_postgresql(connection, q, limit, now, scope, language)
        else:
            ranked, fragment = _rank_sqlite(connection, q, limit, now, scope, language)
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
    language: str,
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
        JOIN {qn(doc)} dl ON dl.article_id = {FTS_TABLE}.rowid
    """
    alive = """
        p.live
        AND a.published_at IS NOT NULL
        AND (p.expire_at IS NULL OR p.expire_at > %s)
        AND dl.language = %s
    """
    now_param = connection.ops.adapt_datetimefield_value(now)
    alive_params = [now_param, language]

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
        params: list[Any] = [match, *alive_params]
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
        params = [free_match, *alive_params, *full_params, match, *alive_params, *full_params]
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


def _estimated_matches(
    cursor: Any, doc: str, q_sql: str, q_params: list[Any], language: str
) -> float:
    """How many documents of ``language`` the planner expects the query to
    match (from the statistics of the GIN-indexed vectors: the most common
    lexemes and their frequencies), without running it."""
    sql = f"SELECT 1 FROM {doc} m WHERE m.document @@ {q_sql} AND m.language = %s"  # noqa: S608
    cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", [*q_params, language])
    raw = cursor.fetchone()[0]
    plan = json.loads(raw) if isinstance(raw, str) else raw
    return float(plan[0]["Plan"]["Plan Rows"])


def _date_quantiles(cursor: Any, table: str) -> list[datetime]:
    """The bounds of the planner's histogram of the documents' publication
    dates (about 100 buckets of equal size, oldest first): empty before the
    table was first analysed."""
    cursor.execute(
        "SELECT histogram_bounds::text::timestamptz[] FROM pg_stats "
        "WHERE schemaname = current_schema() AND tablename = %s AND attname = 'published_at'",
        [table],
    )
    row = cursor.fetchone()
    return list(row[0]) if row and row[0] else []


def _recent_since(
    cursor: Any, doc: str, q_sql: str, q_params: list[Any], language: str
) -> datetime | None:
    """The start of the recency window where the RANK_CANDIDATES most recent
    matches should be, or None to search the whole archive.

    A word found in a share ``f`` of the documents has its ``cap`` most recent
    matches among the most recent ``cap / f`` documents, if it is spread
    evenly over time: the window is the most recent ``WINDOW_MARGIN * cap /
    matches`` of the archive, read off the planner's histogram of publication
    dates. Within it, PostgreSQL reads the date index and intersects it with
    the GIN index (or walks the date index for a word in most documents):
    the work is about the window's, not the archive's. A rare word (fewer
    expected matches than the window would need) gets no window: the GIN
    index finds its few matches anywhere in the archive."""
    matches = _estimated_matches(cursor, doc, q_sql, q_params, language)
    share = WINDOW_MARGIN * RANK_CANDIDATES / matches if matches > 0 else 1.0
    if share >= 1.0:
        return None
    bounds = _date_quantiles(cursor, SearchDocument._meta.db_table)
    if len(bounds) < 2:
        return None
    position = (1.0 - share) * (len(bounds) - 1)  # in buckets, from the oldest
    i = min(int(position), len(bounds) - 2)
    start, end = bounds[i], bounds[i + 1]
    return start + (end - start) * (position - i)


def _rank_postgresql(
    connection: BaseDatabaseWrapper,
    q: str,
    limit: int,
    now: datetime,
    scope: FullText,
    language: str,
) -> tuple[list[_Ranked], Fragmenter]:
    qn = connection.ops.quote_name
    page, article, article_pk = _liveness_tables()
    doc = qn(SearchDocument._meta.db_table)
    # Three steps, innermost first:
    # 1. candidates: the most recent RANK_CANDIDATES live matches, taken from
    #    the search table alone in the order of its (language, published_at)
    #    index, within a recency window when the words are common (see
    #    _recent_since; without it a word in 9 % of 200,000 articles read all
    #    its 18,000 matches and joined them to every page: 69 ms, against
    #    10 ms in the window). The query is written out with its values (no
    #    CTE, client-side binding) so that the planner sees the words and the
    #    window and picks its way: the date index walked until enough matches
    #    for a word in most articles, the date index intersected with the GIN
    #    index for a commoner word, the GIN index alone for a rare one.
    #    An article the reader may not read matches on its free text only:
    #    the query restricted to the weights the locked text never has.
    # 2. rank those candidates (the same way), keep `limit`;
    # 3. ts_headline (costly) for the rows kept only: of the whole body when
    #    it was matched, else of the free part only; their texts are read for
    #    those rows only (step 2 carries narrow rows).
    # `candidates` (how many step 1 found) tells whether a window held enough.
    tsquery = "websearch_to_tsquery(%s::regconfig, %s)"
    config = ts_config(language)
    q_params: list[Any] = [config, q]
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

    def sql(windowed: bool) -> str:
        window = "AND m.published_at >= %s" if windowed else ""
        return f"""
            SELECT top.article_id, top.full_text,
                   ts_headline(%s::regconfig, t.standfirst, {tsquery}, %s),
                   ts_headline(%s::regconfig,
                               CASE WHEN top.full_text = 1 THEN t.body ELSE t.lead END,
                               {tsquery}, %s),
                   top.candidates
            FROM (
                SELECT d.article_id, c.published_at, c.full_text, {rank} AS score,
                       count(*) OVER () AS candidates
                FROM (
                    SELECT m.article_id, m.published_at, {full_text} AS full_text
                    FROM {doc} m
                    JOIN {qn(page)} p ON p.id = m.article_id
                    JOIN {qn(article)} a ON a.{qn(article_pk)} = m.article_id
                    {join}
                    WHERE {match}
                      AND m.language = %s
                      AND m.published_at IS NOT NULL {window}
                      AND p.live
                      AND a.published_at IS NOT NULL
                      AND (p.expire_at IS NULL OR p.expire_at > %s)
                    ORDER BY m.published_at DESC, m.article_id DESC
                    LIMIT %s
                ) c
                JOIN {doc} d ON d.article_id = c.article_id
                ORDER BY score DESC, c.published_at DESC, d.article_id DESC
                LIMIT %s
            ) top
            JOIN {doc} t ON t.article_id = top.article_id
            ORDER BY top.score DESC, top.published_at DESC, top.article_id DESC
        """  # noqa: S608 - identifiers only; every value is a parameter

    def params(since: datetime | None) -> list[Any]:
        return [
            *(config, *q_params, HEADLINE_OPTIONS),  # standfirst fragment
            *(config, *q_params, HEADLINE_OPTIONS),  # body (or lead) fragment
            *rank_params,
            *full_params,  # the candidates' full_text column
            *match_params,
            language,
            *([since] if since is not None else []),
            now,
            RANK_CANDIDATES,
            limit,
        ]

    with connection.cursor() as cursor:
        since = _recent_since(cursor, doc, tsquery, q_params, language)
        cursor.execute(sql(since is not None), params(since))
        rows = cursor.fetchall()
        if since is not None and (not rows or rows[0][4] < RANK_CANDIDATES):
            # The window held fewer matches than the cap (a word common in the
            # past, rarer lately): the whole archive, as for a rare word.
            cursor.execute(sql(False), params(None))
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
