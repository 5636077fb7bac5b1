"""The ledger and the reader's entitlement: every change of money or access
appends a :class:`LedgerEntry` (unique ``event_key``), and a subscription's
``AccessGrant`` covers exactly what has been paid."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lede.payments.models import Order
from lede.paywall.models import AccessGrant
from lede.paywall.services import reader_changed

from ..models import LedgerEntry, Subscription


def grant_sync(subscription: Subscription) -> AccessGrant | None:
    """Make the subscription's AccessGrant cover what has been paid."""
    start, end = subscription.current_period_start, subscription.current_period_end
    if start is None or end is None:
        return None
    grant = AccessGrant.objects.filter(source=subscription.grant_source).first()
    if grant is None:
        grant = AccessGrant.objects.create(
            user_id=subscription.user_id,
            kind=AccessGrant.Kind.SUBSCRIPTION,
            starts_at=start,
            ends_at=end,
            source=subscription.grant_source,
            note=subscription.plan.name[:255],
        )
    else:
        grant.starts_at = min(grant.starts_at, start)
        grant.ends_at = end
        grant.note = subscription.plan.name[:255]
        grant.save(update_fields=["starts_at", "ends_at", "note"])
    plan = subscription.plan
    if plan.unlocks_all:
        grant.sections.clear()
    else:
        grant.sections.set(plan.sections.all())
    return grant


def grant_end(subscription: Subscription, at: datetime) -> None:
    AccessGrant.objects.filter(source=subscription.grant_source, ends_at__gt=at).update(ends_at=at)
    AccessGrant.objects.filter(source=subscription.grant_source, ends_at__isnull=True).update(
        ends_at=at
    )
    # update() sends no signal: tell the paywall its cached profile is stale.
    if subscription.user_id is not None:
        reader_changed(user_id=subscription.user_id)


def ledger_append(
    *,
    kind: str,
    event_key: str,
    subscription: Subscription | None = None,
    order: Order | None = None,
    user: Any = None,
    amount_minor: int = 0,
    currency: str = "MAD",
    provider: str = "",
    period_start: datetime | None = None,
    period_end: datetime | None = None,
    note: str = "",
) -> LedgerEntry:
    if user is None:
        user = subscription.user if subscription is not None else None
    if user is None and order is not None:
        user = order.user
    return LedgerEntry.objects.create(
        kind=kind,
        event_key=event_key[:255],
        user=user,
        subscription=subscription,
        order=order,
        amount_minor=amount_minor,
        currency=currency,
        provider=provider,
        period_start=period_start,
        period_end=period_end,
        note=note[:255],
    )
