"""Writes of the paywall domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from .models import AccessGrant, MeterRead


def meter_record_read(*, user: Any, article_id: int, month: str) -> None:
    """Count one metered read; counting the same article twice is a no-op."""
    try:
        with transaction.atomic():
            MeterRead.objects.get_or_create(user=user, article_id=article_id, month=month)
    except IntegrityError:  # a concurrent request counted it first
        pass


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
