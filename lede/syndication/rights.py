"""Machine-readable rights from the publisher's settings: TDMRep (the well-known
file, the HTTP headers, the HTML meta), the AI crawlers of robots.txt and the
rights members of articles' JSON-LD.

The settings are read on every response (the headers), so they are kept in the
shared cache and, for ten seconds, in each process. Saving them goes through
``lede.core.caching``'s one entry point (``invalidate(SETTINGS_CHANGED)``,
signals.py): it forgets both copies (``forget`` is registered with
``on_settings_changed`` in apps.py) and bumps the chrome generation, so the
cached article variants and listings, which carry the TDM meta tag, are
rendered anew on their next request. Other processes see the change within
their local copy's ten seconds.
When the database cannot be read, the safe default applies: reserved.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import DatabaseError
from django.urls import reverse
from wagtail.models import Site

from lede.core import process_state
from lede.core.caching import keys as cache_keys
from lede.core.selectors import publication_settings
from lede.core.site import site_url

from .models import RightsSettings

CACHE_KEY = cache_keys.RIGHTS_KEY
CACHE_SECONDS = cache_keys.RIGHTS_SECONDS
LOCAL_SECONDS = cache_keys.RIGHTS_LOCAL_SECONDS


@dataclass(frozen=True, slots=True)
class Rights:
    reserved: bool
    policy_url: str
    allowed: tuple[str, ...]
    refused: tuple[str, ...]


def _saved_settings() -> RightsSettings:
    """The default site's saved settings, or the defaults. Reading never
    creates the row (Wagtail's ``for_site`` would, and its save would clear
    every cache on a reader's request); the admin's first save does."""
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    saved = RightsSettings.objects.filter(site=site).first() if site is not None else None
    return saved or RightsSettings()


def _load() -> Rights:
    chosen = _saved_settings()
    return Rights(
        reserved=chosen.tdm_reserved,
        policy_url=chosen.tdm_policy_url or site_url(reverse("licence_policy")),
        allowed=tuple(chosen.allowed()),
        refused=tuple(chosen.refused()),
    )


def _default() -> Rights:
    return Rights(
        reserved=True,
        policy_url=site_url(reverse("licence_policy")),
        allowed=(),
        refused=tuple(RightsSettings().refused()),
    )


_local: dict[str, tuple[float, Rights]] = {}


def current() -> Rights:
    held = _local.get(CACHE_KEY)
    if held is not None and held[0] > time.monotonic():
        return held[1]
    found = cache.get(CACHE_KEY)
    if isinstance(found, Rights):
        rights = found
    else:
        try:
            rights = _load()
        except DatabaseError:
            return _default()
        cache.set(CACHE_KEY, rights, timeout=CACHE_SECONDS)
    _local[CACHE_KEY] = (time.monotonic() + LOCAL_SECONDS, rights)
    return rights


def forget() -> None:
    _local.clear()
    cache.delete(CACHE_KEY)


process_state.register("lede.syndication.rights.local", _local.clear)


def tdm_headers(rights: Rights) -> dict[str, str]:
    if not rights.reserved:
        return {"tdm-reservation": "0"}
    return {"tdm-reservation": "1", "tdm-policy": rights.policy_url}


def tdmrep_document(rights: Rights) -> list[dict[str, Any]]:
    """``/.well-known/tdmrep.json`` (TDMRep, W3C community group final report)."""
    entry: dict[str, Any] = {"location": "/*", "tdm-reservation": 1 if rights.reserved else 0}
    if rights.reserved:
        entry["tdm-policy"] = rights.policy_url
    return [entry]


def robots_ai_lines(rights: Rights) -> list[str]:
    lines: list[str] = []
    for name in rights.refused:
        lines += [f"User-agent: {name}", "Disallow: /", ""]
    for name in rights.allowed:
        lines += [f"User-agent: {name}", "Allow: /", "Disallow: /admin/", ""]
    return lines


def article_rights_json_ld(data: dict[str, Any], article: Any, request: Any) -> dict[str, Any]:
    """The rights members of an article's schema.org JSON-LD (registered as an
    editorial JSON-LD hook in apps.py)."""
    pub = publication_settings(request)
    holder_name = article.agency_credit or pub.publisher or pub.name
    holder_type = "Organization" if article.agency_credit else "NewsMediaOrganization"
    data["copyrightHolder"] = {"@type": holder_type, "name": holder_name}
    data["copyrightNotice"] = article.copyright_line or pub.copyright_notice
    when = article.published_at or article.first_published_at
    if when is not None:
        data["copyrightYear"] = when.year
    data["license"] = current().policy_url
    return data


def licence_contact() -> str:
    return _saved_settings().licence_contact
