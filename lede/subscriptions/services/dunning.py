"""Dunning: renewal reminders, unpaid periods (past due, with a grace period
and two e-mails), expiry, and the end of cancelled subscriptions. Each step
is one conditional write, so the scheduler's pass may run twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from lede.core.money import format_amount

from .. import emails
from ..models import LedgerEntry, Subscription
from .ledger import ledger_append


def _renewal_context(sub: Subscription) -> dict[str, Any]:
    return {
        "plan": sub.renewal_plan.name,
        "amount": format_amount(sub.renewal_amount_minor(), sub.renewal_plan.currency),
        "period_end": sub.current_period_end,
        "grace_until": sub.grace_until,
        "renew_url": emails.absolute(reverse("subscriptions:renew")),
        "account_url": emails.absolute(reverse("subscriptions:account")),
        "is_trial": sub.status == Subscription.Status.TRIALING,
    }


def reminder_send(sub: Subscription, *, automatic: bool) -> None:
    context = _renewal_context(sub)
    context["automatic"] = automatic
    emails.send_on_commit("renewal_reminder", sub.user.email, context)


def dunning_send(sub: Subscription, *, final: bool) -> None:
    context = _renewal_context(sub)
    context["final"] = final
    emails.send_on_commit("payment_overdue", sub.user.email, context)


@transaction.atomic
def subscription_end(*, pk: int, now: datetime) -> bool:
    """A cancelled (or gifted) subscription whose paid period is over ends."""
    sub = Subscription.objects.select_for_update().get(pk=pk)
    if (
        sub.status not in Subscription.LIVE_STATUSES
        or not sub.cancel_at_period_end
        or sub.current_period_end is None
        or sub.current_period_end > now
    ):
        return False
    sub.status = Subscription.Status.EXPIRED if sub.is_gift else Subscription.Status.CANCELED
    sub.ended_at = now
    sub.save(update_fields=["status", "ended_at", "updated_at"])
    ledger_append(
        kind=LedgerEntry.Kind.REVOKE,
        event_key=f"end:{sub.pk}:{sub.current_period_end.isoformat()}",
        subscription=sub,
        period_end=sub.current_period_end,
        note="fin de la période payée (résiliation)",
    )
    emails.send_on_commit(
        "subscription_ended",
        sub.user.email,
        {"offers_url": emails.absolute(reverse("offers")), "gift": sub.is_gift},
    )
    return True


@transaction.atomic
def subscription_mark_past_due(*, pk: int, now: datetime) -> bool:
    """The paid period is over and unpaid: past due, with a grace period."""
    sub = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan", "next_plan")
        .get(pk=pk)
    )
    if (
        sub.status not in (Subscription.Status.ACTIVE, Subscription.Status.TRIALING)
        or sub.cancel_at_period_end
        or sub.current_period_end is None
        or sub.current_period_end > now
    ):
        return False
    sub.status = Subscription.Status.PAST_DUE
    sub.grace_until = sub.current_period_end + timedelta(days=settings.LEDE_RENEWAL_GRACE_DAYS)
    sub.dunning_count = 1
    sub.save(update_fields=["status", "grace_until", "dunning_count", "updated_at"])
    dunning_send(sub, final=False)
    return True


@transaction.atomic
def subscription_expire(*, pk: int, now: datetime) -> bool:
    """The grace period is over and still unpaid: access ends."""
    sub = Subscription.objects.select_for_update().get(pk=pk)
    if sub.status != Subscription.Status.PAST_DUE or (sub.grace_until and sub.grace_until > now):
        return False
    sub.status = Subscription.Status.EXPIRED
    sub.ended_at = now
    sub.save(update_fields=["status", "ended_at", "updated_at"])
    ledger_append(
        kind=LedgerEntry.Kind.REVOKE,
        event_key=f"expire:{sub.pk}:{sub.periods_paid}",
        subscription=sub,
        period_end=sub.current_period_end,
        note="impayé après le délai de grâce",
    )
    emails.send_on_commit(
        "subscription_ended",
        sub.user.email,
        {"offers_url": emails.absolute(reverse("offers")), "gift": False, "unpaid": True},
    )
    return True
