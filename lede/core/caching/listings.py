"""Listing pages (home, sections, authors, tags, sitemaps, feeds) rendered
once per change for every reader, and their cached page counts.

A listing is the same for every reader but for the header's account links:
it is rendered from ``anonymous.anonymous_copy`` (the account marker in
place of the links), kept under the listing generation (an article
published, unpublished, moved or deleted) and the chrome generation (menus,
settings), and each request only fills in its reader's links. Without it the
home page costs ~240 ms of CPU per request (bench/RESULTS.md), for every
signed-in reader (the edge only serves anonymous copies). The live slot of
the home page may be up to ``LEDE_LISTING_HTML_SECONDS`` (60) old: the live
feed's stream replays what was published since the page's last event id.

Staff (Wagtail's user bar), requests with pending messages and any other
query string than ``?page=N`` on a paged listing get a fresh render (junk
query strings cannot fill the cache).

One render per change, not one per reader arriving meanwhile: a publish makes
every listing stale at once, and on a busy front page the readers arriving
in the next ~250 ms (one render) would all render it. The first to miss takes
a short lock and renders; the others get the previous copy of that page (kept
whatever the listing generation) while it lasts, or render when there is none.

Who is staff and what the account links say are the paywall's to know: it
registers them here (``register_reader_parts``); until it has, every listing
is rendered afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.functional import cached_property
from django.utils.translation import get_language

from lede.core.db_router import reader_traffic

from . import keys, markers
from .anonymous import anonymous_copy

# How long the reader who renders a listing may keep the others on the
# previous copy (a render takes ~250 ms; a process that dies mid-render
# holds the others back this long at most).
RENDER_LOCK_SECONDS = 10
# How long the previous copy is kept for that (it is served only while a
# render is under way).
STALE_SECONDS = 600
# Response headers kept with the shared copy (sitemaps, feeds).
KEPT_HEADERS = ("X-Robots-Tag", "Last-Modified")


@dataclass(frozen=True, slots=True)
class ReaderParts:
    """What only the paywall knows of a reader, for a listing."""

    #: True for a reader who gets a page of their own (staff: Wagtail's user bar).
    own_page: Callable[[HttpRequest], bool]
    #: The header's account links for this reader (HTML).
    account_nav: Callable[[HttpRequest], str]


_reader_parts: ReaderParts | None = None


def register_reader_parts(parts: ReaderParts) -> None:
    """Called once by the paywall's AppConfig.ready()."""
    global _reader_parts
    _reader_parts = parts


def enabled() -> bool:
    return bool(settings.LEDE_LISTING_CACHE_ENABLED) and _reader_parts is not None


def _page_number(request: HttpRequest, paged: bool) -> int | None:
    """1 for a listing without a query string, N for ``?page=N`` on a paged
    listing; None when the query string makes it a page of its own (it is
    then rendered afresh: junk query strings cannot fill the cache)."""
    if not request.GET:
        return 1
    if not paged or set(request.GET) != {"page"}:
        return None
    raw = request.GET["page"]
    return int(raw) if raw.isdigit() and raw == str(int(raw)) and int(raw) > 0 else None


def _cacheable(request: HttpRequest, parts: ReaderParts) -> bool:
    if request.method not in ("GET", "HEAD") or "messages" in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return True
    return not parts.own_page(request)


def _render_shared(
    request: HttpRequest, render: Callable[[HttpRequest], HttpResponse]
) -> tuple[str, str, dict[str, str]] | None:
    """The page as an anonymous reader gets it (content type, text, kept
    headers), or None if it cannot be shared."""
    anonymous = anonymous_copy(request)
    # From the primary: the key names the generation just bumped, and a
    # lagging read replica could still show the listing from before it.
    with reader_traffic(replica_allowed=False):
        response = render(anonymous)
        if hasattr(response, "render"):
            response.render()
    if (
        response.status_code != 200
        or response.cookies
        or response.streaming
        or anonymous.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a form used a token
    ):
        return None
    headers = {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}
    return response["Content-Type"], response.content.decode(), headers


def serve_listing(
    request: HttpRequest, render: Callable[[HttpRequest], HttpResponse], *, paged: bool = False
) -> HttpResponse:
    """``render(request)`` renders the page for a request; it is called with
    an anonymous copy of the request when the shared copy is missing.
    ``paged``: the listing takes ``?page=N``."""
    parts = _reader_parts
    number = _page_number(request, paged)
    if parts is None or not enabled() or number is None or not _cacheable(request, parts):
        return render(request)
    digest = keys.listing_digest(
        host=request.get_host(),
        scheme=request.scheme or "http",
        path=request.path,
        page=number,
        language=get_language() or "",
    )
    chrome = keys.CHROME.current()
    key = keys.listing_key(keys.LISTING.current(), chrome, digest)
    latest_key = keys.listing_latest_key(chrome, digest)
    cached = cache.get(key)
    if cached is None:
        lock = keys.listing_lock_key(key)
        renderer = cache.add(lock, 1, RENDER_LOCK_SECONDS)
        if not renderer:
            cached = cache.get(latest_key)  # being rendered: the previous copy
        if cached is None:
            try:
                cached = _render_shared(request, render)
                if cached is not None:
                    cache.set(key, cached, int(settings.LEDE_LISTING_HTML_SECONDS))
                    cache.set(latest_key, cached, STALE_SECONDS)
            finally:
                if renderer:
                    cache.delete(lock)
            if cached is None:
                return render(request)  # nothing to share: answer as usual
    content_type, body, headers = cached
    if markers.ACCOUNT_MARKER in body:  # HTML pages; sitemaps and feeds have none
        body = markers.fill(body, markers.ACCOUNT_MARKER, parts.account_nav(request))
    return HttpResponse(body, content_type=content_type, headers=headers)


class CachedCountPaginator(Paginator):  # type: ignore[type-arg]
    """Page-number pagination whose COUNT(*) is cached.

    At 100,000 articles the count of a section's live articles is the slowest
    query of a listing page (100–160 ms on PostgreSQL in bench/RESULTS.md).
    The count is kept under the listing generation, so a listing never shows
    a stale page count after a change."""

    def __init__(self, object_list: Any, per_page: int, *, count_key: str, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._count_key = count_key

    @cached_property
    def count(self) -> int:
        key = keys.count_key(keys.LISTING.current(), self._count_key)
        value = cache.get(key)
        if value is None:
            value = super().count
            cache.set(key, value, keys.COUNT_SECONDS)
        return int(value)
