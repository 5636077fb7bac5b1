"""Receivers of the syndication app (connected by apps.py)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from wagtail.signals import page_published, page_unpublished

from lede.core.caching.invalidation import Event, invalidate
from lede.editorial.models import ArticlePage

from . import tasks, webhooks
from .models import RightsSettings


def on_rights_settings_saved(sender: Any, **kwargs: Any) -> None:
    # Even on creation: a row made with other values than the defaults must
    # reach the pages too (the caches hold the defaults until then).
    invalidate(Event.SETTINGS_CHANGED)


def on_page_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, ArticlePage) and instance.live:
        tasks.webhooks_send(webhooks.publish_event(instance), instance)


def on_page_unpublished(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, ArticlePage):
        tasks.webhooks_send(webhooks.KILLED, instance)


def connect() -> None:
    post_save.connect(
        on_rights_settings_saved,
        sender=RightsSettings,
        dispatch_uid="syndication.on_rights_settings_saved",
    )
    page_published.connect(on_page_published, dispatch_uid="syndication.on_page_published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="syndication.on_page_unpublished")
