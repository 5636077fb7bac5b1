"""Gift subscriptions: buying one (a pending order), issuing its code once
paid, and redeeming the code."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from lede.core.money import months_label
from lede.payments.models import Order

from .. import emails
from ..models import GiftCode, LedgerEntry, Plan, Subscription
from ..periods import add_months
from .errors import SubscriptionError
from .ledger import grant_sync, ledger_append
from .orders import order_get_or_create, purpose_key

GIFT_MONTHS = (1, 3, 12)
GIFT_VALIDITY_DAYS = 365


def gift_price_minor(*, months: int) -> tuple[Plan, int]:
    """A gift of 12 months costs the yearly plan when there is one; otherwise
    the monthly plan times the number of months."""
    plans = list(Plan.objects.filter(active=True))
    yearly = sorted((p for p in plans if p.period == "year"), key=lambda p: p.price_minor)
    monthly = sorted((p for p in plans if p.period == "month"), key=lambda p: p.price_minor)
    if months == 12 and yearly:
        return yearly[0], yearly[0].price_minor
    if monthly:
        return monthly[-1], monthly[-1].price_minor * months
    raise SubscriptionError(gettext("Les abonnements cadeaux ne sont pas disponibles."))


@transaction.atomic
def gift_checkout(
    *,
    user: Any,
    months: int,
    recipient_email: str,
    recipient_name: str = "",
    message: str = "",
    idempotency_key: str = "",
) -> Order:
    if months not in GIFT_MONTHS:
        raise SubscriptionError(gettext("Durée de cadeau invalide."))
    plan, amount = gift_price_minor(months=months)
    email = recipient_email.strip().lower()
    order, _created = order_get_or_create(
        user=user,
        purpose_key=purpose_key("gift", months, email, idempotency_key or secrets.token_hex(8)),
        kind=Order.Kind.GIFT,
        description=(
            gettext("Abonnement cadeau — %(duration)s") % {"duration": months_label(months)}
        )[:255],
        amount_minor=amount,
        currency=plan.currency,
        plan=plan,
        months=months,
        details={
            "recipient_email": email,
            "recipient_name": recipient_name.strip()[:120],
            "message": message.strip()[:1000],
        },
    )
    return order


def _gift_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        raw = "".join(secrets.choice(alphabet) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if not GiftCode.objects.filter(code=code).exists():
            return code


def gift_issue(*, order: Order) -> GiftCode:
    """The code of a paid gift order, e-mailed to the recipient and the buyer."""
    if order.plan is None:
        raise RuntimeError(f"gift order {order.uuid} has no plan")
    details = order.details or {}
    gift = GiftCode.objects.create(
        code=_gift_code(),
        plan=order.plan,
        months=order.months,
        buyer=order.user,
        order=order,
        recipient_email=str(details.get("recipient_email", "")),
        recipient_name=str(details.get("recipient_name", "")),
        message=str(details.get("message", "")),
        expires_at=timezone.now() + timedelta(days=GIFT_VALIDITY_DAYS),
    )
    buyer: Any = order.user
    context = {
        "code": gift.code,
        "duration": gift.duration_display,
        "buyer_name": getattr(buyer, "display_name", "") or buyer.email,
        "recipient_name": gift.recipient_name,
        "message": gift.message,
        "expires_at": gift.expires_at,
        "redeem_url": emails.absolute(reverse("subscriptions:gift_redeem") + f"?code={gift.code}"),
    }
    emails.send_on_commit("gift_received", gift.recipient_email, context)
    emails.send_on_commit("gift_bought", buyer.email, context)
    return gift


@transaction.atomic
def gift_redeem(*, user: Any, code: str) -> Subscription:
    now = timezone.now()
    gift = (
        GiftCode.objects.select_for_update(of=("self",))
        .select_related("plan")
        .filter(code=normalise_gift_code(code))
        .first()
    )
    if gift is None:
        raise SubscriptionError(gettext("Ce code cadeau n’existe pas."))
    if gift.redeemed_at is not None:
        raise SubscriptionError(gettext("Ce code cadeau a déjà été utilisé."))
    if gift.expires_at is not None and gift.expires_at <= now:
        raise SubscriptionError(gettext("Ce code cadeau a expiré."))
    # A gift adds to what the reader already has: it starts when their
    # current access ends.
    current_end = (
        Subscription.objects.filter(
            user=user, status__in=Subscription.LIVE_STATUSES, current_period_end__gt=now
        )
        .order_by("-current_period_end")
        .values_list("current_period_end", flat=True)
        .first()
    )
    start = max(now, current_end) if current_end else now
    sub = Subscription.objects.create(
        user=user,
        plan=gift.plan,
        status=Subscription.Status.ACTIVE,
        is_gift=True,
        cancel_at_period_end=True,
        anchor=start,
        months_paid=gift.months,
        periods_paid=1,
        current_period_start=start,
        current_period_end=add_months(start, gift.months),
        provider="gift",
    )
    grant_sync(sub)
    gift.redeemed_by = user
    gift.redeemed_at = now
    gift.subscription = sub
    gift.save(update_fields=["redeemed_by", "redeemed_at", "subscription"])
    ledger_append(
        kind=LedgerEntry.Kind.GRANT,
        event_key=f"gift:{gift.code}",
        subscription=sub,
        period_start=sub.current_period_start,
        period_end=sub.current_period_end,
        note=f"abonnement cadeau {gift.code}",
    )
    return sub


def normalise_gift_code(raw: str) -> str:
    compact = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    if len(compact) != 12:
        return compact
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}"
