"""Coupons and what an offer costs (the first period, and each later one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext

from lede.core.money import format_amount

from ..models import Coupon, Offer, Plan, normalise_code
from .errors import SubscriptionError


@dataclass(frozen=True)
class Quote:
    plan: Plan
    offer: Offer | None
    coupon: Coupon | None
    gross_minor: int
    discount_minor: int
    currency: str
    then_minor: int  # what each later period costs

    @property
    def amount_minor(self) -> int:
        return self.gross_minor - self.discount_minor

    @property
    def amount_display(self) -> str:
        return format_amount(self.amount_minor, self.currency)

    @property
    def gross_display(self) -> str:
        return format_amount(self.gross_minor, self.currency)

    @property
    def discount_display(self) -> str:
        return format_amount(self.discount_minor, self.currency)

    @property
    def then_display(self) -> str:
        return format_amount(self.then_minor, self.currency)


def coupon_validate(*, code: str, plan: Plan, now: datetime | None = None) -> Coupon:
    now = now or timezone.now()
    normalised = normalise_code(code)
    coupon = Coupon.objects.filter(code=normalised).prefetch_related("plans").first()
    if coupon is None or not coupon.active:
        raise SubscriptionError(gettext("Ce code de réduction n’existe pas."))
    if coupon.starts_at and now < coupon.starts_at:
        raise SubscriptionError(gettext("Ce code de réduction n’est pas encore valable."))
    if coupon.expires_at and now >= coupon.expires_at:
        raise SubscriptionError(gettext("Ce code de réduction a expiré."))
    if coupon.max_uses is not None and coupon.uses >= coupon.max_uses:
        raise SubscriptionError(gettext("Ce code de réduction a déjà été utilisé."))
    plan_ids = {p.pk for p in coupon.plans.all()}
    if plan_ids and plan.pk not in plan_ids:
        raise SubscriptionError(gettext("Ce code de réduction ne s’applique pas à cette offre."))
    if coupon.amount_off_minor is not None and coupon.currency.upper() != plan.currency.upper():
        raise SubscriptionError(gettext("Ce code de réduction ne s’applique pas à cette offre."))
    return coupon


def offer_quote(*, offer: Offer, coupon: Coupon | None = None) -> Quote:
    plan = offer.plan
    gross = offer.price_for_period(0)
    discount = coupon.discount_for(gross, plan.currency) if coupon is not None else 0
    then = offer.price_for_period(max(offer.intro_periods, 1)) if offer.has_intro else gross
    return Quote(
        plan=plan,
        offer=offer,
        coupon=coupon,
        gross_minor=gross,
        discount_minor=discount,
        currency=plan.currency,
        then_minor=then if offer.has_intro else plan.price_minor,
    )


def offer_description(offer: Offer) -> str:
    plan = offer.plan
    if offer.has_intro:
        return gettext("%(plan)s — %(headline)s (%(period)s)") % {
            "plan": plan.name,
            "headline": offer.headline,
            "period": offer.first_period_display,
        }
    return gettext("%(plan)s (%(period)s)") % {
        "plan": plan.name,
        "period": offer.first_period_display,
    }
