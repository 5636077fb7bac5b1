"""The reader's IP address, believing X-Forwarded-For only from trusted proxies.

The one rule for the client address in Lede: group licences by IP (the
paywall) and allauth's rate limits (``lede.accounts.adapter``) both ask
:func:`client_ip`. The web servers never rewrite the peer address
themselves (``config/serve.py``): ``LEDE_TRUSTED_PROXIES`` is read here only.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

from lede.core import process_state

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _trusted(raw: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    nets = []
    for item in raw:
        try:
            nets.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            continue
    return tuple(nets)


process_state.register("lede.core.network.trusted_proxies", _trusted.cache_clear)


def _parse(value: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> IPAddress | None:
    """REMOTE_ADDR, or — when the direct peer is a trusted proxy — the rightmost
    X-Forwarded-For address that is not itself a trusted proxy."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    trusted = _trusted(tuple(settings.LEDE_TRUSTED_PROXIES))
    if remote is None or not trusted or not any(remote in net for net in trusted):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for part in reversed([p for p in forwarded.split(",") if p.strip()]):
        address = _parse(part)
        if address is None:
            return remote
        if not any(address in net for net in trusted):
            return address
    return remote
