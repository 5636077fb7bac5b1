"""The paywall's reactions: the cached reader profiles and organisations the
article roads read, forgotten when what they were built from changes. What
page and settings changes clear is lede.core.caching.invalidation's."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import services
from .models import AccessGrant, Organisation, OrganisationSeat

User = get_user_model()


def on_organisation_changed(sender: Any, **kwargs: Any) -> None:
    services.organisations_changed()


def on_user_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    services.reader_changed(user_id=instance.pk)


def on_reader_rights_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.user_id is not None:
        services.reader_changed(user_id=instance.user_id)


def on_grant_sections_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, AccessGrant):
        services.reader_changed(user_id=instance.user_id)
    else:  # a section's grants changed from the other side
        services.readers_changed()


def on_user_permissions_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Staff status (admin access through a group) is part of the profile."""
    if isinstance(instance, User):
        services.reader_changed(user_id=instance.pk)
    else:
        services.readers_changed()


def on_group_permissions_changed(sender: Any, **kwargs: Any) -> None:
    services.readers_changed()


def connect() -> None:
    for signal in (post_save, post_delete):
        name = "saved" if signal is post_save else "deleted"
        signal.connect(
            on_organisation_changed, sender=Organisation, dispatch_uid=f"lede-paywall-org-{name}"
        )
        signal.connect(on_user_changed, sender=User, dispatch_uid=f"lede-paywall-user-{name}")
        for model in (AccessGrant, OrganisationSeat, EmailAddress):
            signal.connect(
                on_reader_rights_changed,
                sender=model,
                dispatch_uid=f"lede-paywall-rights-{model.__name__}-{name}",
            )
    m2m_changed.connect(
        on_organisation_changed,
        sender=Organisation.sections.through,
        dispatch_uid="lede-paywall-org-sections",
    )
    m2m_changed.connect(
        on_grant_sections_changed,
        sender=AccessGrant.sections.through,
        dispatch_uid="lede-paywall-grant-sections",
    )
    for through in (User.groups.through, User.user_permissions.through):
        m2m_changed.connect(
            on_user_permissions_changed,
            sender=through,
            dispatch_uid=f"lede-paywall-user-perms-{through.__name__}",
        )
    m2m_changed.connect(
        on_group_permissions_changed,
        sender=Group.permissions.through,
        dispatch_uid="lede-paywall-group-perms",
    )
