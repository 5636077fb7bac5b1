from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from lede.core.models import LegalPage, PublicationSettings

from . import services
from .models import AccessGrant, Organisation, OrganisationSeat
from .selectors import ORG_CACHE_KEY
from .serving import bump_chrome_generation, bump_snapshot_generation

User = get_user_model()


@receiver(post_save, sender=Organisation)
@receiver(post_delete, sender=Organisation)
def _organisations_changed(sender: Any, **kwargs: Any) -> None:
    cache.delete(ORG_CACHE_KEY)
    services.readers_changed()


@receiver(m2m_changed, sender=Organisation.sections.through)
def _organisation_sections_changed(sender: Any, **kwargs: Any) -> None:
    cache.delete(ORG_CACHE_KEY)
    services.readers_changed()


# --- The cached reader profiles the article fast path reads -----------------


@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
def _user_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    services.reader_changed(user_id=instance.pk)


@receiver(post_save, sender=AccessGrant)
@receiver(post_delete, sender=AccessGrant)
@receiver(post_save, sender=OrganisationSeat)
@receiver(post_delete, sender=OrganisationSeat)
@receiver(post_save, sender=EmailAddress)
@receiver(post_delete, sender=EmailAddress)
def _reader_rights_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.user_id is not None:
        services.reader_changed(user_id=instance.user_id)


@receiver(m2m_changed, sender=AccessGrant.sections.through)
def _grant_sections_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, AccessGrant):
        services.reader_changed(user_id=instance.user_id)
    else:  # a section's grants changed from the other side
        services.readers_changed()


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def _user_permissions_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Staff status (admin access through a group) is part of the profile."""
    if isinstance(instance, User):
        services.reader_changed(user_id=instance.pk)
    else:
        services.readers_changed()


@receiver(m2m_changed, sender=Group.permissions.through)
def _group_permissions_changed(sender: Any, **kwargs: Any) -> None:
    services.readers_changed()


# --- Article snapshots (URL → article and its access settings) ---------------


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def _pages_changed(sender: Any, **kwargs: Any) -> None:
    bump_snapshot_generation()


@receiver(post_delete)
def _page_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Page):
        bump_snapshot_generation()


@receiver(page_published)
@receiver(page_unpublished)
def _chrome_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A section, the home page or a footer information page changed: every
    cached article variant shows the sections menu and the footer links, so
    start a new generation."""
    from lede.editorial.models import ArticlePage, HomePage, SectionPage

    if isinstance(instance, SectionPage | HomePage | LegalPage):
        bump_chrome_generation()
    elif isinstance(instance, ArticlePage) and kwargs.get("signal") is page_unpublished:
        # Article variants carry "À lire aussi" links baked in: an article
        # that goes offline must not stay linked from the others. Publishing
        # a new article does not bump: older variants pick it up when their
        # cache entry expires (LEDE_VARIANT_CACHE_SECONDS) or they change.
        bump_chrome_generation()


@receiver(post_save, sender=PublicationSettings)
def _settings_changed(sender: Any, created: bool = False, **kwargs: Any) -> None:
    # Settings are created with their defaults on first use: nothing changes then.
    if not created:
        bump_chrome_generation()
