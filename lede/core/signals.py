"""lede.core's reactions: the caches' one invalidation entry point wired to
the page and settings signals (lede.core.caching.invalidation), the
connection pool's check installed on PostgreSQL, and a database restore
(django-dbbackup) checked against its metadata."""

from __future__ import annotations

from typing import Any

from dbbackup.signals import post_restore
from django.db.backends.signals import connection_created

from . import db_pool
from .backups import on_database_restored
from .caching import invalidation


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    """The web nodes' pool checks every idle connection when one is broken
    (lede/core/db_pool.py)."""
    if connection.vendor == "postgresql":
        db_pool.install(connection)


def connect() -> None:
    invalidation.connect()
    connection_created.connect(on_connection_created, dispatch_uid="lede-pool-check")
    post_restore.connect(on_database_restored, dispatch_uid="lede-database-restored")
