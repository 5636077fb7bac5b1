from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from wagtail.signals import page_published

from .models import ArticlePage
from .services import article_mark_published


@receiver(page_published)
def on_page_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Wagtail also sends page_published when a publish is only scheduled.
    if isinstance(instance, ArticlePage) and instance.live:
        article_mark_published(page=instance)
