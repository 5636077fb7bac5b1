"""Listing pages (home, sections, sitemaps, feeds) rendered once per change,
for every reader.

A listing is the same for every reader but for the header's account links:
it is rendered as an anonymous reader would get it, with a marker where those
links go, kept in the cache under the listing generation (bumped by every
publish, unpublish and move: lede/editorial/pagination.py) and the paywall's
chrome generation (menus, settings), and each request only fills in its
reader's links. Without it the home page costs ~240 ms of CPU per request
(bench/RESULTS.md), for every signed-in reader (the edge only serves
anonymous copies). The live slot of the home page may be up to
``LEDE_LISTING_HTML_SECONDS`` (60) old: the live feed's stream replays what
was published since the page's last event id.

Staff (Wagtail's user bar), requests with pending messages and any other
query string than ``?page=N`` on a section get a fresh render (junk query
strings cannot fill the cache).

One render per change, not one per reader arriving meanwhile: a publish makes
every listing stale at once, and on a busy front page the readers arriving
in the next ~250 ms (one render) would all render it. The first to miss takes
a short lock and renders; the others get the previous copy of that page (kept
whatever the generation) while it lasts, or render when there is none.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from lede.core.db_router import reader_traffic
from lede.paywall.selectors import account_state_for_request
from lede.paywall.serving import ACCOUNT_MARKER, account_nav_html, chrome_generation

from .pagination import listing_generation

# Set on the anonymous copy of the request that renders the shared page:
# templates/base.html then puts a marker where the account links go.
SHARED_RENDER_ATTR = "lede_shared_render"


def listing_cache_enabled() -> bool:
    return bool(getattr(settings, "LEDE_LISTING_CACHE_ENABLED", True))


# How long the reader who renders a listing may keep the others on the
# previous copy (a render takes ~250 ms; a process that dies mid-render
# holds the others back this long at most).
RENDER_LOCK_SECONDS = 10
# How long the previous copy is kept for that (it is served only while a
# render is under way).
STALE_SECONDS = 600

# What of the reader's request the shared render must not see.
PRIVATE_META = frozenset({"HTTP_COOKIE", "CSRF_COOKIE", "CSRF_COOKIE_NEEDS_UPDATE"})
# Response headers kept with the shared copy (sitemaps, feeds).
KEPT_HEADERS = ("X-Robots-Tag", "Last-Modified")


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


def _cacheable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or "messages" in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return True
    # Whoever may reach the admin gets Wagtail's user bar: a page of their own.
    # The paywall's cached profile knows (is_staff, superuser or admin access).
    from django.utils import timezone

    from lede.paywall.selectors import reader_for_request

    return not reader_for_request(request, timezone.now()).is_staff


def _anonymous_copy(request: HttpRequest) -> HttpRequest:
    anonymous = copy.copy(request)
    anonymous.user = AnonymousUser()  # type: ignore[assignment]
    anonymous.COOKIES = {}
    anonymous.META = {k: v for k, v in request.META.items() if k not in PRIVATE_META}
    # Nothing of the reader's session (messages, state) reaches the copy.
    anonymous.session = import_module(settings.SESSION_ENGINE).SessionStore()
    for name in ("_messages", "auser", "_cached_user"):
        anonymous.__dict__.pop(name, None)
    setattr(anonymous, SHARED_RENDER_ATTR, True)
    return anonymous


def _render_shared(
    request: HttpRequest, render: Callable[[HttpRequest], HttpResponse]
) -> tuple[str, str, dict[str, str]] | None:
    """The page as an anonymous reader gets it (content type, text, kept
    headers), or None if it cannot be shared."""
    anonymous = _anonymous_copy(request)
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
    number = _page_number(request, paged)
    if not listing_cache_enabled() or number is None or not _cacheable(request):
        return render(request)
    raw = "|".join(
        [
            request.get_host(),
            request.scheme or "http",
            request.path,
            str(number),
            get_language() or "",
        ]
    )
    digest = hashlib.sha256(raw.encode()).hexdigest()
    chrome = chrome_generation()
    key = f"editorial:listing-html:{listing_generation()}:{chrome}:{digest}"
    latest_key = f"editorial:listing-latest:{chrome}:{digest}"
    cached = cache.get(key)
    if cached is None:
        lock = key + ":rendering"
        renderer = cache.add(lock, 1, RENDER_LOCK_SECONDS)
        if not renderer:
            cached = cache.get(latest_key)  # being rendered: the previous copy
        if cached is None:
            try:
                cached = _render_shared(request, render)
                if cached is not None:
                    seconds = int(getattr(settings, "LEDE_LISTING_HTML_SECONDS", 60))
                    cache.set(key, cached, seconds)
                    cache.set(latest_key, cached, STALE_SECONDS)
            finally:
                if renderer:
                    cache.delete(lock)
            if cached is None:
                return render(request)  # nothing to share: answer as usual
    content_type, body, headers = cached
    if ACCOUNT_MARKER in body:  # HTML pages; sitemaps and feeds have none
        state = account_state_for_request(request, timezone.now())
        body = body.replace(ACCOUNT_MARKER, account_nav_html(state), 1)
    return HttpResponse(body, content_type=content_type, headers=headers)
