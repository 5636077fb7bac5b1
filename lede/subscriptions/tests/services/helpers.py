"""Shared by the services tests."""

from __future__ import annotations

from typing import Any

from lede.paywall.models import AccessGrant
from lede.subscriptions.models import Subscription


def grant_of(subscription: Subscription) -> AccessGrant:
    return AccessGrant.objects.get(source=f"subscription:{subscription.pk}")


def due(subscription: Subscription, **fields: Any) -> None:
    """Move a subscription (and its grant, as the services keep them) in time."""
    Subscription.objects.filter(pk=subscription.pk).update(**fields)
    subscription.refresh_from_db()
    AccessGrant.objects.filter(source=subscription.grant_source).update(
        ends_at=subscription.current_period_end
    )
