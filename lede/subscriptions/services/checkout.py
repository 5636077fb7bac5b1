"""Buying a subscription: the pending order (and pending subscription) that a
payment then activates, and free trials. Gifts and group licences have their
own checkouts (:mod:`.gifts`, :mod:`.groups`); the next period's order is in
:mod:`.renewals`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from lede.payments.models import Order

from ..models import LedgerEntry, Offer, Subscription
from ..selectors import live_subscription
from .errors import SubscriptionError
from .ledger import grant_sync, ledger_append
from .orders import order_get_or_create, purpose_key
from .quoting import coupon_validate, offer_description, offer_quote


@transaction.atomic
def subscription_checkout(
    *, user: Any, offer: Offer, coupon_code: str = "", next_url: str = ""
) -> Order:
    """The pending order (and pending subscription) for buying ``offer``.
    Asking twice for the same purchase returns the same order."""
    if not offer.is_current():
        raise SubscriptionError(gettext("Cette offre n’est plus disponible."))
    if live_subscription(user) is not None:
        raise SubscriptionError(
            gettext("Vous êtes déjà abonné. Gérez votre abonnement dans « Mon abonnement ».")
        )
    coupon = coupon_validate(code=coupon_code, plan=offer.plan) if coupon_code.strip() else None
    quote = offer_quote(offer=offer, coupon=coupon)
    purpose = purpose_key("subscription", offer.pk, coupon.code if coupon else "")
    existing = Order.objects.filter(
        user=user, purpose_key=purpose, status=Order.Status.PENDING
    ).first()
    if existing is not None:
        if next_url and existing.next_url != next_url:
            existing.next_url = next_url
            existing.save(update_fields=["next_url", "updated_at"])
        return existing
    subscription = Subscription.objects.create(
        user=user, plan=offer.plan, offer=offer, status=Subscription.Status.PENDING
    )
    order, created = order_get_or_create(
        user=user,
        purpose_key=purpose,
        kind=Order.Kind.SUBSCRIPTION,
        description=offer_description(offer)[:255],
        amount_minor=quote.amount_minor,
        discount_minor=quote.discount_minor,
        currency=quote.currency,
        plan=offer.plan,
        offer=offer,
        coupon=coupon,
        subscription=subscription,
        months=offer.plan.months,
        next_url=next_url[:500],
    )
    if not created:
        subscription.delete()
    return order


@transaction.atomic
def trial_start(*, user: Any, offer: Offer) -> Subscription:
    """A free trial: access at once, no payment until the trial ends."""
    if not offer.is_current() or not offer.trial_days:
        raise SubscriptionError(gettext("Cette offre n’est plus disponible."))
    type(user).objects.select_for_update().get(pk=user.pk)  # one trial at a time
    if live_subscription(user) is not None:
        raise SubscriptionError(gettext("Vous êtes déjà abonné."))
    if Subscription.objects.filter(user=user, offer=offer).exclude(
        status=Subscription.Status.PENDING
    ):
        raise SubscriptionError(gettext("Vous avez déjà profité de cet essai gratuit."))
    now = timezone.now()
    end = now + timedelta(days=offer.trial_days)
    subscription = Subscription.objects.create(
        user=user,
        plan=offer.plan,
        offer=offer,
        status=Subscription.Status.TRIALING,
        current_period_start=now,
        current_period_end=end,
        trial_ends_at=end,
    )
    grant_sync(subscription)
    ledger_append(
        kind=LedgerEntry.Kind.GRANT,
        event_key=f"trial:{subscription.pk}",
        subscription=subscription,
        period_start=now,
        period_end=end,
        note=f"essai gratuit de {offer.trial_days} jours",
    )
    return subscription
