"""RSS 2.0 feeds for the whole site and for each section."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.utils.feedgenerator import Rss201rev2Feed

from lede.core.caching.edge import allow_shared_caching
from lede.core.caching.listings import serve_listing
from lede.core.sanitize import strip_tags
from lede.core.selectors import publication_settings
from lede.core.site import site_url

from . import editions, selectors
from .models import ArticlePage, SectionPage

FEED_SIZE = 30


class _BaseFeed(Feed):  # type: ignore[type-arg]
    feed_type = Rss201rev2Feed
    request: HttpRequest | None = None

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # The instance in the URLconf is shared by every thread: the request
        # goes on a copy of it, one per render, never on the shared one.
        def render(req: HttpRequest) -> Any:
            feed = copy.copy(self)
            feed.request = req
            return Feed.__call__(feed, req, *args, **kwargs)

        return allow_shared_caching(request, serve_listing(request, render))

    def item_title(self, item: ArticlePage) -> str:
        return item.title

    def item_description(self, item: ArticlePage) -> str:
        return strip_tags(item.standfirst)

    # Every link on the site's one address (lede/core/site.py), never on the
    # host the feed happened to be requested with.
    def feed_url(self) -> str:
        return site_url(self.request.path if self.request is not None else "/rss/")

    def item_link(self, item: ArticlePage) -> str:
        return item.get_full_url(self.request) or site_url("/")

    def item_guid(self, item: ArticlePage) -> str:
        return item.get_full_url(self.request) or str(item.pk)

    def item_pubdate(self, item: ArticlePage) -> datetime | None:
        return item.display_date  # type: ignore[no-any-return]

    def item_updateddate(self, item: ArticlePage) -> datetime | None:
        return item.updated_at

    def item_author_name(self, item: ArticlePage) -> str | None:
        names = ", ".join(a.name for a in item.authors)
        return names or item.agency_credit or None

    def item_categories(self, item: ArticlePage) -> list[str]:
        return [item.section.title] if item.section else []


class SiteFeed(_BaseFeed):
    def title(self) -> str:
        return publication_settings(self.request).name

    def link(self) -> str:
        return site_url(editions.edition_root())

    def description(self) -> str:
        return publication_settings(self.request).tagline or publication_settings(self.request).name

    def items(self) -> list[ArticlePage]:
        return list(selectors.latest_articles(FEED_SIZE))


class SectionFeed(_BaseFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> SectionPage:
        section: SectionPage = kwargs["section"]
        return section

    def title(self, obj: SectionPage) -> str:
        return f"{obj.title} — {publication_settings(self.request).name}"

    def link(self, obj: SectionPage) -> str:
        return obj.get_full_url(self.request) or site_url("/")

    def description(self, obj: SectionPage) -> str:
        return obj.description or obj.title

    def items(self, obj: SectionPage) -> list[ArticlePage]:
        return list(selectors.section_articles(obj)[:FEED_SIZE])
