"""Writes of the paywall domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction

from lede.core.caching import keys
from lede.core.caching.invalidation import Event, invalidate

from .models import AccessGrant, MeterRead


def meter_record_read(*, user_id: int, article_id: int, month: str) -> None:
    """Count one metered read; counting the same article twice is a no-op."""
    try:
        with transaction.atomic():
            MeterRead.objects.get_or_create(user_id=user_id, article_id=article_id, month=month)
    except IntegrityError:  # a concurrent request counted it first
        pass
    key = keys.meter_reads_key(user_id, month)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def reader_changed(*, user_id: int) -> None:
    """Forget the cached paywall profile of one reader (grants, seats, staff
    status or addresses changed); again after commit so a request running
    meanwhile cannot put the old profile back for long."""
    key = keys.reader_profile_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def readers_changed() -> None:
    """Every reader's profile is stale (a group's permissions changed)."""
    keys.READER.bump()
    transaction.on_commit(keys.READER.bump)


def organisations_changed() -> None:
    """An organisation or its sections changed: the cached list and every
    reader's profile are stale."""
    invalidate(Event.ORGANISATIONS_CHANGED)


@transaction.atomic
def access_grant_complimentary(
    *, user: Any, starts_at: datetime, ends_at: datetime | None, note: str = ""
) -> AccessGrant:
    return AccessGrant.objects.create(
        user=user,
        kind=AccessGrant.Kind.COMPLIMENTARY,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note,
        source="staff",
    )
