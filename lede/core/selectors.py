from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import get_language
from wagtail.models import Site

from .caching import keys
from .models import LegalPage, PublicationSettings


def publication_settings(request: HttpRequest | None = None) -> PublicationSettings:
    """The publication settings for the request's site (cached per request by Wagtail)."""
    if request is not None:
        return PublicationSettings.for_request(request)
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        return PublicationSettings()
    return PublicationSettings.for_site(site)


@dataclass(frozen=True)
class LegalLink:
    """A footer link to one of the site's information pages."""

    title: str
    url: str
    kind: str


#: The footer's information links, cached (every page shows them); dropped
#: when such a page is published, unpublished, moved or deleted
#: (lede.core.caching.invalidation).
LEGAL_LINKS_KEY = keys.LEGAL_LINKS_KEY


def legal_links() -> list[LegalLink]:
    """The live information pages shown in the footer, in the page tree's
    order (one query on a cache miss)."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    key = keys.legal_links_key(language)
    cached = cache.get(key)
    if cached is not None:
        return [LegalLink(*item) for item in cached]
    pages = (
        LegalPage.objects.live()
        .filter(in_footer=True, locale__language_code=language)
        .order_by("path")
        .only("title", "url_path", "kind", "path", "depth")
    )
    links = []
    for page in pages:
        url = page.get_url()
        if url:
            links.append(LegalLink(title=page.title, url=url, kind=page.kind))
    cache.set(key, [(link.title, link.url, link.kind) for link in links], timeout=None)
    return links
