"""The edge cache (Varnish, a CDN) in front of the listing pages.

Article pages set their own caching headers (the paywall decides them,
lede.paywall.serving). The listings (home, sections, sitemaps, feeds) are
the same for every anonymous reader: they may be kept by browsers and the edge
for a minute, and publishing purges them at once so that a new story is on
the home page without waiting for that minute to pass. Wagtail's frontend
cache app purges the article's own URL; this module adds the pages that list
it. A page's own URLs are those of Wagtail's ``get_cached_paths()`` (a
section adds its feed, ``rss/``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page

from lede.core.site import base_url, site_url

R = TypeVar("R", bound=HttpResponseBase)


def allow_shared_caching(request: HttpRequest, response: R) -> R:
    """Mark a listing response cacheable for anonymous readers (``public``,
    a short ``max-age``, ``Vary: Cookie``). A signed-in reader's copy (their
    name in the header) stays private; a response that already says how it
    may be cached, or that sets a cookie, is left as it is (the edge never
    stores a response with ``Set-Cookie`` either)."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if response.has_header("Cache-Control") or response.cookies:
        return response
    user = getattr(request, "user", None)
    patch_vary_headers(response, ["Cookie"])
    if user is not None and user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=int(settings.LEDE_LISTING_MAX_AGE))
    return response


def enabled() -> bool:
    return bool(settings.WAGTAILFRONTENDCACHE)


def _site_listing_urls() -> list[str]:
    """The sitemaps and the site feed."""
    return [base_url().rstrip("/") + reverse(name) for name in ("sitemap", "rss", "news_sitemap")]


def _add_listing_pages(batch: PurgeBatch, pages: Iterable[Any]) -> None:
    """The home page and sections among ``pages`` (each with its cached paths)."""
    for page in pages:
        batch.add_page(page)


def purge_listings(page: Any) -> None:
    """After the transaction commits, purge the pages that list ``page`` (an
    article): the home page, its section and the sections above it, the
    sitemaps and the site feed. Nothing to do without a frontend cache."""
    if not enabled():
        return
    batch = PurgeBatch()
    _add_listing_pages(batch, page.get_ancestors().specific().filter(depth__gt=1))
    if page.get_site() is not None:
        batch.add_urls(_site_listing_urls())
    transaction.on_commit(batch.purge)


def purge_move(page: Any, *, parent_before: Any, url_path_before: str) -> None:
    """A live article moved to another section: purge what listed it at its
    new place (as on publish), its old section and the sections above that,
    and its old address (Wagtail's frontend cache app does not handle moves).
    """
    if not enabled():
        return
    purge_listings(page)
    batch = PurgeBatch()
    batch.add_page(page)  # its new address, in case it was cached as a 404
    _add_listing_pages(
        batch,
        Page.objects.ancestor_of(parent_before, inclusive=True).filter(depth__gt=1).specific(),
    )
    site = page.get_site()
    root_path = site.root_page.url_path if site is not None else ""
    if site is not None and url_path_before.startswith(root_path):
        batch.add_url(site_url("/" + url_path_before[len(root_path) :]))
    transaction.on_commit(batch.purge)
