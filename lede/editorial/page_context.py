"""Editorial's own page handlers (lede/editorial/page_handlers.py): what
the page models ask of the selectors and feeds, registered by
EditorialConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from . import page_handlers, selectors
from .feeds import SectionFeed
from .models import ArticlePage, HomePage, SectionPage


def article_context(article: ArticlePage, request: HttpRequest) -> dict[str, Any]:
    json_ld = selectors.article_json_ld(article, request)
    return {
        "json_ld": json_ld,
        # og:image is JSON-LD's image (lead image or the default share image).
        "share_image": (json_ld.get("image") or [""])[0],
        # Baked into the cached variants (one render per revision and chrome
        # generation): unpublishing an article bumps the chrome generation
        # (lede.core.caching.invalidation).
        "related": selectors.related_articles(article),
    }


def home_context(home: HomePage) -> dict[str, Any]:
    return selectors.home_blocks(home)


def section_articles(section: SectionPage) -> QuerySet[ArticlePage]:
    return selectors.section_articles(section)


def section_feed(request: HttpRequest, section: SectionPage) -> HttpResponse:
    response: HttpResponse = SectionFeed()(request, section=section)
    return response


def register() -> None:
    page_handlers.article_context.register(article_context)
    page_handlers.home_context.register(home_context)
    page_handlers.section_articles.register(section_articles)
    page_handlers.section_feed.register(section_feed)
