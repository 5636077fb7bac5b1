"""The paywall's side of edge tokens (lede/core/caching/edge_tokens.py).

Two moments, both inside ``serving.respond`` so that both roads to an
article (Wagtail's and the fast path) behave alike:

1. **Issuing.** A signed-in reader's request reached the application (no
   token, or one that lapsed). After ``access.decide`` let them read the
   article in full without the meter, and when the page shows them as a kind
   of reader every such reader shares (``AccountState.variant`` in
   ``edge_tokens.KINDS``: no organisation name, no meter line), the response
   carries a token for this article, variant, kind and session
   (:func:`issue_cookie`). No decision, no token: a reader whose access ended
   gets none, and loses the edge when the last one lapses.
2. **Rendering the shared copy.** Varnish checked a reader's token and has no
   copy of the article's full variant for that kind: it asks a node, without
   the reader's cookies, passing the token and the session's digest
   (:func:`request_grant`). The node checks the token again and answers as
   it would for *a* reader of that kind: the decision runs on the reader the
   kind stands for (:func:`reader_for`), the header is rendered for the kind
   (:func:`state_for`), nothing of the requesting reader is read.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.encoding import escape_uri_path

from lede.core.caching import edge_tokens

from . import access, selectors

#: Request headers Varnish sends with the fetch of a shared copy (the VCL
#: drops any a client sent).
TOKEN_HEADER = "HTTP_X_LEDE_EDGE_TOKEN"  # noqa: S105 - a header name
SESSION_HEADER = "HTTP_X_LEDE_EDGE_SESSION"
#: Response header telling the edge the answer is the shared copy for a kind.
CACHE_HEADER = "X-Lede-Edge-Cache"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _article(request: HttpRequest) -> tuple[str, str]:
    """The article's host and path as a token names them (and the VCL, from
    the ``Host`` header Django's ``get_host`` reads too: no
    ``USE_X_FORWARDED_HOST``)."""
    held: tuple[str, str] | None = getattr(request, "_lede_edge_article", None)
    if held is None:  # asked twice on a signed-in reader's request: once is enough
        held = edge_tokens.edge_host(request.get_host()), escape_uri_path(request.path)
        request._lede_edge_article = held  # type: ignore[attr-defined]
    return held


def request_grant(request: HttpRequest) -> edge_tokens.Grant | None:
    """The grant of the token the edge passed along, if it is good."""
    token = request.META.get(TOKEN_HEADER)
    digest = request.META.get(SESSION_HEADER)
    if not token or not digest:
        return None
    secret = edge_tokens.key()
    if secret is None:
        return None
    host, path = _article(request)
    return edge_tokens.verify(
        str(token),
        secret=secret,
        now=int(time.time()),
        host=host,
        path=path,
        session_sha256=str(digest),
    )


def reader_for(grant: edge_tokens.Grant) -> access.Reader:
    """The reader a kind stands for, as the decision sees them: a subscriber
    holds a personal access to every section (the token was issued for this
    article after the real reader's decision); a registered reader, an
    account and nothing else."""
    if grant.kind == "subscriber":
        everything = access.Entitlement(kind=access.EntitlementKind.SUBSCRIPTION, starts_at=_EPOCH)
        return access.Reader(is_authenticated=True, entitlements=(everything,))
    return access.Reader(is_authenticated=True)


def state_for(grant: edge_tokens.Grant) -> selectors.AccountState:
    """What the header shows of every reader of the kind."""
    if grant.kind == "subscriber":
        return selectors.AccountState(signed_in=True, access=selectors.AccessKind.PERSONAL)
    return selectors.AccountState(signed_in=True)


def shares_edge_copy(decision: access.Access, article: access.ArticleAccess) -> bool:
    """A full page whose every part is the same for readers of one kind: let
    in without the meter (no meter line, nothing counted) to an article the
    anonymous copy does not already give."""
    return (
        decision.allowed
        and decision.remaining is None
        and not decision.counts_against_meter
        and decision.reason in (access.Reason.SUBSCRIBER, access.Reason.REGISTERED)
        and article.level is not access.Level.PUBLIC
    )


def lifetime_half() -> int:
    return edge_tokens.lifetime() // 2


def issue_cookie(
    request: HttpRequest,
    response: HttpResponse,
    *,
    state: selectors.AccountState,
) -> None:
    """Give the reader a token for this article (``respond`` calls this only
    for a signed-in reader whose decision ``shares_edge_copy``)."""
    kind = state.variant
    if kind not in edge_tokens.KINDS:
        return  # staff, a group licence's organisation: the application serves them
    secret = edge_tokens.key()
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if secret is None or not session_key:
        return
    host, path = _article(request)
    now = int(time.time())
    digest = edge_tokens.session_digest(session_key)
    held = request.COOKIES.get(edge_tokens.COOKIE)
    if held:
        grant = edge_tokens.verify(
            held, secret=secret, now=now, host=host, path=path, session_sha256=digest
        )
        if grant is not None and grant.kind == kind and grant.expires - now > lifetime_half():
            # The reader holds a good token for more than half its life (a
            # request sent straight to a node, or one Varnish passed for
            # another reason): signing and setting a cookie again on every
            # such request would cost more than the rest of the page.
            return
    token = edge_tokens.issue(
        secret=secret,
        now=now,
        variant=edge_tokens.FULL,
        kind=kind,
        host=host,
        path=path,
        session_sha256=digest,
    )
    response.set_cookie(
        edge_tokens.COOKIE,
        token,
        max_age=edge_tokens.lifetime(),
        path=path,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
