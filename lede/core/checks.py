"""System checks of Lede's deployment settings (``manage.py check --deploy``)."""

from __future__ import annotations

import ipaddress
import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def trusted_proxies(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """LEDE_TRUSTED_PROXIES is the one proxy setting (lede/core/network.py):
    every entry must be a network, and allauth's own setting is not read."""
    messages: list[CheckMessage] = []
    for entry in settings.LEDE_TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(str(entry).strip(), strict=False)
        except ValueError:
            messages.append(
                Error(
                    f"LEDE_TRUSTED_PROXIES: {entry!r} is not an IP address or network.",
                    hint="A comma-separated list such as 10.0.0.10/32,127.0.0.1/32.",
                    id="lede.E021",
                )
            )
    if "ALLAUTH_TRUSTED_PROXY_COUNT" in os.environ or hasattr(
        settings, "ALLAUTH_TRUSTED_PROXY_COUNT"
    ):
        messages.append(
            Warning(
                "ALLAUTH_TRUSTED_PROXY_COUNT is not used: the log-in rate limits take the "
                "client address from LEDE_TRUSTED_PROXIES, like the group licences.",
                hint="Remove ALLAUTH_TRUSTED_PROXY_COUNT; list nginx's and Varnish's "
                "addresses in LEDE_TRUSTED_PROXIES.",
                id="lede.W021",
            )
        )
    return messages
