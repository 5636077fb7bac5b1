"""A short road from a URL to an article.

Wagtail resolves a URL one tree level at a time (one query per level, then a
query for the specific page). Articles are most of the traffic, so the home
page first looks the whole path up in a small cache (path → article id) and
loads the article in one query; anything else (sections, their feeds and
pages, other page types) goes through Wagtail's normal routing. The cache is
only a hint: the article is re-checked (live, same path) on every request,
and a publish or move forgets the paths involved.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from wagtail.url_routing import RouteResult

ROUTE_TTL = 300


def _key(url_path: str) -> str:
    return "editorial:route:" + hashlib.sha1(url_path.encode(), usedforsecurity=False).hexdigest()


def forget_route(url_path: str) -> None:
    cache.delete(_key(url_path))


def fast_article_route(
    home: Any, request: HttpRequest, path_components: list[str]
) -> RouteResult | None:
    from .models import ArticlePage

    url_path = home.url_path + "/".join(path_components) + "/"
    key = _key(url_path)
    pk = cache.get(key)
    if pk is None:
        pk = (
            ArticlePage.objects.filter(url_path=url_path, live=True)
            .values_list("pk", flat=True)
            .first()
        ) or 0
        cache.set(key, pk, ROUTE_TTL)
    if not pk:
        return None
    page = (
        ArticlePage.objects.select_related("section", "lead_image")
        .filter(pk=pk, live=True, url_path=url_path)
        .first()
    )
    if page is None:
        forget_route(url_path)
        return None
    return RouteResult(page)
