"""Any sequence of payments, cancellations, resumptions, plan changes, refunds,
replays and the passing of time leaves a consistent state: the reader has
access exactly when the subscription is live and paid up, every payment has
one receipt, receipt numbers have no gaps, and replays change nothing."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from freezegun import freeze_time
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lede.payments import services as payments
from lede.payments.models import Order, PaymentAttempt
from lede.paywall.models import AccessGrant
from lede.subscriptions.models import Invoice, LedgerEntry, Subscription
from lede.subscriptions.services.cancelling import subscription_cancel, subscription_resume
from lede.subscriptions.services.errors import SubscriptionError
from lede.subscriptions.services.renewals import (
    renewal_checkout,
    subscription_change_plan,
    subscriptions_process_due,
)
from lede.subscriptions.testing import make_reader, pay_order, subscribe

OPERATIONS = ["pay", "cancel", "resume", "change", "advance", "refund", "replay"]
_emails = itertools.count()


class _Rollback(Exception):
    pass


def _check(subscription: Subscription, now: Any) -> None:
    subscription.refresh_from_db()
    has_access = AccessGrant.objects.filter(
        source=subscription.grant_source, starts_at__lte=now, ends_at__gt=now
    ).exists()
    paid_up = (
        subscription.status in Subscription.LIVE_STATUSES
        and subscription.current_period_end is not None
        and subscription.current_period_end > now
    )
    assert has_access == paid_up, (subscription.status, subscription.current_period_end, now)
    event(f"status: {subscription.status}")
    if subscription.status == "past_due":
        assert subscription.grace_until is not None
    if subscription.status in ("canceled", "expired"):
        assert not has_access
    paid = Order.objects.filter(
        user=subscription.user, status__in=["paid", "refunded", "partially_refunded"]
    )
    assert Invoice.objects.filter(user=subscription.user).count() == paid.count()
    for series in set(Invoice.objects.values_list("series", flat=True)):
        sequences = sorted(Invoice.objects.filter(series=series).values_list("sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1))  # no gap in a year
    assert LedgerEntry.objects.filter(kind__in=["payment", "renewal"]).count() == paid.count()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.integers(min_value=1, max_value=40)),
        max_size=12,
    )
)
def test_any_sequence_of_events_stays_consistent(
    catalogue: dict[str, Any], steps: list[tuple[str, int]]
) -> None:
    start = timezone.now().replace(microsecond=0)
    try:
        with freeze_time(start) as clock, transaction.atomic():
            user = make_reader(f"h{next(_emails)}@example.com")
            subscription = subscribe(user, catalogue["launch"], provider="cmi")
            _check(subscription, timezone.now())
            for operation, days in steps:
                _apply(operation, days, subscription, catalogue, clock)
                _check(subscription, timezone.now())
            raise _Rollback
    except _Rollback:
        pass


def _apply(
    operation: str, days: int, subscription: Subscription, catalogue: dict[str, Any], clock: Any
) -> None:
    subscription.refresh_from_db()
    try:
        if operation == "pay" and subscription.renews:
            pay_order(renewal_checkout(subscription=subscription))
        elif operation == "cancel":
            subscription_cancel(subscription=subscription)
        elif operation == "resume":
            subscription_resume(subscription=subscription)
        elif operation == "change":
            other = catalogue["yearly"] if days % 2 else catalogue["monthly"]
            subscription_change_plan(subscription=subscription, plan=other)
        elif operation == "advance":
            clock.tick(timedelta(days=days))
            subscriptions_process_due(now=timezone.now())
        elif operation == "refund":
            order = (
                Order.objects.filter(subscription=subscription, status="paid")
                .order_by("-paid_at")
                .first()
            )
            if order is not None:
                payments.order_refund(order=order)
        elif operation == "replay":
            attempt = (
                PaymentAttempt.objects.filter(order__subscription=subscription, status="approved")
                .order_by("-created_at")
                .first()
            )
            if attempt is not None:
                before = Subscription.objects.get(pk=subscription.pk).current_period_end
                outcome = payments.on_payment_approved(
                    provider=attempt.provider,
                    event_id=f"test:{attempt.oid}",
                    attempt=attempt,
                    payload="{}",
                )
                assert outcome is payments.Outcome.REPLAY
                assert Subscription.objects.get(pk=subscription.pk).current_period_end == before
    except SubscriptionError:
        pass
