"""The reader search index: one row per live article.

The row holds the article's searchable text as plain text (no HTML), split by
weight: ``title`` (highest), ``standfirst``, ``body`` (the whole body),
``credits`` (author names and agency credit), ``section`` (the section's title)
and ``tags``. ``lead`` is the part of the body the paywall shows every reader
(:func:`lede.paywall.serving.free_block_count`): a reader who may not read a
non-public article matches it on the free text only (title, standfirst,
lead, credits, section, tags), never on the locked rest of the body (see
:mod:`lede.search.selectors`). It is written only by :mod:`lede.search.services`.

Each database engine indexes these columns its own way:

* PostgreSQL: ``document`` is a weighted ``tsvector`` built with the
  ``lede_french`` text search configuration (French stemming, accents removed),
  with a GIN index created by migration ``0001`` (not declared in ``Meta``:
  SQLite cannot create it). Weights: ``A`` title; ``B`` standfirst, credits,
  section, tags; ``C`` the lead; ``D`` the locked rest of the body, and only
  it (migration ``0002``): a query restricted to weights ``ABC`` matches the
  free text only.
* Both: ``published_at`` is a copy of the article's publication date, written
  with the text, and indexed with the language (``lede_search_recent``):
  PostgreSQL picks the most recent matches of a common word from this table
  alone, walking that index or intersecting it with the GIN index, whatever
  the archive's size (:mod:`lede.search.selectors`, issue 17). NULL only in
  rows written before migration ``0004`` filled it (never searched).
* Both: ``language`` is the article's language (its Wagtail locale's primary
  subtag: ``fr``, ``ar``). Every text is passed through
  :func:`lede.search.arabic.normalize_arabic` before it is indexed (and every
  query before it is searched); the stored columns keep the text as written,
  for the fragments.
* PostgreSQL, per document: ``lede_french`` for French (and any language
  without a configuration of its own), ``arabic`` (Snowball stemming) for
  Arabic (:data:`TS_CONFIGS`).
* SQLite: ``document`` stays NULL. An FTS5 external-content table,
  ``lede_search_fts``, indexes ``title, standfirst, lead, body, credits,
  section, tags`` of this table, kept in step by triggers (migration ``0003``)
  that pass each text through the SQL function ``lede_search_normalize``
  (registered on every SQLite connection by :mod:`lede.search.apps`: a tool
  writing this table outside Django fails on it); a column filter leaving
  ``body`` out matches the free text only.

Warning for future migrations on SQLite: an operation that makes Django rebuild
this table (most ``AlterField``, ``RemoveField``...) drops those triggers; such a
migration must recreate them (``sqlite_create`` in migration ``0003``) and
then run ``rebuild_search_index --force``.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone

FTS_TABLE = "lede_search_fts"
TS_CONFIG = "lede_french"
#: The PostgreSQL text search configuration of each language; any other
#: language is indexed with :data:`TS_CONFIG`.
TS_CONFIGS = {"fr": TS_CONFIG, "ar": "arabic"}


def search_language(code: str | None) -> str:
    """The language a document or a query is searched in: the primary subtag
    of a language code (``ar-MA`` -> ``ar``), French when there is none."""
    primary = (code or "").replace("_", "-").split("-", 1)[0].strip().lower()
    return primary or "fr"


def ts_config(language: str) -> str:
    return TS_CONFIGS.get(search_language(language), TS_CONFIG)


class SearchDocument(models.Model):
    article = models.OneToOneField(
        "editorial.ArticlePage",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.TextField()
    standfirst = models.TextField(blank=True, default="")
    body = models.TextField(blank=True, default="")
    #: The free part of the body (what the wall shows).
    lead = models.TextField(blank=True, default="")
    credits = models.TextField(blank=True, default="")
    section = models.TextField(blank=True, default="")
    tags = models.TextField(blank=True, default="")
    #: The article's language (primary subtag of its locale).
    language = models.CharField(max_length=8, default="fr", db_index=True)
    #: The article's ``published_at`` (nullable: added to a filled table).
    published_at = models.DateTimeField(null=True, blank=True)
    document = SearchVectorField(null=True, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "document de recherche"
        verbose_name_plural = "documents de recherche"
        indexes = [
            # The most recent documents of a language first (the candidates of
            # the PostgreSQL ranking: lede.search.selectors).
            models.Index(
                fields=["language", "-published_at", "-article"], name="lede_search_recent"
            ),
        ]

    def __str__(self) -> str:
        return self.title
