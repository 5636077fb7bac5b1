"""Renewals: plan changes, token renewals and the scheduler's task."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from lede.subscriptions.models import Invoice
from lede.subscriptions.periods import add_months
from lede.subscriptions.services.renewals import (
    renewal_checkout,
    subscription_change_plan,
    subscriptions_process_due,
)
from lede.subscriptions.testing import pay_order, subscribe
from lede.subscriptions.tests.services.helpers import due, grant_of


def test_plan_change_takes_effect_at_renewal(catalogue: dict[str, Any], reader: Any) -> None:
    subscription = subscribe(reader, catalogue["launch"])
    end = subscription.current_period_end
    subscription_change_plan(subscription=subscription, plan=catalogue["yearly"])
    subscription.refresh_from_db()
    assert subscription.plan == catalogue["monthly"]
    assert subscription.renewal_amount_minor() == 60000
    order = renewal_checkout(subscription=subscription)
    assert renewal_checkout(subscription=subscription).pk == order.pk
    pay_order(order)
    subscription.refresh_from_db()
    assert subscription.plan == catalogue["yearly"] and subscription.next_plan is None
    assert subscription.current_period_start == end
    assert subscription.anchor is not None
    assert subscription.current_period_end == add_months(subscription.anchor, 13)
    assert grant_of(subscription).ends_at == subscription.current_period_end
    assert Invoice.objects.count() == 2


def test_token_renewal_through_the_sandbox(catalogue: dict[str, Any], reader: Any) -> None:
    subscription = subscribe(
        reader, catalogue["monthly_offer"], token="tok_sandbox_4242424242424242"
    )
    now = timezone.now()
    due(subscription, current_period_end=now + timedelta(hours=6))
    counts = subscriptions_process_due(now=now)
    assert counts["renewed"] == 1
    subscription.refresh_from_db()
    assert subscription.periods_paid == 2
    assert grant_of(subscription).ends_at == subscription.current_period_end
    assert subscriptions_process_due(now=now)["renewed"] == 0


def test_renewal_task_runs_the_pass(catalogue: dict[str, Any], reader: Any) -> None:
    from lede.subscriptions.tasks import renew_due_subscriptions

    subscription = subscribe(reader, catalogue["monthly_offer"], provider="cmi")
    due(subscription, current_period_end=timezone.now() - timedelta(hours=1))
    result = renew_due_subscriptions.enqueue()
    assert result.return_value is not None and result.return_value["past_due"] == 1
    subscription.refresh_from_db()
    assert subscription.status == "past_due"
