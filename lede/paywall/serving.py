"""Serving an article: decide access on the server, then send the right variant.

Each article has two renderings, ``full`` and ``locked``. Both are rendered
once per published revision (for an anonymous request, without any personal
data) and kept in the cache; per request we only identify the reader, run the
pure decision, fetch the variant and substitute the personal bits (account
links, meter line) into markers. The locked variant is rendered from a body
that no longer holds the locked part, so it cannot leak it.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.translation import get_language, gettext, ngettext

from . import access, meter, selectors, services

if TYPE_CHECKING:
    from lede.editorial.models import ArticlePage

ACCOUNT_MARKER = "<!--lede:account-nav-->"
METER_MARKER = "<!--lede:meter-->"
# Around the paywall box's sign-in line, which only a reader who is not
# signed in gets.
PAYWALL_LOGIN_START = "<!--lede:paywall-login-->"
PAYWALL_LOGIN_END = "<!--/lede:paywall-login-->"
CHROME_KEY = "paywall:chrome-generation"
SNAPSHOT_GENERATION_KEY = "paywall:snapshot-generation"
VARIANT_VERSION = "2"


def chrome_generation() -> int:
    """Bumped when what surrounds every article (sections menu, settings) changes."""
    value = cache.get(CHROME_KEY)
    if value is None:
        value = 1
        cache.add(CHROME_KEY, value, timeout=None)
    return int(value)


def bump_chrome_generation() -> None:
    try:
        cache.incr(CHROME_KEY)
    except ValueError:
        cache.set(CHROME_KEY, 2, timeout=None)


def snapshot_generation() -> int:
    value = cache.get(SNAPSHOT_GENERATION_KEY)
    return int(value) if value is not None else 0


def bump_snapshot_generation() -> None:
    """A page was published, unpublished, moved or deleted: every article
    snapshot the fast path keeps (URL → article and its access settings) may be
    wrong, so all are dropped at once. Rendered variants survive (their keys
    name the revision), so the next request of each article costs one pass
    through Wagtail's routing, not a render."""
    try:
        cache.incr(SNAPSHOT_GENERATION_KEY)
    except ValueError:
        cache.set(SNAPSHOT_GENERATION_KEY, 1, timeout=None)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What serving an article needs to know about it, as plain cacheable data."""

    article: access.ArticleAccess
    revision: str
    generation: int


def snapshot_key(host: str, path: str) -> str:
    raw = f"{host}\x00{path}".encode()
    return "paywall:snapshot:" + hashlib.sha1(raw, usedforsecurity=False).hexdigest()


def page_snapshot(page: ArticlePage, generation: int) -> Snapshot:
    # The revision id alone could come back after a restore or, in SQLite, a
    # deletion; with the publish instant (microseconds) it names one render.
    revision = "|".join(
        [
            str(page.live_revision_id),
            page.last_published_at.isoformat() if page.last_published_at else "",
            page.updated_at.isoformat() if page.updated_at else "",
        ]
    )
    return Snapshot(article=article_access(page), revision=revision, generation=generation)


def article_access(page: ArticlePage) -> access.ArticleAccess:
    section_ids: frozenset[int] = frozenset()
    if page.section is not None:
        # The section and its ancestors: their ids are in the materialised path.
        path = page.section.path
        steps = [path[: i + 4] for i in range(0, len(path), 4)]
        section_ids = frozenset(selectors.section_ids_for_paths(tuple(steps)))
    return access.ArticleAccess(
        article_id=page.pk,
        level=access.Level(page.effective_access_level),
        metered=page.metered,
        section_ids=section_ids,
    )


def variant_cache_key(snap: Snapshot, host: str, scheme: str, variant: str, chrome: int) -> str:
    article = snap.article
    raw = "|".join(
        [
            VARIANT_VERSION,
            str(article.article_id),
            snap.revision,
            article.level.value,
            str(article.metered),
            variant,
            host,
            scheme,
            str(chrome),
        ]
    )
    return "paywall:variant:" + hashlib.sha256(raw.encode()).hexdigest()


class LocalVariants:
    """A small per-process LRU in front of the shared cache.

    Safe because a variant key names everything the rendering depends on
    (revision, access settings, host, chrome generation): the HTML stored under
    a key never changes, so a copy can only be as stale as the shared entry.
    Entries also expire after ``ttl`` seconds. Written by hand because the
    standard library's lru_cache cannot express "not found" or expiry.
    """

    def __init__(self, max_entries: int, ttl: float) -> None:
        self.max_entries = max_entries
        self.ttl = ttl
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: str, html: str) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + self.ttl, html)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


local_variants = LocalVariants(
    max_entries=getattr(settings, "LEDE_VARIANT_LOCAL_ENTRIES", 256),
    ttl=getattr(settings, "LEDE_VARIANT_LOCAL_SECONDS", 300),
)


def _record_lookup(result: str) -> None:
    try:
        from lede.core.observability.metrics import record_variant_lookup
    except ImportError:  # pragma: no cover - metrics not installed
        return
    record_variant_lookup(result)


def cached_variant(key: str) -> str | None:
    html = local_variants.get(key)
    if html is not None:
        _record_lookup("local")
        return html
    html = cache.get(key)
    if html is not None:
        _record_lookup("shared")
        local_variants.put(key, html)
        return str(html)
    _record_lookup("miss")
    return None


def store_variant(key: str, html: str) -> None:
    cache.set(key, html, timeout=settings.LEDE_VARIANT_CACHE_SECONDS)
    local_variants.put(key, html)


def free_block_count(block_types: Sequence[str]) -> int:
    """How many blocks at the start of a body are free to every reader: up to
    and including the first paragraph (the first block when there is none).
    The one rule for what the wall shows; the search index uses it too."""
    for i, block_type in enumerate(block_types):
        if block_type == "paragraph":
            return i + 1
    return min(1, len(block_types))


def split_body(page: ArticlePage) -> tuple[list[Any], list[Any]]:
    """The free part (see :func:`free_block_count`) and the rest."""
    blocks = list(page.body)
    cut = free_block_count([block.block_type for block in blocks])
    return blocks[:cut], blocks[cut:]


def render_variant(page: ArticlePage, request: HttpRequest, variant: str) -> str:
    """Render a variant as an anonymous reader would get it, with markers."""
    anonymous = copy.copy(request)
    anonymous.user = AnonymousUser()  # type: ignore[assignment]
    anonymous.COOKIES = {}
    context = page.get_context(anonymous)
    free, rest = split_body(page)
    context.update(
        {
            "variant": variant,
            "cached_variant": True,
            "free_blocks": free,
            "locked_blocks": rest if variant == "full" else [],
            "offer": launch_offer(),
        }
    )
    if variant == "locked":
        context["json_ld"] = locked_json_ld(context.get("json_ld", {}))
    else:
        context["json_ld"] = full_json_ld(context.get("json_ld", {}), page)
    response = TemplateResponse(anonymous, page.get_template(anonymous), context)
    response.render()
    return response.content.decode()


def full_json_ld(data: dict[str, Any], page: ArticlePage) -> dict[str, Any]:
    if page.effective_access_level != "public":
        data = {**data, **_paywalled_part()}
    return data


def locked_json_ld(data: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in data.items() if k not in {"articleBody", "text"}}
    data.update(_paywalled_part())
    return data


def _paywalled_part() -> dict[str, Any]:
    return {
        "isAccessibleForFree": False,
        "hasPart": {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": ".article__paywalled",
        },
    }


def launch_offer() -> dict[str, str]:
    """The offer the paywall box shows: the featured offer from the
    subscriptions app, or the configured fallback."""
    try:
        from lede.subscriptions.selectors import current_launch_offer

        offer = current_launch_offer()
        if offer:
            return dict(offer)
    except ImportError:  # pragma: no cover - subscriptions app not installed
        pass
    return {
        "price": getattr(settings, "LEDE_LAUNCH_OFFER_PRICE", "60 DH"),
        "period": getattr(settings, "LEDE_LAUNCH_OFFER_PERIOD", "1 mois"),
    }


def meter_line(decision: access.Access, *, limit: int) -> str:
    """The meter's line under the article; ``limit`` is the month's number of
    free articles (the plural of the "used them all" line follows it)."""
    if decision.remaining is None:
        return ""
    if decision.allowed and decision.remaining == 0:
        text = gettext("C'était votre dernier article gratuit ce mois-ci.")
    elif decision.allowed:
        text = ngettext(
            "Il vous reste %(n)d article gratuit ce mois-ci.",
            "Il vous reste %(n)d articles gratuits ce mois-ci.",
            decision.remaining,
        ) % {"n": decision.remaining}
    else:
        text = str(
            ngettext(
                "Vous avez lu votre article gratuit ce mois-ci.",
                "Vous avez lu vos articles gratuits ce mois-ci.",
                limit,
            )
        )
    return f'<p class="meter-line" role="status">{escape(text)}</p>'


def variant_cache_enabled() -> bool:
    return bool(getattr(settings, "LEDE_VARIANT_CACHE_ENABLED", True))


@lru_cache(maxsize=256)
def _account_nav(language: str, state: selectors.AccountState) -> str:
    return render_to_string("core/_account_nav.html", {"account": state})


def account_nav_html(state: selectors.AccountState) -> str:
    """The header's account links and status for one kind of reader
    (``selectors.account_state``), rendered once per process, language and
    kind (without the request's context processors: they would read settings
    and menus for three links). Nothing in them is personal — an
    organisation's name is shared by all its readers — so a rendering per
    kind can be shared: "Se déconnecter" leads to the confirmation page, whose
    form carries the CSRF token, so an article costs no CSRF work."""
    return _account_nav(get_language() or "", state)


def paywall_login_for(html: str, *, signed_in: bool) -> str:
    """The locked variant with the paywall box's "already a subscriber? sign
    in" line for a reader who is not signed in, without it for one who is
    (the variant is shared by both); the markers go either way."""
    start = html.find(PAYWALL_LOGIN_START)
    end = html.find(PAYWALL_LOGIN_END, start)
    if start < 0 or end < 0:
        return html
    inner = "" if signed_in else html[start + len(PAYWALL_LOGIN_START) : end]
    return html[:start] + inner + html[end + len(PAYWALL_LOGIN_END) :]


def respond(
    request: HttpRequest,
    *,
    snap: Snapshot,
    reader: access.Reader,
    user_id: int | None,
    now: datetime,
    html_for: Callable[[str], str | None],
    account_nav: Callable[[], str],
) -> HttpResponse | None:
    """The per-request work shared by both roads to an article (Wagtail's
    routing in serve_article, and the fast path in fastpath.py): read the
    meter, decide, fetch the variant, count, fill in the personal bits, set
    the caching headers. ``None`` when ``html_for`` has no variant (the fast
    path then gives way to the normal road, and nothing was counted)."""
    article = snap.article
    month = access.month_key(now)
    anon_meter: meter.AnonymousMeter | None = None
    if reader.is_authenticated:
        used = (
            selectors.registered_meter_ids(user_id, month)
            if article.metered and not reader.is_staff and user_id is not None
            else frozenset()
        )
    else:
        anon_meter = meter.read_anonymous(request, month) if article.metered else None
        used = frozenset(anon_meter.ids) if anon_meter else frozenset()
    state = access.MeterState(limit=selectors.meter_limit(reader.is_authenticated), used=used)
    decision = access.decide(reader, article, state, now)
    variant = "full" if decision.allowed else "locked"
    html = html_for(variant)
    if html is None:
        return None
    if decision.counts_against_meter:
        if reader.is_authenticated and user_id is not None:
            services.meter_record_read(user_id=user_id, article_id=article.article_id, month=month)
        elif anon_meter is not None:
            meter.count_anonymous(anon_meter, article.article_id)

    html = html.replace(ACCOUNT_MARKER, account_nav(), 1)
    html = html.replace(METER_MARKER, meter_line(decision, limit=state.limit), 1)
    if variant == "locked":
        html = paywall_login_for(html, signed_in=reader.is_authenticated)
    response = HttpResponse(html)
    response["X-Lede-Variant"] = variant
    response["X-Lede-Access"] = decision.reason.value
    personal = reader.is_authenticated or article.metered or reader.entitlements
    if personal or (variant == "full" and article.level != access.Level.PUBLIC):
        response["Cache-Control"] = "private, no-store"
    else:
        response["Cache-Control"] = "public, max-age=60"
    patch_vary_headers(response, ["Cookie"])
    if anon_meter is not None and anon_meter.dirty:
        meter.write_anonymous(response, anon_meter, secure=request.is_secure())
    return response


def serve_article(page: ArticlePage, request: HttpRequest) -> HttpResponse:
    """The road through Wagtail's routing (and the only one for staff)."""
    now = timezone.now()
    reader, orgs = selectors.reader_and_organisations(request, now)
    generation = snapshot_generation()
    snap = page_snapshot(page, generation)
    use_cache = variant_cache_enabled() and not reader.is_staff
    host, scheme = request.get_host(), request.scheme or "http"
    if use_cache and not request.META.get("QUERY_STRING"):
        # Teach the fast path this URL (see fastpath.py).
        cache.set(snapshot_key(host, request.path_info), snap, timeout=3600)

    def html_for(variant: str) -> str:
        if not use_cache:
            return render_variant(page, request, variant)  # staff: always fresh
        key = variant_cache_key(snap, host, scheme, variant, chrome_generation())
        html = cached_variant(key)
        if html is None:
            html = render_variant(page, request, variant)
            store_variant(key, html)
        return html

    def account_nav() -> str:
        nav = account_nav_html(selectors.account_state(reader, orgs, now))
        if reader.is_staff:
            from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar

            nav += wagtailuserbar({"request": request, "page": page})
        return nav

    user = getattr(request, "user", None)
    response = respond(
        request,
        snap=snap,
        reader=reader,
        user_id=user.pk if user is not None and user.is_authenticated else None,
        now=now,
        html_for=html_for,
        account_nav=account_nav,
    )
    assert response is not None  # html_for always renders on this road
    return response
