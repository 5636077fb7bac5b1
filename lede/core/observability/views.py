"""``/metrics`` for Prometheus.

Closed unless configured: with neither ``METRICS_TOKEN`` nor
``METRICS_ALLOWED_NETWORKS`` the endpoint answers 404, as if it did not exist.
Each rule that is configured must pass (both, when both are set):

* ``METRICS_ALLOWED_NETWORKS`` (CIDR list): the client address as Django sees
  it (``REMOTE_ADDR``, i.e. the proxy when there is one; ``X-Forwarded-For``
  is never believed here) must be in one of them, else 403;
* ``METRICS_TOKEN``: ``Authorization: Bearer <token>``, compared in constant
  time, else 401 with ``WWW-Authenticate: Bearer``.

Never cached, by the browser or by Varnish.
"""

from __future__ import annotations

import hmac
import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client.exposition import choose_encoder

from lede.core import process_state

from .metrics import build_registry

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def parse_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"METRICS_ALLOWED_NETWORKS: {entry!r} is not a network (CIDR)."
            ) from exc
    return tuple(networks)


process_state.register("lede.core.observability.metrics_networks", parse_networks.cache_clear)


def client_in(networks: tuple[Network, ...], remote_addr: str) -> bool:
    try:
        address = ipaddress.ip_address(remote_addr.strip())
    except ValueError:
        return False  # a Unix socket, or nothing: not a known network
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def bearer_token(request: HttpRequest) -> str | None:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _refuse(status: int, message: str) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return response


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    expected = str(settings.METRICS_TOKEN or "")
    entries = tuple(settings.METRICS_ALLOWED_NETWORKS or ())
    if not expected and not entries:
        return _refuse(404, _("Page introuvable."))
    if entries and not client_in(parse_networks(entries), request.META.get("REMOTE_ADDR", "")):
        return _refuse(403, _("Accès refusé : cette adresse ne peut pas lire les métriques."))
    if expected:
        given = bearer_token(request)
        if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
            return _refuse(401, _("Jeton d’accès aux métriques absent ou invalide."))
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encoder(build_registry()), content_type=content_type)
