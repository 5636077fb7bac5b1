"""Serving an article: decide access on the server, then send the right variant.

Each article has two renderings, ``full`` and ``locked``. Both are rendered
once per published revision (for an anonymous request, without any personal
data) and kept in the cache; per request we only identify the reader, run the
pure decision, fetch the variant and substitute the personal bits (account
links, meter line) into markers. The locked variant is rendered from a body
that no longer holds the locked part, so it cannot leak it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.translation import get_language, gettext, ngettext

from lede.core import process_state
from lede.core.caching import edge_tokens, keys, markers, variants
from lede.core.caching.anonymous import anonymous_copy
from lede.editorial import editions

from . import access, edgeaccess, meter, selectors, services

if TYPE_CHECKING:
    from lede.editorial.models import ArticlePage


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What serving an article needs to know about it, as plain cacheable data."""

    article: access.ArticleAccess
    revision: str
    generation: int
    #: The article's edition: the fast path renders the per-request bits in it.
    language: str = settings.LANGUAGE_CODE


def page_snapshot(page: ArticlePage, generation: int) -> Snapshot:
    # The revision id alone could come back after a restore or, in SQLite, a
    # deletion; with the publish instant (microseconds) it names one render.
    revision = "|".join(
        [
            str(page.live_revision_id),
            page.last_published_at.isoformat() if page.last_published_at else "",
            page.updated_at.isoformat() if page.updated_at else "",
            # The counterpart's state: its link and hreflang are in the
            # variants (published, corrected or unpublished: a new render).
            editions.pair_signature(page),
        ]
    )
    return Snapshot(
        article=article_access(page),
        revision=revision,
        generation=generation,
        language=page.locale.language_code,
    )


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
        meter_id=editions.meter_unit(page) if page.metered else 0,
    )


def variant_cache_key(snap: Snapshot, host: str, scheme: str, variant: str, chrome: int) -> str:
    article = snap.article
    return keys.variant_key(
        article_id=article.article_id,
        revision=snap.revision,
        level=article.level.value,
        metered=article.metered,
        variant=variant,
        host=host,
        scheme=scheme,
        chrome=chrome,
        language=snap.language,
    )


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
    """Render a variant as an anonymous reader would get it, with markers
    (the one anonymous copy of the request: lede.core.caching.anonymous)."""
    anonymous = anonymous_copy(request)
    context = page.get_context(anonymous)
    free, rest = split_body(page)
    context.update(
        {
            "variant": variant,
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


_offer_source: Callable[[], dict[str, str]] | None = None


def register_offer_source(source: Callable[[], dict[str, str]]) -> None:
    """The subscriptions app tells the paywall box its offer (its
    AppConfig.ready(): the paywall sits below subscriptions and does not
    import it)."""
    global _offer_source
    _offer_source = source


def launch_offer() -> dict[str, str]:
    """The offer the paywall box shows: the featured offer from the
    subscriptions app, or the configured fallback."""
    offer = _offer_source() if _offer_source is not None else None
    if offer:
        return dict(offer)
    return {
        "price": settings.LEDE_LAUNCH_OFFER_PRICE,
        "period": settings.LEDE_LAUNCH_OFFER_PERIOD,
    }


def meter_line(decision: access.Access, *, limit: int) -> str:
    """The meter's line under the article; ``limit`` is the month's number of
    free articles (the plural of the "used them all" line follows it)."""
    if decision.remaining is None:
        return ""
    if decision.allowed and decision.remaining == 0:
        text = gettext("C’était votre dernier article gratuit ce mois-ci.")
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


@lru_cache(maxsize=256)
def _account_nav(language: str, state: selectors.AccountState) -> str:
    return render_to_string("core/_account_nav.html", {"account": state})


process_state.register("lede.paywall.serving.account_nav", _account_nav.cache_clear)


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
    return markers.keep_or_cut(
        html, markers.PAYWALL_LOGIN_START, markers.PAYWALL_LOGIN_END, keep=not signed_in
    )


@dataclass(frozen=True, slots=True)
class Reading:
    """What ``decide`` found for one request: the decision, the variant it
    gives, the meter it was made with (and the anonymous meter to count in
    and write back, for an anonymous reader of a metered article)."""

    decision: access.Access
    variant: str
    state: access.MeterState
    month: str
    anon_meter: meter.AnonymousMeter | None


def decide(
    request: HttpRequest,
    *,
    snap: Snapshot,
    reader: access.Reader,
    user_id: int | None,
    now: datetime,
) -> Reading:
    """Read the meter and run the pure decision for this reader."""
    article = snap.article
    # The meter's month only for a metered article (the others never count).
    month = access.month_key(now) if article.metered else ""
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
    return Reading(decision, variant, state, month, anon_meter)


def finish(
    request: HttpRequest,
    reading: Reading,
    *,
    snap: Snapshot,
    reader: access.Reader,
    user_id: int | None,
    html_for: Callable[[str], str | None],
    account_nav: Callable[[], str],
) -> HttpResponse | None:
    """The page ``reading`` gives this reader, without the edge token
    (``give_edge_token``): fetch the variant, count the read, fill in the
    header and the meter line, set the caching headers. ``None`` when
    ``html_for`` has no variant (nothing was counted)."""
    article = snap.article
    decision, variant, anon_meter = reading.decision, reading.variant, reading.anon_meter
    html = html_for(variant)
    if html is None:
        return None
    if decision.counts_against_meter:
        if reader.is_authenticated and user_id is not None:
            services.meter_record_read(
                user_id=user_id, article_id=article.meter_unit, month=reading.month
            )
        elif anon_meter is not None:
            meter.count_anonymous(anon_meter, article.meter_unit)

    html = markers.fill(html, markers.ACCOUNT_MARKER, account_nav())
    html = markers.fill(html, markers.METER_MARKER, meter_line(decision, limit=reading.state.limit))
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


def give_edge_token(
    request: HttpRequest,
    response: HttpResponse,
    reading: Reading,
    *,
    article: access.ArticleAccess,
    reader: access.Reader,
    account_state: Callable[[], selectors.AccountState] | None,
) -> None:
    """A signed-in reader whose full page is the same as every reader of
    their kind's (``account_state`` tells the kind) gets a token for this
    article (edgeaccess.py)."""
    if (
        reader.is_authenticated
        and not reader.is_staff
        and account_state is not None
        and edgeaccess.shares_edge_copy(reading.decision, article)
    ):
        edgeaccess.issue_cookie(request, response, state=account_state())


def respond(
    request: HttpRequest,
    *,
    snap: Snapshot,
    reader: access.Reader,
    user_id: int | None,
    now: datetime,
    html_for: Callable[[str], str | None],
    account_nav: Callable[[], str],
    account_state: Callable[[], selectors.AccountState] | None = None,
) -> HttpResponse | None:
    """The per-request work shared by both roads to an article (Wagtail's
    routing in serve_article, and the fast path in fastpath.py): read the
    meter, decide, fetch the variant, count, fill in the personal bits, set
    the caching headers. ``None`` when ``html_for`` has no variant (the fast
    path then gives way to the normal road, and nothing was counted).

    Edge tokens (edgeaccess.py): a request the edge sent for its shared copy
    for a kind of reader is answered as for that kind; a signed-in reader
    whose full page is the same as every reader of their kind's
    (``account_state`` tells the kind) gets a token for this article."""
    if not reader.is_authenticated:
        grant = edgeaccess.request_grant(request)
        if grant is not None:
            shared = respond_for_grant(request, snap, grant, now, html_for)
            if shared is not None:
                return shared
    reading = decide(request, snap=snap, reader=reader, user_id=user_id, now=now)
    response = finish(
        request,
        reading,
        snap=snap,
        reader=reader,
        user_id=user_id,
        html_for=html_for,
        account_nav=account_nav,
    )
    if response is not None:
        give_edge_token(
            request,
            response,
            reading,
            article=snap.article,
            reader=reader,
            account_state=account_state,
        )
    return response


def respond_for_grant(
    request: HttpRequest,
    snap: Snapshot,
    grant: edge_tokens.Grant,
    now: datetime,
    html_for: Callable[[str], str | None],
) -> HttpResponse | None:
    """The edge's shared copy of the article for the kind of reader a good
    token names: the decision for the reader the kind stands for, the header
    for the kind, no meter; ``None`` (the request is then answered as the
    anonymous request it is) when that decision does not give the same full
    page to every reader of the kind (the article's access changed since the
    token was issued) or the variant is missing."""
    reader = edgeaccess.reader_for(grant)
    state = access.MeterState(limit=selectors.meter_limit(True))
    decision = access.decide(reader, snap.article, state, now)
    if not edgeaccess.shares_edge_copy(decision, snap.article):
        return None
    html = html_for("full")
    if html is None:
        return None
    html = markers.fill(html, markers.ACCOUNT_MARKER, account_nav_html(edgeaccess.state_for(grant)))
    html = markers.fill(html, markers.METER_MARKER, "")
    response = HttpResponse(html)
    response["X-Lede-Variant"] = "full"
    response["X-Lede-Access"] = decision.reason.value
    # Private to every cache but the edge that asked (which keys the copy on
    # the kind: keys.edge_variant_scope); the edge hands it on as it is.
    response["Cache-Control"] = "private, no-store"
    response[edgeaccess.CACHE_HEADER] = keys.edge_variant_scope("full", grant.kind)
    patch_vary_headers(response, ["Cookie"])
    return response


def serve_article(page: ArticlePage, request: HttpRequest) -> HttpResponse:
    """The road through Wagtail's routing (and the only one for staff)."""
    now = timezone.now()
    reader, orgs = selectors.reader_and_organisations(request, now)
    snap = page_snapshot(page, keys.SNAPSHOT.current())
    use_cache = variants.enabled() and not reader.is_staff
    host, scheme = request.get_host(), request.scheme or "http"
    if use_cache and not request.META.get("QUERY_STRING"):
        # Teach the fast path this URL (see fastpath.py).
        cache.set(keys.snapshot_key(host, request.path_info), snap, timeout=keys.SNAPSHOT_SECONDS)

    def html_for(variant: str) -> str:
        if not use_cache:
            return render_variant(page, request, variant)  # staff: always fresh
        key = variant_cache_key(snap, host, scheme, variant, keys.CHROME.current())
        html = variants.get(key)
        if html is None:
            html = render_variant(page, request, variant)
            variants.put(key, html)
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
        account_state=lambda: selectors.account_state(reader, orgs, now),
    )
    assert response is not None  # html_for always renders on this road
    return response


def listing_own_page(request: HttpRequest) -> bool:
    """A signed-in reader who gets a listing of their own: whoever may reach
    the admin gets Wagtail's user bar (the cached profile knows: is_staff,
    superuser or admin access)."""
    return selectors.reader_for_request(request, timezone.now()).is_staff


def listing_account_nav(request: HttpRequest) -> str:
    """The header's account links on a shared listing, for this reader."""
    return account_nav_html(selectors.account_state_for_request(request, timezone.now()))
