"""Wiring kept out of the models: newsroom permissions, live blog notifications."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

#: Newsroom groups (created by lede.editorial.setup) and what they may do with dispatches.
DISPATCH_PERMS = {
    "Éditeur": ["add_dispatch", "change_dispatch", "view_dispatch"],
    "Administrateur": ["add_dispatch", "change_dispatch", "delete_dispatch", "view_dispatch"],
}


def ensure_dispatch_permissions() -> None:
    for name, codenames in DISPATCH_PERMS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        perms = Permission.objects.filter(
            content_type__app_label="livefeed", codename__in=codenames
        )
        group.permissions.add(*perms)


def on_post_migrate(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "label", "") != "livefeed":
        return
    from django.contrib.auth.management import create_permissions

    # This receiver may run before django.contrib.auth's: make sure they exist.
    create_permissions(sender, verbosity=0, using=kwargs.get("using", "default"))
    ensure_dispatch_permissions()


def on_live_blog_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Wagtail publishes pages (admin, scheduler, API) in its own transaction; this
    signal is the one place all of them pass, so the update is recorded here."""
    from .services import liveblog_notify

    liveblog_notify(page=instance)
