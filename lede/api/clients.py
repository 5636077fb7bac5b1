"""Who is calling: no key (public content and abstracts), or a key and its licence.

A key comes in ``Authorization: Bearer <key>`` or ``X-Api-Key: <key>``. A
presented key that is malformed, unknown, revoked or expired is refused (401),
never silently treated as anonymous. Every caller is held to a per-minute rate
(the key's, or ``LEDE_API_ANONYMOUS_RATE_LIMIT`` per address without one).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lede.core.network import client_ip
from lede.syndication import selectors as syndication
from lede.syndication.selectors import ANONYMOUS, Client, KeyError_, KeyProblem

from .errors import ApiError

_KEY_MESSAGES = {
    KeyProblem.MALFORMED: gettext_lazy("Clé d’API mal formée."),
    KeyProblem.UNKNOWN: gettext_lazy("Clé d’API inconnue."),
    KeyProblem.REVOKED: gettext_lazy("Cette clé d’API a été révoquée."),
    KeyProblem.EXPIRED: gettext_lazy("Cette clé d’API a expiré."),
}


def presented_key(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(
                401, KeyProblem.MALFORMED.value, _("En-tête Authorization attendu : Bearer <clé>.")
            )
        return value.strip()
    value = request.headers.get("X-Api-Key", "")
    return value.strip() if value else None


def client_for(request: HttpRequest, now: datetime, *, scope: str) -> Client:
    """The caller, rate-limited and checked for ``scope``; kept on the request
    for the call log."""
    presented = presented_key(request)
    if presented is None:
        client = ANONYMOUS
        identity = f"ip:{client_ip(request) or 'unknown'}"
        limit = settings.LEDE_API_ANONYMOUS_RATE_LIMIT
    else:
        try:
            key = syndication.key_for(presented, now)
        except KeyError_ as exc:
            raise ApiError(401, exc.problem.value, str(_KEY_MESSAGES[exc.problem])) from exc
        if not syndication.key_has_seat(key, now):
            licence_name = key.licence.name if key.licence else ""
            raise ApiError(
                403,
                "licence_users_exceeded",
                _(
                    "La licence « %(name)s » compte plus d’utilisateurs que son "
                    "contrat n’en prévoit : cette clé n’est pas acceptée. Révoquez une autre "
                    "clé ou demandez au journal d’augmenter le nombre d’utilisateurs."
                )
                % {"name": licence_name},
            )
        client = syndication.client_for_key(key, now)
        identity = f"key:{key.pk}"
        limit = key.rate_limit
    request.api_client = client  # type: ignore[attr-defined]
    wait = syndication.rate_limited(identity, limit, now)
    if wait:
        raise ApiError(
            429,
            "rate_limited",
            _("Trop d’appels : réessayez dans %(n)d secondes.") % {"n": wait},
            headers={"Retry-After": str(wait)},
        )
    if scope not in client.scopes and client.key is None:
        raise ApiError(401, "key_required", _("Une clé d’API est nécessaire."))
    if scope not in client.scopes:
        raise ApiError(403, "scope_missing", _("Cette clé ne donne pas accès à cette ressource."))
    return client


def request_client(request: HttpRequest) -> Client | None:
    return getattr(request, "api_client", None)
