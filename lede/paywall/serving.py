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
from django.utils.translation import gettext, ngettext

from . import access, meter, selectors, services

if TYPE_CHECKING:
    from lede.editorial.models import ArticlePage

ACCOUNT_MARKER = "<!--lede:account-nav-->"
METER_MARKER = "<!--lede:meter-->"
CHROME_KEY = "paywall:chrome-generation"
VARIANT_VERSION = "1"


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


def variant_cache_key(page: ArticlePage, request: HttpRequest, variant: str, level: str) -> str:
    raw = "|".join(
        [
            VARIANT_VERSION,
            str(page.pk),
            str(page.live_revision_id),
            page.updated_at.isoformat() if page.updated_at else "",
            level,
            str(page.metered),
            variant,
            request.get_host(),
            request.scheme or "http",
            str(chrome_generation()),
        ]
    )
    return "paywall:variant:" + hashlib.sha256(raw.encode()).hexdigest()


def split_body(page: ArticlePage) -> tuple[list[Any], list[Any]]:
    """The free part (everything up to and including the first paragraph) and
    the rest."""
    blocks = list(page.body)
    for i, block in enumerate(blocks):
        if block.block_type == "paragraph":
            return blocks[: i + 1], blocks[i + 1 :]
    return blocks[:1], blocks[1:]


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


def meter_line(decision: access.Access) -> str:
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
                2,
            )
        )
    return f'<p class="meter-line" role="status">{escape(text)}</p>'


def serve_article(page: ArticlePage, request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    reader = selectors.reader_for_request(request, now)
    article = article_access(page)
    month = access.month_key(now)
    anon_meter: meter.AnonymousMeter | None = None
    if reader.is_authenticated:
        used = (
            selectors.registered_meter_ids(request.user, month)
            if article.metered and not reader.is_staff
            else frozenset()
        )
    else:
        anon_meter = meter.read_anonymous(request, month) if article.metered else None
        used = frozenset(anon_meter.ids) if anon_meter else frozenset()
    state = access.MeterState(limit=selectors.meter_limit(reader.is_authenticated), used=used)
    decision = access.decide(reader, article, state, now)
    if decision.counts_against_meter:
        if reader.is_authenticated:
            services.meter_record_read(user=request.user, article_id=page.pk, month=month)
        elif anon_meter is not None:
            meter.count_anonymous(anon_meter, page.pk)
    variant = "full" if decision.allowed else "locked"

    if reader.is_staff or not getattr(settings, "LEDE_VARIANT_CACHE_ENABLED", True):
        html = render_variant(page, request, variant)  # staff: always fresh
    else:
        key = variant_cache_key(page, request, variant, article.level)
        html = cache.get(key)
        if html is None:
            html = render_variant(page, request, variant)
            cache.set(key, html, timeout=settings.LEDE_VARIANT_CACHE_SECONDS)

    account_nav = render_to_string("core/_account_nav.html", {"user": request.user}, request)
    if reader.is_staff:
        from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar

        account_nav += wagtailuserbar({"request": request, "page": page})
    html = html.replace(ACCOUNT_MARKER, account_nav, 1)
    html = html.replace(METER_MARKER, meter_line(decision), 1)
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
