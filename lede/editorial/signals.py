"""Editorial's reactions to page events. What the caches clear on the same
events is lede.core.caching.invalidation's (wired by lede.core.signals)."""

from __future__ import annotations

from typing import Any

from wagtail.models import Page
from wagtail.signals import page_published, post_page_move

from .models import ArticlePage
from .services import article_mark_published, articles_refresh_sections


def on_page_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Wagtail also sends page_published when a publish is only scheduled.
    if isinstance(instance, ArticlePage) and instance.live:
        article_mark_published(page=instance)


def on_page_moved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Articles under a moved section keep their section and top section."""
    # The instance may be a plain Page with its old path: read the new one.
    fresh = Page.objects.filter(pk=instance.pk).values_list("path", flat=True).first()
    if fresh:
        articles_refresh_sections(under_path=fresh)


def connect() -> None:
    page_published.connect(on_page_published, dispatch_uid="lede-editorial-published")
    post_page_move.connect(on_page_moved, dispatch_uid="lede-editorial-moved")
