"""Buying a subscription (pending orders, refusals) and free trials."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from lede.subscriptions.models import Offer, Subscription
from lede.subscriptions.periods import add_months
from lede.subscriptions.services.checkout import subscription_checkout, trial_start
from lede.subscriptions.services.errors import SubscriptionError
from lede.subscriptions.services.renewals import (
    renewal_checkout,
)
from lede.subscriptions.testing import make_coupon, pay_order, subscribe
from lede.subscriptions.tests.services.helpers import grant_of


def test_checkout_is_idempotent_per_purchase(catalogue: dict[str, Any], reader: Any) -> None:
    first = subscription_checkout(user=reader, offer=catalogue["launch"])
    again = subscription_checkout(user=reader, offer=catalogue["launch"])
    assert first.pk == again.pk
    assert first.amount_minor == 6000 and first.currency == "MAD"
    assert Subscription.objects.filter(status="pending").count() == 1
    make_coupon("MOITIE", percent_off=50)
    other = subscription_checkout(
        user=reader, offer=catalogue["launch"], coupon_code="moitié".replace("é", "e")
    )
    assert other.pk != first.pk and other.amount_minor == 3000 and other.discount_minor == 3000


def test_checkout_refusals_are_french(catalogue: dict[str, Any], reader: Any) -> None:
    launch: Offer = catalogue["launch"]
    launch.ends_at = timezone.now() - timedelta(minutes=1)
    launch.save()
    with pytest.raises(SubscriptionError, match="plus disponible"):
        subscription_checkout(user=reader, offer=launch)
    subscribe(reader, catalogue["monthly_offer"])
    with pytest.raises(SubscriptionError, match="déjà abonné"):
        subscription_checkout(user=reader, offer=catalogue["yearly_offer"])


def test_trial(catalogue: dict[str, Any], reader: Any) -> None:
    offer = catalogue["monthly_offer"]
    offer.trial_days = 14
    offer.save()
    subscription = trial_start(user=reader, offer=offer)
    assert subscription.status == "trialing"
    assert grant_of(subscription).ends_at == subscription.trial_ends_at
    with pytest.raises(SubscriptionError):
        trial_start(user=reader, offer=offer)
    pay_order(renewal_checkout(subscription=subscription))
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert subscription.anchor == subscription.trial_ends_at  # no trial day lost
    assert subscription.trial_ends_at is not None
    assert grant_of(subscription).ends_at == add_months(subscription.trial_ends_at, 1)
