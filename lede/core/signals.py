"""lede.core's reactions: the footer's information links forgotten when a legal
page changes, the connection pool's check installed on PostgreSQL, and a
database restore (django-dbbackup) checked against its metadata."""

from __future__ import annotations

from typing import Any

from dbbackup.signals import post_restore
from django.db import transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import db_pool
from .backups import on_database_restored
from .models import LegalPage
from .selectors import forget_legal_links


def on_legal_page_changed(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    """Published, unpublished, moved or deleted: the footer links change."""
    if isinstance(instance, LegalPage) or sender is LegalPage:
        forget_legal_links()
        transaction.on_commit(forget_legal_links)


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    """The web nodes' pool checks every idle connection when one is broken
    (lede/core/db_pool.py)."""
    if connection.vendor == "postgresql":
        db_pool.install(connection)


def connect() -> None:
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(on_legal_page_changed, dispatch_uid=f"lede-legal-links-{id(signal)}")
    post_delete.connect(on_legal_page_changed, sender=LegalPage, dispatch_uid="lede-legal-delete")
    connection_created.connect(on_connection_created, dispatch_uid="lede-pool-check")
    post_restore.connect(on_database_restored, dispatch_uid="lede-database-restored")
