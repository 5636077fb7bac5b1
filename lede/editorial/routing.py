"""A short road from a URL to an article.

Wagtail resolves a URL one tree level at a time (one query per level, then a
query for the specific page). Articles are most of the traffic, so the home
page first looks the whole path up in a small cache (path → article id) and
loads the article in one query; anything else (sections, their feeds and
pages, other page types) goes through Wagtail's normal routing. The cache is
only a hint: the article is re-checked (live, same path) on every request,
and a publish or move forgets the paths involved
(lede.core.caching.invalidation).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from wagtail.url_routing import RouteResult

from lede.core.caching import keys


def fast_article_route(home: Any, path_components: list[str], model: Any) -> RouteResult | None:
    """``model``: the article page model (models.py passes it: this module
    does not import the models that call it)."""
    url_path = home.url_path + "/".join(path_components) + "/"
    key = keys.route_key(url_path)
    pk = cache.get(key)
    if pk is None:
        pk = (
            model.objects.filter(url_path=url_path, live=True).values_list("pk", flat=True).first()
        ) or 0
        cache.set(key, pk, keys.ROUTE_SECONDS)
    if not pk:
        return None
    page = (
        model.objects.select_related("section", "lead_image", "locale")
        .filter(pk=pk, live=True, url_path=url_path)
        .first()
    )
    if page is None:
        cache.delete(key)
        return None
    return RouteResult(page)
