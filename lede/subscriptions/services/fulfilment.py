"""What a verified payment delivers, called by :mod:`lede.payments` (through
:mod:`lede.subscriptions.seller`) inside the payment's transaction: start or
extend a subscription, issue a gift code or open a group licence, count the
coupon's use, write the ledger, issue the receipt."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from lede.payments.models import Order, PaymentAttempt
from lede.payments.seller import StoredMethod

from .. import emails
from ..invoices import invoice_issue
from ..models import Coupon, LedgerEntry, Subscription
from ..periods import add_months
from .gifts import gift_issue
from .groups import group_fulfil
from .ledger import grant_sync, ledger_append


def on_order_paid(
    *, order: Order, attempt: PaymentAttempt, event_key: str, stored: StoredMethod
) -> None:
    """A verified payment of ``order``: start or extend what was bought,
    write the ledger, issue the receipt. Runs inside the payment's
    transaction (the order and attempt rows are locked)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("on_order_paid must run inside the payment's transaction")
    subscription: Subscription | None = None
    kind = LedgerEntry.Kind.PAYMENT
    if order.kind == Order.Kind.SUBSCRIPTION:
        subscription = _activate(order, stored)
    elif order.kind == Order.Kind.RENEWAL:
        subscription = _extend(order, stored)
        kind = LedgerEntry.Kind.RENEWAL
    elif order.kind == Order.Kind.GIFT:
        gift_issue(order=order)
    elif order.kind == Order.Kind.GROUP:
        group_fulfil(order=order)
    if order.coupon_id is not None:
        Coupon.objects.filter(pk=order.coupon_id).update(uses=F("uses") + 1)
    ledger_append(
        kind=kind,
        event_key=event_key,
        subscription=subscription,
        order=order,
        amount_minor=order.amount_minor,
        currency=order.currency,
        provider=order.provider,
        period_start=subscription.current_period_start if subscription else None,
        period_end=subscription.current_period_end if subscription else None,
        note=order.description,
    )
    invoice = invoice_issue(order=order)
    emails.send_on_commit(
        "payment_confirmed",
        order.user.email,
        {
            "order_description": order.description,
            "amount": order.amount_display,
            "invoice_number": invoice.number,
            "receipt_url": emails.absolute(reverse("subscriptions:receipt", args=[invoice.number])),
            "account_url": emails.absolute(reverse("subscriptions:account")),
            "period_end": subscription.current_period_end if subscription else None,
        },
    )


def _activate(order: Order, stored: StoredMethod) -> Subscription:
    if order.subscription_id is None:
        raise RuntimeError(f"subscription order {order.uuid} has no subscription")
    sub = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=order.subscription_id)
    )
    if sub.status == Subscription.Status.TRIALING:
        return _extend(order, stored)
    now = timezone.now()
    plan = order.plan or sub.plan
    sub.plan = plan
    sub.status = Subscription.Status.ACTIVE
    sub.anchor = now
    sub.months_paid = plan.months
    sub.periods_paid = 1
    sub.current_period_start = now
    sub.current_period_end = add_months(now, plan.months)
    sub.cancel_at_period_end = False
    sub.canceled_at = None
    sub.ended_at = None
    sub.grace_until = None
    _keep_stored_method(sub, order.provider, stored)
    sub.save()
    grant_sync(sub)
    # Other pending purchases of a subscription by this reader are void now:
    # paying one of them later is refused (and flagged for a refund).
    siblings = Order.objects.filter(
        user_id=order.user_id, kind=Order.Kind.SUBSCRIPTION, status=Order.Status.PENDING
    ).exclude(pk=order.pk)
    sibling_subs = [s for s in siblings.values_list("subscription_id", flat=True) if s]
    siblings.update(status=Order.Status.CANCELED, updated_at=now)
    Subscription.objects.filter(pk__in=sibling_subs, status=Subscription.Status.PENDING).update(
        status=Subscription.Status.EXPIRED, ended_at=now
    )
    return sub


def _keep_stored_method(sub: Subscription, provider: str, stored: StoredMethod) -> None:
    sub.provider = provider
    if stored.customer_id:
        sub.provider_customer_id = stored.customer_id[:255]
    if stored.provider_subscription_id:
        sub.provider_subscription_id = stored.provider_subscription_id[:255]
    if stored.token:
        sub.provider_token = stored.token[:255]


def _extend(order: Order, stored: StoredMethod) -> Subscription:
    if order.subscription_id is None:
        raise RuntimeError(f"renewal order {order.uuid} has no subscription")
    sub = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan", "next_plan")
        .get(pk=order.subscription_id)
    )
    now = timezone.now()
    plan = order.plan or sub.renewal_plan
    if sub.next_plan_id is not None and sub.next_plan_id == plan.pk:
        sub.next_plan = None
    sub.plan = plan
    if sub.status == Subscription.Status.TRIALING:
        trial_end = sub.trial_ends_at or now
        sub.anchor = max(trial_end, now)
        sub.months_paid = plan.months
        start = sub.anchor
    elif (
        sub.status in (Subscription.Status.ACTIVE, Subscription.Status.PAST_DUE)
        and sub.anchor is not None
        and sub.current_period_end is not None
    ):
        start = sub.current_period_end
        sub.months_paid += plan.months
    else:  # ended (expired, canceled) or never started: start afresh
        sub.anchor = now
        sub.months_paid = plan.months
        start = now
    sub.periods_paid += 1
    sub.status = Subscription.Status.ACTIVE
    sub.current_period_start = start
    sub.current_period_end = add_months(sub.anchor, sub.months_paid)
    sub.grace_until = None
    sub.dunning_count = 0
    sub.reminder_sent_for = None
    sub.ended_at = None
    if not sub.provider_subscription_id:
        sub.cancel_at_period_end = False
        sub.canceled_at = None
    _keep_stored_method(sub, order.provider, stored)
    sub.save()
    grant_sync(sub)
    return sub


def on_attempt_declined(
    *, order: Order, attempt: PaymentAttempt, event_key: str, note: str = ""
) -> None:
    ledger_append(
        kind=LedgerEntry.Kind.FAILURE,
        event_key=event_key,
        subscription=None,
        order=order,
        amount_minor=0,
        currency=order.currency,
        provider=attempt.provider,
        note=note or gettext("paiement refusé"),
    )
