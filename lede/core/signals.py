"""lede.core's receivers: the footer's information links forget their cache;
a database restore (django-dbbackup) is checked against its metadata."""

from __future__ import annotations

from typing import Any

from dbbackup.signals import post_restore
from django.db import transaction
from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished, post_page_move

from .backups import on_database_restored
from .models import LegalPage
from .selectors import forget_legal_links


def legal_page_changed(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    """Published, unpublished, moved or deleted: the footer links change."""
    if isinstance(instance, LegalPage) or sender is LegalPage:
        forget_legal_links()
        transaction.on_commit(forget_legal_links)


def connect() -> None:
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(legal_page_changed, dispatch_uid=f"lede-legal-links-{id(signal)}")
    post_delete.connect(legal_page_changed, sender=LegalPage, dispatch_uid="lede-legal-delete")
    post_restore.connect(on_database_restored, dispatch_uid="lede-database-restored")
