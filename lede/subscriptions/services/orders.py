"""Pending orders: one per purchase and reader, found again by a double
click or a second tab instead of being created twice."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import IntegrityError, transaction

from lede.payments.models import Order


def purpose_key(*parts: object) -> str:
    """What a purchase is, as the key of its pending order."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:40]


def order_get_or_create(*, user: Any, purpose_key: str, **fields: Any) -> tuple[Order, bool]:
    existing = Order.objects.filter(
        user=user, purpose_key=purpose_key, status=Order.Status.PENDING
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Order.objects.create(user=user, purpose_key=purpose_key, **fields), True
    except IntegrityError:
        # A double click raced us to it: the other request's order wins.
        return (
            Order.objects.get(user=user, purpose_key=purpose_key, status=Order.Status.PENDING),
            False,
        )
