"""Reminders, past due, grace and expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from lede.subscriptions.models import LedgerEntry
from lede.subscriptions.services.renewals import (
    renewal_checkout,
    subscriptions_process_due,
)
from lede.subscriptions.testing import pay_order, subscribe
from lede.subscriptions.tests.services.helpers import due, grant_of


def test_reminder_sent_once(
    catalogue: dict[str, Any],
    reader: Any,
    django_capture_on_commit_callbacks: Any,
    smtp_server: Any,
) -> None:
    subscription = subscribe(reader, catalogue["monthly_offer"], provider="cmi")
    now = timezone.now()
    due(subscription, current_period_end=now + timedelta(days=3))
    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = subscriptions_process_due(now=now)
        second = subscriptions_process_due(now=now)
    assert first["reminded"] == 1 and second["reminded"] == 0
    [message] = smtp_server.wait_for(1)
    assert message.rcpt_tos == [reader.email]
    assert "échéance" in message.subject
    assert "/abonnement/renouveler/" in message.body("plain")
    assert "/abonnement/renouveler/" in message.body("html")


def test_declined_token_then_past_due_then_expired(
    catalogue: dict[str, Any],
    reader: Any,
    django_capture_on_commit_callbacks: Any,
    smtp_server: Any,
) -> None:
    subscription = subscribe(
        reader, catalogue["monthly_offer"], token="tok_sandbox_4000000000000002"
    )
    now = timezone.now()
    due(subscription, current_period_end=now + timedelta(hours=6))
    assert subscriptions_process_due(now=now)["declined"] == 1
    assert LedgerEntry.objects.filter(kind="failure").count() == 1
    later = now + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert subscriptions_process_due(now=later)["past_due"] == 1
    subscription.refresh_from_db()
    assert subscription.status == "past_due"
    smtp_server.wait_for(1)
    assert any("pas été renouvelé" in m.subject for m in smtp_server.to(reader.email))
    grant = grant_of(subscription)
    assert grant.ends_at is not None and grant.ends_at < later  # no access while unpaid
    assert subscriptions_process_due(now=later + timedelta(days=8))["expired"] == 1
    subscription.refresh_from_db()
    assert subscription.status == "expired"
    assert LedgerEntry.objects.filter(kind="revoke").count() == 1


def test_paying_during_grace_restores(catalogue: dict[str, Any], reader: Any) -> None:
    subscription = subscribe(reader, catalogue["monthly_offer"], provider="cmi")
    now = timezone.now()
    end = now - timedelta(days=1)
    due(subscription, current_period_end=end)
    subscriptions_process_due(now=now)
    subscription.refresh_from_db()
    assert subscription.status == "past_due"
    pay_order(renewal_checkout(subscription=subscription))
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert subscription.current_period_start == end
    end_now = subscription.current_period_end
    assert end_now is not None and end_now > now
    assert grant_of(subscription).ends_at == end_now
