"""Shared reads of the subscriptions domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from .models import GiftCode, Invoice, Offer, Plan, Subscription
from .money import NBSP

LAUNCH_OFFER_CACHE_KEY = "subscriptions:launch-offer:v1"


def current_offers(now: datetime | None = None) -> list[Offer]:
    """Offers on sale now: the featured (launch) offer first, then by order."""
    return list(
        Offer.objects.current(now)
        .select_related("plan")
        .order_by("-featured", "sort_order", "plan__price_minor", "pk")
    )


def offer_by_slug(slug: str, now: datetime | None = None) -> Offer | None:
    return Offer.objects.current(now).select_related("plan").filter(slug=slug).first()


def current_launch_offer() -> dict[str, str]:
    """The paywall box's offer, in the shape ``lede.paywall.serving.launch_offer``
    returns: ``{"price": "60 DH", "period": "1 mois", "headline": …}``. The
    featured current offer when there is one, else the settings' defaults.
    Cached for a minute (the paywall's variant cache holds it longer)."""
    cached = cache.get(LAUNCH_OFFER_CACHE_KEY)
    if cached is not None:
        return dict(cached)
    offer = next((o for o in current_offers() if o.featured), None)
    if offer is None:
        value = {
            "price": str(getattr(settings, "LEDE_LAUNCH_OFFER_PRICE", "60 DH")),
            "period": str(getattr(settings, "LEDE_LAUNCH_OFFER_PERIOD", "1 mois")),
            "headline": "",
            "slug": "",
        }
    else:
        value = {
            "price": offer.first_amount_display,
            "period": offer.first_period_display,
            "headline": offer.headline,
            "slug": offer.slug,
        }
    cache.set(LAUNCH_OFFER_CACHE_KEY, value, timeout=60)
    return value


def forget_launch_offer() -> None:
    cache.delete(LAUNCH_OFFER_CACHE_KEY)


def active_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(active=True).order_by("sort_order", "price_minor")


def reader_subscription(user: Any) -> Subscription | None:
    """The subscription "Mon abonnement" is about: the live paid one, else
    the most recent one that ever started."""
    base = (
        Subscription.objects.filter(user=user, is_gift=False)
        .select_related("plan", "offer", "next_plan")
        .exclude(status=Subscription.Status.PENDING)
    )
    live = base.filter(status__in=Subscription.LIVE_STATUSES).order_by("-created_at").first()
    return live or base.order_by("-created_at").first()


def reader_gift_subscriptions(user: Any, now: datetime | None = None) -> list[Subscription]:
    now = now or timezone.now()
    return list(
        Subscription.objects.filter(
            user=user, is_gift=True, status__in=Subscription.LIVE_STATUSES
        ).select_related("plan")
    )


def reader_orders(user: Any) -> QuerySet[Any]:
    from lede.payments.models import Order

    return (
        Order.objects.filter(user=user)
        .exclude(status__in=[Order.Status.PENDING, Order.Status.CANCELED])
        .select_related("invoice")
        .order_by("-paid_at", "-created_at")
    )


def reader_invoice(user: Any, number: str) -> Invoice | None:
    return Invoice.objects.filter(user=user, number=number).first()


def gifts_bought(user: Any) -> QuerySet[GiftCode]:
    return GiftCode.objects.filter(buyer=user).select_related("redeemed_by")


def gifts_redeemed(user: Any) -> QuerySet[GiftCode]:
    return GiftCode.objects.filter(redeemed_by=user).select_related("subscription")


def provider_customer_id(*, user: Any, provider: str) -> str:
    """The reader's customer id at ``provider``, if a subscription has one."""
    value = (
        Subscription.objects.filter(user=user, provider=provider)
        .exclude(provider_customer_id="")
        .order_by("-created_at")
        .values_list("provider_customer_id", flat=True)
        .first()
    )
    return value or ""


def user_has_invoices(user: Any) -> bool:
    """Retention check: receipts must be kept by law."""
    return Invoice.objects.filter(user_id=user.pk).exists()


def price_text(text: str) -> str:
    """For tests and plain-text contexts: no-break spaces as plain spaces."""
    return text.replace(NBSP, " ").replace("\u202f", " ")
