"""Where a reader's browser goes after a step of a purchase.

Shared by the payment pages and by the pages of the apps that sell (which
import payments, never the reverse): the ``next`` address a purchase returns
to is only ever a local path, or this host's.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(value: str | None, request: HttpRequest | None = None) -> str:
    """``value`` when it is a local path (or this host); else ``""``."""
    if not value or len(value) > 500:
        return ""
    hosts = {request.get_host()} if request is not None else set()
    ok = url_has_allowed_host_and_scheme(
        value, allowed_hosts=hosts, require_https=bool(request and request.is_secure())
    )
    return value if ok else ""


def see_other(url: str) -> HttpResponseRedirect:
    """A 303: after a POST, the browser GETs ``url``."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
