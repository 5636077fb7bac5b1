"""/sitemap.xml as a sitemap index: the site's pages (home, sections) and the
articles, paginated so that no file grows with the archive."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.db.models import QuerySet
from django.utils.encoding import iri_to_uri
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap

from lede.core.site import base_url

from . import editions
from .models import ArticlePage, HomePage

ARTICLES_PER_FILE = 5000


class _SiteAddress:
    """Locations on the site's one address (lede/core/site.py), not on the
    host the sitemap was requested with."""

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(base_url()).scheme or "https"

    def get_domain(self, site: Any = None) -> str:
        return urlsplit(base_url()).netloc


def _edition_home() -> HomePage | None:
    return editions.in_edition(HomePage.objects.only("url_path", "locale")).first()


class PagesSitemap(_SiteAddress, WagtailSitemap):
    """Home and section pages of the current edition (everything but
    articles), through Wagtail."""

    def items(self) -> Any:
        home = _edition_home()
        if home is None:
            return super().items().none()
        return (
            home.get_descendants(inclusive=True)
            .live()
            .public()
            .not_type(ArticlePage)
            .order_by("path")
            .defer_streamfields()
            .specific()
        )


class ArticlesSitemap(_SiteAddress, DjangoSitemap[ArticlePage]):
    limit = ARTICLES_PER_FILE

    def __init__(self) -> None:
        home = _edition_home()
        self._prefix_len = len(home.url_path) - 1 if home else 0
        # "" for French, "/ar" for the Arabic edition (docs/editions.md).
        self._edition = editions.edition_root().rstrip("/")

    def items(self) -> QuerySet[ArticlePage]:
        return (
            editions.in_edition(ArticlePage.objects.live())
            .filter(published_at__isnull=False)
            .order_by("pk")
            .only("pk", "url_path", "published_at", "updated_at", "last_published_at")
        )

    def location(self, item: ArticlePage) -> str:
        # Percent-encoded: an Arabic slug is a valid IRI, not a valid <loc>.
        return iri_to_uri(self._edition + item.url_path[self._prefix_len :])

    def lastmod(self, item: ArticlePage) -> datetime | None:
        return item.updated_at or item.published_at

    def get_latest_lastmod(self) -> datetime | None:
        # Django's default calls lastmod() on every article: one query instead.
        from django.db.models import Max

        agg = self.items().order_by().aggregate(p=Max("published_at"), u=Max("updated_at"))
        values = [v for v in (agg["p"], agg["u"]) if v is not None]
        return max(values) if values else None


def sitemaps(request: Any = None) -> dict[str, type[DjangoSitemap[Any]] | DjangoSitemap[Any]]:
    return {"pages": PagesSitemap(request), "articles": ArticlesSitemap()}
