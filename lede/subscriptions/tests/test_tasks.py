"""The renewal task runs at least once (a task whose worker died runs again,
two workers may run two ticks at once): a period is charged once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from lede.payments import providers
from lede.payments.models import Order
from lede.paywall.models import AccessGrant
from lede.subscriptions.models import Subscription
from lede.subscriptions.tasks import renew_due_subscriptions
from lede.subscriptions.testing import subscribe

CARD = "tok_sandbox_4242424242424242"


def _due_in_six_hours(subscription: Subscription) -> None:
    end = timezone.now() + timedelta(hours=6)
    Subscription.objects.filter(pk=subscription.pk).update(current_period_end=end)
    AccessGrant.objects.filter(source=subscription.grant_source).update(ends_at=end)


def test_the_task_run_again_charges_the_period_once(catalogue: dict[str, Any], reader: Any) -> None:
    subscription = subscribe(reader, catalogue["monthly_offer"], token=CARD)
    _due_in_six_hours(subscription)
    first = renew_due_subscriptions.enqueue()
    again = renew_due_subscriptions.enqueue()
    assert first.return_value is not None and first.return_value["renewed"] == 1
    assert again.return_value is not None and again.return_value["renewed"] == 0
    subscription.refresh_from_db()
    assert subscription.periods_paid == 2
    assert Order.objects.filter(kind=Order.Kind.RENEWAL).count() == 1


def test_a_charge_claimed_by_a_concurrent_pass_is_not_made_again(
    catalogue: dict[str, Any], reader: Any, monkeypatch: Any
) -> None:
    subscription = subscribe(reader, catalogue["monthly_offer"], token=CARD)
    _due_in_six_hours(subscription)
    real_get_provider = providers.get_provider

    def another_pass_claims_first(name: str) -> Any:
        # Between this pass's read of the due subscriptions and its claim,
        # another worker's pass claims the charge (and is charging).
        Subscription.objects.filter(pk=subscription.pk).update(
            last_renewal_attempt_at=timezone.now()
        )
        return real_get_provider(name)

    monkeypatch.setattr(providers, "get_provider", another_pass_claims_first)
    result = renew_due_subscriptions.enqueue()
    assert result.return_value is not None and result.return_value["renewed"] == 0
    subscription.refresh_from_db()
    assert subscription.periods_paid == 1
    assert not Order.objects.filter(kind=Order.Kind.RENEWAL).exists()
