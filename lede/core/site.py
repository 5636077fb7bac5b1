"""The site's one public address.

Every absolute URL a reader or a machine receives — canonical links,
``og:url``/``og:image``, JSON-LD, sitemaps, feeds, robots.txt, e-mail links,
payment return addresses, the content API — is built here from the
``LEDE_BASE_URL`` setting (scheme, host and port, no trailing slash).

Why a setting rather than the Wagtail Site's ``root_url``: it is known without
a database query or a request (e-mails sent by the worker, the cached article
fast path, the API), it is configured where the rest of a deployment is (the
environment, next to ``ALLOWED_HOSTS``), and a request's own ``Host`` header —
``localhost``, an internal name behind a proxy — never leaks into a page that
is cached and shown to everyone. ``make demo`` sets it from ``PORT``; the demo
loader keeps the Wagtail Site's hostname and port in line with it so that the
admin's own links agree (:func:`site_host_port`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def base_url() -> str:
    """``LEDE_BASE_URL`` without its trailing slash."""
    return str(settings.LEDE_BASE_URL or DEFAULT_BASE_URL).rstrip("/")


def site_url(path: str = "/") -> str:
    """The absolute URL of ``path`` on the site.

    ``path`` is a site path ("/politique/…") or already absolute (media on
    object storage, for instance), which is returned as it is.
    """
    if not path:
        path = "/"
    parts = urlsplit(path)
    if parts.scheme and parts.netloc:
        return path
    if not path.startswith("/"):
        path = "/" + path
    return base_url() + path


def rebase(url: str) -> str:
    """``url`` (absolute, built from some request's host) moved onto the site's
    address: same path, query and fragment."""
    parts = urlsplit(url)
    if not (parts.scheme and parts.netloc):
        return site_url(url)
    tail = parts.path or "/"
    if parts.query:
        tail += "?" + parts.query
    if parts.fragment:
        tail += "#" + parts.fragment
    return site_url(tail)


def page_url(page: Any, request: Any = None) -> str:
    """The absolute URL of a Wagtail page on the site ("" when it is not
    routable)."""
    url_parts = page.get_url_parts(request=request)
    if url_parts is None:
        return ""
    _site_id, _root_url, page_path = url_parts
    return site_url(page_path)


def site_host_port() -> tuple[str, int]:
    """Hostname and port of the site's address (for the Wagtail Site)."""
    parts = urlsplit(base_url())
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.hostname or "localhost", port


class SiteAddressPageMixin:
    """Page mixin: Wagtail's ``full_url``/``get_full_url`` (used by sitemaps,
    feeds and templates) on the site's one address."""

    def get_full_url(self, request: Any = None) -> str:
        return page_url(self, request)

    @property
    def full_url(self) -> str:
        return page_url(self)
