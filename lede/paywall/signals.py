from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from lede.core.models import PublicationSettings

from .models import Organisation
from .selectors import ORG_CACHE_KEY
from .serving import bump_chrome_generation


@receiver(post_save, sender=Organisation)
@receiver(post_delete, sender=Organisation)
def _organisations_changed(sender: Any, **kwargs: Any) -> None:
    cache.delete(ORG_CACHE_KEY)


@receiver(m2m_changed, sender=Organisation.sections.through)
def _organisation_sections_changed(sender: Any, **kwargs: Any) -> None:
    cache.delete(ORG_CACHE_KEY)


@receiver(page_published)
@receiver(page_unpublished)
def _chrome_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A section or the home page changed: every cached article variant shows
    the sections menu, so start a new generation."""
    from lede.editorial.models import HomePage, SectionPage

    if isinstance(instance, SectionPage | HomePage):
        bump_chrome_generation()


@receiver(post_save, sender=PublicationSettings)
def _settings_changed(sender: Any, created: bool = False, **kwargs: Any) -> None:
    # Settings are created with their defaults on first use: nothing changes then.
    if not created:
        bump_chrome_generation()
