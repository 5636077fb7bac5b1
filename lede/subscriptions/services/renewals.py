"""Renewals: the order paying the next period, plan changes (at the next
renewal), a provider's own renewals, and the scheduler's pass that charges
stored tokens and hands unpaid periods over to :mod:`.dunning`."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from lede.core.money import months_label
from lede.payments import providers
from lede.payments.models import Order, PaymentAttempt
from lede.payments.seller import ProviderRenewal
from lede.payments.services import Outcome, PaymentError, on_payment_approved

from ..models import Plan, Subscription
from ..selectors import stored_method
from .dunning import (
    dunning_send,
    reminder_send,
    subscription_end,
    subscription_expire,
    subscription_mark_past_due,
)
from .errors import SubscriptionError
from .orders import order_get_or_create, purpose_key

logger = logging.getLogger(__name__)


@transaction.atomic
def renewal_checkout(
    *, subscription: Subscription, provider: str = "", next_url: str = ""
) -> Order:
    """The pending order paying the next period of ``subscription`` (one per
    period: paying from two tabs pays once)."""
    sub = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan", "offer")
        .get(pk=subscription.pk)
    )
    if sub.status not in Subscription.LIVE_STATUSES:
        raise SubscriptionError(gettext("Cet abonnement ne peut plus être renouvelé."))
    if sub.is_gift:
        raise SubscriptionError(gettext("Un abonnement offert ne se renouvelle pas."))
    plan = sub.renewal_plan
    amount = sub.renewal_amount_minor()
    order, _created = order_get_or_create(
        user=sub.user,
        purpose_key=purpose_key("renewal", sub.pk, sub.periods_paid, plan.pk, amount),
        kind=Order.Kind.RENEWAL,
        description=(
            gettext("Renouvellement — %(plan)s (%(period)s)")
            % {"plan": plan.name, "period": months_label(plan.months)}
        )[:255],
        amount_minor=amount,
        currency=plan.currency,
        plan=plan,
        offer=sub.offer,
        subscription=sub,
        months=plan.months,
        provider=provider,
        next_url=next_url[:500],
    )
    return order


@transaction.atomic
def subscription_change_plan(*, subscription: Subscription, plan: Plan) -> Subscription:
    """Switch plans at the next renewal (nothing changes before)."""
    sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if not sub.is_live or sub.is_gift:
        raise SubscriptionError(gettext("Cet abonnement n’est plus actif."))
    if not plan.active:
        raise SubscriptionError(gettext("Cette formule n’est plus disponible."))
    if sub.provider_subscription_id:
        raise SubscriptionError(
            gettext("Pour changer de formule, passez par le portail de paiement Stripe.")
        )
    sub.next_plan = None if plan.pk == sub.plan_id else plan
    sub.save(update_fields=["next_plan", "updated_at"])
    return sub


@transaction.atomic
def on_provider_renewal_paid(*, renewal: ProviderRenewal) -> Outcome | None:
    """A provider renewed on its own (Stripe ``invoice.paid``): record the
    period as an order paid by that provider, exactly once per reference.
    ``None`` when no subscription has the provider's subscription id (yet)."""
    subscription = Subscription.objects.filter(
        provider=renewal.provider, provider_subscription_id=renewal.provider_subscription_id
    ).first()
    if subscription is None:
        return None
    provider, reference = renewal.provider, renewal.reference
    amount_minor, currency = renewal.amount_minor, renewal.currency
    sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if not reference:
        raise PaymentError("missing reference")
    if PaymentAttempt.objects.filter(provider=provider, provider_reference=reference).exists():
        return Outcome.REPLAY
    if amount_minor < 0 or len(currency) != 3:
        raise PaymentError("bad amount")
    plan = sub.renewal_plan
    order = Order.objects.create(
        user_id=sub.user_id,
        kind=Order.Kind.RENEWAL,
        description=(
            gettext("Renouvellement — %(plan)s (%(period)s)")
            % {"plan": plan.name, "period": months_label(plan.months)}
        )[:255],
        amount_minor=amount_minor,
        currency=currency,
        plan=plan,
        offer=sub.offer,
        subscription=sub,
        months=plan.months,
        provider=provider,
        purpose_key=purpose_key("provider-renewal", provider, reference),
    )
    attempt = PaymentAttempt.objects.create(
        order=order,
        provider=provider,
        amount_minor=amount_minor,
        currency=currency,
        provider_reference=reference,
    )
    return on_payment_approved(
        provider=provider,
        event_id=renewal.event_id,
        attempt=attempt,
        payload=renewal.payload,
        reference=reference,
        event_kind="renewal",
    )


# --- The scheduler's pass ----------------------------------------------------------


def subscriptions_process_due(*, now: datetime | None = None) -> dict[str, int]:
    """One pass of the renewal scheduler; idempotent (safe to run twice)."""
    now = now or timezone.now()
    counts = {"ended": 0, "renewed": 0, "declined": 0, "reminded": 0, "past_due": 0, "expired": 0}
    live = Subscription.objects.filter(status__in=Subscription.LIVE_STATUSES).select_related(
        "user", "plan", "offer", "next_plan"
    )

    # 1. Cancelled (or gifted) subscriptions whose paid period is over.
    for sub in live.filter(cancel_at_period_end=True, current_period_end__lte=now):
        if subscription_end(pk=sub.pk, now=now):
            counts["ended"] += 1

    # 2. Renewals due soon: charge a stored token, else e-mail a renewal link.
    window = now + timedelta(days=settings.LEDE_RENEWAL_REMINDER_DAYS)
    due = live.filter(cancel_at_period_end=False, is_gift=False, current_period_end__lte=window)
    for sub in due:
        assert sub.current_period_end is not None
        provider = None
        if sub.provider_subscription_id:
            continue  # the provider renews on its own and tells us
        try:
            provider = providers.get_provider(sub.provider) if sub.provider else None
        except providers.UnknownProvider:
            provider = None
        charge_from = sub.current_period_end - timedelta(days=1)
        recently = sub.last_renewal_attempt_at and sub.last_renewal_attempt_at > now - timedelta(
            hours=20
        )
        if (
            provider is not None
            and provider.supports_renewal
            and provider.is_configured()
            and sub.provider_token
            and now >= charge_from
            and not recently
            and _renewal_claim(sub.pk, now)
        ):
            try:
                result = provider.renew(
                    stored_method(sub),
                    partial(renewal_checkout, subscription=sub, provider=provider.name),
                )
            except SubscriptionError as exc:
                logger.warning("renewal of subscription %s refused: %s", sub.pk, exc)
                continue
            if result.status == "paid":
                counts["renewed"] += 1
                continue
            if result.status == "declined":
                counts["declined"] += 1
            if result.status != "unsupported":
                continue
        if sub.status == Subscription.Status.PAST_DUE:
            continue  # the dunning e-mails of step 4 take over
        if sub.reminder_sent_for != sub.current_period_end:
            if (
                Subscription.objects.filter(pk=sub.pk)
                .exclude(reminder_sent_for=sub.current_period_end)
                .update(reminder_sent_for=sub.current_period_end)
            ):
                automatic = bool(
                    provider is not None and provider.supports_renewal and sub.provider_token
                )
                reminder_send(sub, automatic=automatic)
                counts["reminded"] += 1

    # 3. Periods over and not paid: past due, with a grace period.
    for sub in live.filter(
        status__in=[Subscription.Status.ACTIVE, Subscription.Status.TRIALING],
        cancel_at_period_end=False,
        current_period_end__lte=now,
    ):
        if subscription_mark_past_due(pk=sub.pk, now=now):
            counts["past_due"] += 1

    # 4. Grace over: expired (a second dunning e-mail halfway through).
    for sub in live.filter(status=Subscription.Status.PAST_DUE):
        if sub.grace_until is not None and sub.grace_until <= now:
            if subscription_expire(pk=sub.pk, now=now):
                counts["expired"] += 1
        elif (
            sub.grace_until is not None
            and sub.dunning_count < 2
            and now >= sub.grace_until - timedelta(days=settings.LEDE_RENEWAL_GRACE_DAYS) / 2
        ):
            if Subscription.objects.filter(pk=sub.pk, dunning_count=1).update(dunning_count=2):
                dunning_send(sub, final=True)
    return counts


def _renewal_claim(pk: int, now: datetime) -> bool:
    """Claim the renewal charge of a subscription in the database: one
    conditional UPDATE, so of two passes at once (two workers, a task run
    again after its worker died) only one charges; none again for 20 hours."""
    return bool(
        Subscription.objects.filter(pk=pk)
        .filter(
            Q(last_renewal_attempt_at__isnull=True)
            | Q(last_renewal_attempt_at__lte=now - timedelta(hours=20))
        )
        .update(last_renewal_attempt_at=now)
    )
