"""What the reader's data export holds about subscriptions and payments."""

from __future__ import annotations

from typing import Any

from lede.payments.models import Order

from .models import GiftCode, Invoice, Subscription
from .services.cancelling import renewals_stop


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_subscriptions(user: Any) -> dict[str, Any]:
    subscriptions = (
        Subscription.objects.filter(user_id=user.pk)
        .select_related("plan", "offer", "next_plan")
        .order_by("created_at")
    )
    return {
        "subscriptions": [
            {
                "plan": s.plan.name,
                "offer": s.offer.headline if s.offer else None,
                "status": s.status,
                "gift": s.is_gift,
                "current_period_start": _iso(s.current_period_start),
                "current_period_end": _iso(s.current_period_end),
                "cancel_at_period_end": s.cancel_at_period_end,
                "next_plan": s.next_plan.name if s.next_plan else None,
                "provider": s.provider,
                "created_at": _iso(s.created_at),
            }
            for s in subscriptions
        ],
        "gifts_bought": [
            {
                "recipient_email": g.recipient_email,
                "months": g.months,
                "created_at": _iso(g.created_at),
                "redeemed": g.redeemed_at is not None,
            }
            for g in GiftCode.objects.filter(buyer_id=user.pk).order_by("created_at")
        ],
        "gifts_redeemed": [
            {"months": g.months, "redeemed_at": _iso(g.redeemed_at)}
            for g in GiftCode.objects.filter(redeemed_by_id=user.pk).order_by("redeemed_at")
        ],
    }


def export_payments(user: Any) -> dict[str, Any]:
    orders = Order.objects.filter(user_id=user.pk).order_by("created_at")
    return {
        "orders": [
            {
                "id": str(o.uuid),
                "description": o.description,
                "amount_minor": o.amount_minor,
                "currency": o.currency,
                "status": o.status,
                "provider": o.provider,
                "created_at": _iso(o.created_at),
                "paid_at": _iso(o.paid_at),
                "refunded_minor": o.refunded_minor,
            }
            for o in orders
        ],
        "receipts": [
            {
                "number": i.number,
                "issued_at": _iso(i.issued_at),
                "total_minor": i.total_minor,
                "tax_minor": i.tax_minor,
                "currency": i.currency,
            }
            for i in Invoice.objects.filter(user_id=user.pk).order_by("issued_at")
        ],
    }


def stop_renewals(user: Any) -> None:
    """Account deletion hook: nothing renews for a deleted reader."""
    renewals_stop(user=user)
