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
* SQLite: ``document`` stays NULL. An FTS5 external-content table,
  ``lede_search_fts``, indexes ``title, standfirst, lead, body, credits,
  section, tags`` of this table, kept in step by triggers created in migration
  ``0002``; a column filter leaving ``body`` out matches the free text only.

Warning for future migrations on SQLite: an operation that makes Django rebuild
this table (most ``AlterField``, ``RemoveField``...) drops those triggers; such a
migration must recreate them (``SQLITE_CREATE`` in migration ``0002``) and
then run ``rebuild_search_index --force``.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone

FTS_TABLE = "lede_search_fts"
TS_CONFIG = "lede_french"


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
    document = SearchVectorField(null=True, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "document de recherche"
        verbose_name_plural = "documents de recherche"

    def __str__(self) -> str:
        return self.title
