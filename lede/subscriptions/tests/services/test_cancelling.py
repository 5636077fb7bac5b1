"""Cancel at period end, resume, and the end of a cancelled subscription."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from lede.subscriptions.services.cancelling import subscription_cancel, subscription_resume
from lede.subscriptions.services.errors import SubscriptionError
from lede.subscriptions.services.renewals import subscriptions_process_due
from lede.subscriptions.testing import subscribe
from lede.subscriptions.tests.services.helpers import grant_of


def test_cancel_and_resume(catalogue: dict[str, Any], reader: Any) -> None:
    subscription = subscribe(reader, catalogue["monthly_offer"])
    subscription_cancel(subscription=subscription)
    assert subscription.cancel_at_period_end and subscription.canceled_at is not None
    assert grant_of(subscription).ends_at == subscription.current_period_end  # access stays
    subscription_resume(subscription=subscription)
    assert not subscription.cancel_at_period_end


def test_cancelled_subscription_ends_at_period_end(catalogue: dict[str, Any], reader: Any) -> None:
    subscription = subscribe(reader, catalogue["monthly_offer"])
    subscription_cancel(subscription=subscription)
    now = timezone.now()
    assert subscriptions_process_due(now=now)["ended"] == 0
    assert subscription.current_period_end is not None
    after = subscription.current_period_end + timedelta(minutes=1)
    assert subscriptions_process_due(now=after)["ended"] == 1
    subscription.refresh_from_db()
    assert subscription.status == "canceled"
    with pytest.raises(SubscriptionError):
        subscription_resume(subscription=subscription)
