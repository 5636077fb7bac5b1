"""Writes of the search index (see :mod:`lede.search.models`).

The index holds one :class:`SearchDocument` per live article (aliases are left
out: they would show the same article twice). Signals call
:func:`search_index_article` on publish and :func:`search_remove_article` on
unpublish and delete, and reindex the articles of a renamed author, section or
tag; ``manage.py rebuild_search_index`` calls :func:`search_rebuild_index`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.utils import timezone

from lede.editorial.models import ArticleAuthor, ArticlePage, ArticleTag, SectionPage
from lede.paywall.serving import free_block_count

from .arabic import SQLITE_NORMALIZE, normalize_arabic
from .models import FTS_TABLE, SearchDocument, search_language, ts_config
from .text import body_text, clean_text

#: Articles read and written per transaction by the batch functions.
DEFAULT_BATCH_SIZE = 500

_TEXT_FIELDS = [
    "title",
    "standfirst",
    "body",
    "lead",
    "credits",
    "section",
    "tags",
    "language",
    "published_at",
    "updated_at",
]
_ROW_FIELDS = (
    "pk",
    "title",
    "standfirst",
    "body",
    "agency_credit",
    "section__title",
    "locale__language_code",
    "published_at",
)

Row = tuple[int, str, str, Any, str, str | None, str | None, datetime | None]


def _indexable_articles() -> QuerySet[ArticlePage]:
    return ArticlePage.objects.live().filter(alias_of__isnull=True)


def _is_indexable(article: ArticlePage) -> bool:
    return bool(article.pk) and article.live and article.alias_of_id is None


def _raw_blocks(body: Any) -> Iterable[Any]:
    """The raw JSON blocks of a StreamField value (a StreamValue or a list)."""
    raw = getattr(body, "raw_data", body)
    return raw if isinstance(raw, Iterable) and not isinstance(raw, str | bytes) else ()


def _body_parts(body: Any) -> tuple[str, str, str]:
    """The plain text of a body: whole, its free part (what the paywall shows
    every reader) and its locked rest."""
    blocks = [b for b in _raw_blocks(body) if isinstance(b, Mapping)]
    cut = free_block_count([b.get("type") or "" for b in blocks])
    return body_text(blocks), body_text(blocks[:cut]), body_text(blocks[cut:])


def _tag_names(article_ids: Collection[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    links = (
        ArticleTag.objects.filter(content_object_id__in=list(article_ids))
        .order_by("content_object_id", "tag__name")
        .values_list("content_object_id", "tag__name")
    )
    for page_id, name in links:
        names[page_id].append(name)
    return names


def _author_names(article_ids: Collection[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    links = (
        ArticleAuthor.objects.filter(page_id__in=list(article_ids))
        .order_by("page_id", "sort_order", "pk")
        .values_list("page_id", "author__name")
    )
    for page_id, name in links:
        names[page_id].append(name)
    return names


@dataclass
class _Doc:
    """A document to write, with the locked text (indexed, not stored)."""

    row: SearchDocument
    locked: str


def _document(row: Row, authors: list[str], tags: list[str]) -> _Doc:
    pk, title, standfirst, body, agency_credit, section, language, published_at = row
    credits = [*authors, agency_credit or ""]
    whole, lead, locked = _body_parts(body)
    doc = SearchDocument(
        article_id=pk,
        title=clean_text(title or ""),
        standfirst=clean_text(standfirst or ""),
        body=whole,
        lead=lead,
        credits=clean_text(" ".join(c for c in credits if c)),
        section=clean_text(section or ""),
        tags=clean_text(" ".join(tags)),
        language=search_language(language),
        published_at=published_at,
        updated_at=timezone.now(),
    )
    return _Doc(doc, locked)


#: PostgreSQL weights of the indexed texts (A counts most in ts_rank_cd). The
#: locked part of the body, and only it, has weight D: a query restricted to
#: A, B and C matches what every reader may read (lede.search.selectors).
_WEIGHTS = [
    ("title", "A"),
    ("standfirst", "B"),
    ("credits", "B"),
    ("section", "B"),
    ("tags", "B"),
    ("lead", "C"),
    ("locked", "D"),
]


def _vendor() -> str:
    return str(connections[router.db_for_write(SearchDocument)].vendor)


def _is_postgresql() -> bool:
    return _vendor() == "postgresql"


_COLUMNS = [
    "article_id",
    "title",
    "standfirst",
    "body",
    "lead",
    "credits",
    "section",
    "tags",
    "language",
    "published_at",
]
#: The FTS5 columns (migration 0003), in the table's order.
_FTS_COLUMNS = ["title", "standfirst", "lead", "body", "credits", "section", "tags"]


def _upsert_postgresql(docs: list[_Doc]) -> None:
    """Insert or update documents with their weighted vector in one statement
    (one row version and one GIN update per document). Each document's vector
    is built with its language's configuration, from its normalised text
    (the stored columns keep the text as written)."""
    connection = connections[router.db_for_write(SearchDocument)]
    qn = connection.ops.quote_name
    table = qn(SearchDocument._meta.db_table)
    columns = [*_COLUMNS, "updated_at"]
    indexed = [f"n_{column}" for column, _ in _WEIGHTS]
    vector = " || ".join(
        f"setweight(to_tsvector(v.config::regconfig, v.n_{column}), '{weight}')"
        for column, weight in _WEIGHTS
    )
    casts = {"article_id": "bigint", "published_at": "timestamptz", "updated_at": "timestamptz"}
    typed = [f"%s::{casts.get(c, 'text')}" for c in [*columns, "config", *indexed]]
    row = f"({', '.join(typed)})"
    sql = f"""
        INSERT INTO {table} ({", ".join(columns)}, document)
        SELECT {", ".join(f"v.{c}" for c in columns)}, {vector}
        FROM (VALUES {", ".join([row] * len(docs))})
            AS v ({", ".join(columns)}, config, {", ".join(indexed)})
        ON CONFLICT (article_id) DO UPDATE SET
            {", ".join(f"{c} = EXCLUDED.{c}" for c in [*columns[1:], "document"])}
    """  # noqa: S608 - identifiers only; every value is a parameter
    params: list[Any] = []
    for d in docs:
        params += [getattr(d.row, c) for c in columns]
        params.append(ts_config(d.row.language))
        params += [
            normalize_arabic(d.locked if c == "locked" else getattr(d.row, c)) for c, _ in _WEIGHTS
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


#: The GIN index of migration 0001 (same name and definition).
_GIN_INDEX = "lede_search_document_gin"


def _drop_gin_index() -> None:
    with connections[router.db_for_write(SearchDocument)].cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {_GIN_INDEX}")


def _create_gin_index() -> None:
    """Create the GIN index unless it exists."""
    connection = connections[router.db_for_write(SearchDocument)]
    table = SearchDocument._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [_GIN_INDEX])
        row = cursor.fetchone()
        if row and row[0]:
            return
        deferred_checks = connection.in_atomic_block
        if deferred_checks:
            # Called inside a caller's transaction: PostgreSQL refuses to index
            # a table with deferred foreign key checks pending, so run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"CREATE INDEX {_GIN_INDEX} ON {table} USING gin (document)")
        if deferred_checks:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _unchanged(docs: list[_Doc]) -> set[int]:
    """The ids of ``docs`` whose stored row already holds the same text (and,
    on PostgreSQL, a vector)."""
    stored = SearchDocument.objects.filter(pk__in=[d.row.article_id for d in docs])
    if _is_postgresql():
        stored = stored.filter(document__isnull=False)
    current = {row[0]: row[1:] for row in stored.values_list(*_COLUMNS)}
    return {
        d.row.article_id
        for d in docs
        if current.get(d.row.article_id) == tuple(getattr(d.row, c) for c in _COLUMNS[1:])
    }


def _write(rows: list[Row], *, force: bool = True) -> int:
    """Upsert the documents of ``rows``: all of them when ``force``, else only
    those whose text changed. Returns how many were written."""
    if not rows:
        return 0
    ids = [row[0] for row in rows]
    authors, tags = _author_names(ids), _tag_names(ids)
    docs = [_document(row, authors.get(row[0], []), tags.get(row[0], [])) for row in rows]
    if not force:
        same = _unchanged(docs)
        docs = [d for d in docs if d.row.article_id not in same]
        if not docs:
            return 0
    if _is_postgresql():
        _upsert_postgresql(docs)
    else:
        # The FTS5 table follows through triggers.
        SearchDocument.objects.bulk_create(
            [d.row for d in docs],
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=_TEXT_FIELDS,
        )
    return len(docs)


def _sqlite_refill(cursor: Any) -> None:
    """Empty the FTS5 index and fill it from the table, each text normalised
    as the triggers of migration 0003 do."""
    cols = ", ".join(_FTS_COLUMNS)
    normalized = ", ".join(f"{SQLITE_NORMALIZE}({c})" for c in _FTS_COLUMNS)
    table = SearchDocument._meta.db_table
    cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")  # noqa: S608
    cursor.execute(
        f"INSERT INTO {FTS_TABLE}(rowid, {cols}) SELECT article_id, {normalized} FROM {table}"  # noqa: S608
    )


@transaction.atomic
def search_index_article(*, article: ArticlePage) -> bool:
    """Index the live version of ``article`` (title, standfirst, body text,
    credits, section, tags), or drop it from the index when it is not live.
    Returns whether the article is now in the index."""
    if not _is_indexable(article):
        search_remove_article(article_id=article.pk)
        return False
    section = article.section.title if article.section is not None else None
    row: Row = (
        article.pk,
        article.title,
        article.standfirst,
        article.body,
        article.agency_credit,
        section,
        article.locale.language_code,
        article.published_at,
    )
    return _write([row]) == 1


@transaction.atomic
def search_remove_article(*, article_id: int) -> None:
    """Drop an article from the index (a no-op when it is not there)."""
    SearchDocument.objects.filter(article_id=article_id).delete()


@transaction.atomic
def search_index_articles(*, article_ids: Collection[int]) -> int:
    """(Re)index the given articles from the database in one transaction:
    live ones are written, the others dropped. Returns how many were written."""
    ids = sorted(set(article_ids))
    if not ids:
        return 0
    rows: list[Row] = list(
        _indexable_articles().filter(pk__in=ids).order_by("pk").values_list(*_ROW_FIELDS)
    )
    written = _write(rows)
    gone = set(ids) - {row[0] for row in rows}
    if gone:
        SearchDocument.objects.filter(article_id__in=gone).delete()
    return written


def search_index_author_articles(*, author_id: int, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Reindex the live articles signed by an author (after a change of name)."""
    ids = list(
        _indexable_articles()
        .filter(article_authors__author_id=author_id)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    return sum(
        search_index_articles(article_ids=ids[i : i + batch_size])
        for i in range(0, len(ids), batch_size)
    )


def _index_in_batches(ids: list[int], batch_size: int) -> int:
    return sum(
        search_index_articles(article_ids=ids[i : i + batch_size])
        for i in range(0, len(ids), batch_size)
    )


def search_index_section_articles(*, section_id: int, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Reindex the documents of a section's articles that hold another section
    title (after a rename). A no-op when the title did not change."""
    title = SectionPage.objects.filter(pk=section_id).values_list("title", flat=True).first()
    if title is None:
        return 0
    ids = list(
        SearchDocument.objects.filter(article__section_id=section_id)
        .exclude(section=clean_text(title))
        .order_by("article_id")
        .values_list("article_id", flat=True)
    )
    return _index_in_batches(ids, batch_size)


def search_index_tag_articles(*, tag_id: int, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Reindex the live articles carrying a tag (after a change of name)."""
    ids = list(
        ArticleTag.objects.filter(tag_id=tag_id)
        .order_by("content_object_id")
        .values_list("content_object_id", flat=True)
        .distinct()
    )
    return _index_in_batches(ids, batch_size)


@dataclass(frozen=True)
class RebuildStats:
    #: Live articles seen.
    articles: int
    #: Documents written: new or changed text (on PostgreSQL with ``force``, all).
    written: int
    #: Documents dropped (articles no longer live).
    removed: int


def search_rebuild_index(
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RebuildStats:
    """Bring the whole index in line with the live articles.

    Articles are read in batches of ``batch_size`` walking primary keys (no
    OFFSET; one transaction and a constant number of queries per batch), and a
    document is written only when its text changed, so a second run is cheap.
    Documents of articles that are no longer live are then dropped. Safe while
    the site is being edited: publishing keeps indexing through the signals.

    ``force`` rewrites every document. Use it after changing how text is
    indexed: on PostgreSQL it recomputes every vector (new weights, changed
    ``lede_french``); on SQLite it also rebuilds the FTS5 index from the table,
    repairing it should it ever drift from the table.

    ``progress(seen, written)`` is called after each batch."""
    batch_size = max(1, batch_size)
    seen = written = 0
    last_pk = 0
    sqlite = _vendor() == "sqlite"
    # A first build on PostgreSQL loads the table without its GIN index and
    # builds the index at the end: several times faster than growing it row
    # by row (and nothing can be found before the end anyway).
    bulk_load = _is_postgresql() and not SearchDocument.objects.exists()
    if bulk_load:
        _drop_gin_index()
    try:
        while True:
            with transaction.atomic():
                rows: list[Row] = list(
                    _indexable_articles()
                    .filter(pk__gt=last_pk)
                    .order_by("pk")
                    .values_list(*_ROW_FIELDS)[:batch_size]
                )
                if not rows:
                    break
                # On SQLite a forced run re-indexes everything once at the end,
                # rather than row by row through the triggers.
                written += _write(rows, force=force and not sqlite)
            seen += len(rows)
            last_pk = rows[-1][0]
            if progress is not None:
                progress(seen, written)
    finally:
        if bulk_load:
            _create_gin_index()
    if _is_postgresql() and not bulk_load:
        _create_gin_index()  # a no-op unless an earlier bulk load was interrupted
    with transaction.atomic():
        removed, _ = SearchDocument.objects.exclude(
            article_id__in=_indexable_articles().values("pk")
        ).delete()
    if sqlite and (force or written or removed):
        # A forced run fills the FTS5 index again from the whole table, through
        # the normalisation (FTS5's own 'rebuild' would index the raw text);
        # 'optimize' merges the segments written batch by batch (faster queries).
        connection = connections[router.db_for_write(SearchDocument)]
        with transaction.atomic(), connection.cursor() as cursor:
            if force:
                _sqlite_refill(cursor)
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")  # noqa: S608
    elif _is_postgresql() and (written or removed):
        # Fresh statistics, or the planner may not use the GIN index.
        with connections[router.db_for_write(SearchDocument)].cursor() as cursor:
            cursor.execute(f"ANALYZE {SearchDocument._meta.db_table}")
    return RebuildStats(articles=seen, written=written, removed=removed)
