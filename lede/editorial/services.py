"""Writes of the editorial domain."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .models import ArticlePage


@transaction.atomic
def article_mark_published(*, page: ArticlePage, now: datetime | None = None) -> ArticlePage:
    """Stamp the first publication time and, when the editor ticked
    "mise à jour importante", the update time. A plain republish (typo fix)
    changes neither date."""
    now = now or timezone.now()
    changes: dict[str, object] = {}
    if page.published_at is None:
        changes["published_at"] = page.first_published_at or now
    elif page.significant_update:
        changes["updated_at"] = now
    if page.significant_update:
        changes["significant_update"] = False
    if changes:
        # A queryset update: no new revision, no second page_published signal.
        ArticlePage.objects.filter(pk=page.pk).update(**changes)
        for key, value in changes.items():
            setattr(page, key, value)
    return page
