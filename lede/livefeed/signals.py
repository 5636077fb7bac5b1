"""The live feed's reactions to other parts of the site, connected in one place."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.db.models.signals import post_migrate
from wagtail.signals import page_published

from .models import LiveBlogPage
from .permissions import dispatch_permissions_grant
from .services import liveblog_notify


def on_migrated(sender: Any, **kwargs: Any) -> None:
    """After the live feed's migrations: the newsroom groups get their permissions."""
    # This receiver may run before django.contrib.auth's: make sure they exist.
    create_permissions(sender, verbosity=0, using=kwargs.get("using", "default"))
    dispatch_permissions_grant()


def on_live_blog_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Wagtail publishes pages (admin, scheduler, API) in its own transaction; this
    signal is the one place all of them pass, so the update is recorded here."""
    liveblog_notify(page=instance)


def connect() -> None:
    page_published.connect(
        on_live_blog_published, sender=LiveBlogPage, dispatch_uid="livefeed-live-blog"
    )
    post_migrate.connect(
        on_migrated, sender=apps.get_app_config("livefeed"), dispatch_uid="livefeed-perms"
    )
