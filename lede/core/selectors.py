from __future__ import annotations

from django.http import HttpRequest
from wagtail.models import Site

from .models import PublicationSettings


def publication_settings(request: HttpRequest | None = None) -> PublicationSettings:
    """The publication settings for the request's site (cached per request by Wagtail)."""
    if request is not None:
        return PublicationSettings.for_request(request)
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        return PublicationSettings()
    return PublicationSettings.for_site(site)
