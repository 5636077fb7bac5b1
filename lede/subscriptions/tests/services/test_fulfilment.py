"""What a verified payment delivers."""

from __future__ import annotations

from typing import Any

from lede.payments import services as payments
from lede.subscriptions.models import Invoice, LedgerEntry, Subscription
from lede.subscriptions.periods import add_months
from lede.subscriptions.services.checkout import subscription_checkout
from lede.subscriptions.testing import pay_order, subscribe
from lede.subscriptions.tests.services.helpers import grant_of


def test_payment_activates_and_grants_the_paid_period(
    catalogue: dict[str, Any], reader: Any
) -> None:
    subscription = subscribe(reader, catalogue["launch"])
    assert subscription.status == "active"
    assert subscription.periods_paid == 1
    assert subscription.anchor is not None
    assert subscription.current_period_end == add_months(subscription.anchor, 1)
    grant = grant_of(subscription)
    assert grant.kind == "subscription"
    assert grant.starts_at == subscription.current_period_start
    assert grant.ends_at == subscription.current_period_end
    assert not grant.sections.exists()
    # The launch price was for the first month: the renewal costs the plan's price.
    assert subscription.renewal_amount_minor() == 7000
    entry = LedgerEntry.objects.get(kind="payment")
    assert entry.amount_minor == 6000 and entry.subscription_id == subscription.pk


def test_other_pending_purchases_are_void_once_one_is_paid(
    catalogue: dict[str, Any], reader: Any
) -> None:
    monthly = subscription_checkout(user=reader, offer=catalogue["monthly_offer"])
    yearly = subscription_checkout(user=reader, offer=catalogue["yearly_offer"])
    late_attempt = payments.attempt_start(order=yearly, provider="sandbox")
    pay_order(monthly)
    yearly.refresh_from_db()
    assert yearly.status == "canceled"
    outcome = payments.on_payment_approved(
        provider="sandbox", event_id="late", attempt=late_attempt, payload="{}"
    )
    assert outcome is payments.Outcome.REJECTED
    late_attempt.refresh_from_db()
    assert late_attempt.status == "duplicate"
    assert Subscription.objects.filter(user=reader, status="active").count() == 1
    assert Invoice.objects.count() == 1
