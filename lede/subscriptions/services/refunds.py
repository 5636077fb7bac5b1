"""What a refund takes back. Payments refunds the money
(:func:`lede.payments.services.order_refund`) and reports it here, in the
same transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from lede.payments.models import Order
from lede.paywall.models import Organisation

from ..models import GiftCode, LedgerEntry, Subscription
from .ledger import grant_end, ledger_append


@transaction.atomic
def on_order_refunded(
    *, order: Order, amount_minor: int, revoke: bool, event_key: str, note: str = ""
) -> None:
    """Record a refund; a full refund also ends what the order gave."""
    now = timezone.now()
    sub = None
    if order.subscription_id is not None:
        sub = Subscription.objects.select_for_update().get(pk=order.subscription_id)
    ledger_append(
        kind=LedgerEntry.Kind.REFUND,
        event_key=event_key,
        subscription=sub,
        order=order,
        amount_minor=-amount_minor,
        currency=order.currency,
        provider=order.provider,
        note=note,
    )
    if not revoke:
        return
    if sub is not None and order.kind in (Order.Kind.SUBSCRIPTION, Order.Kind.RENEWAL):
        sub.status = Subscription.Status.CANCELED
        sub.cancel_at_period_end = True
        sub.ended_at = now
        sub.save()
        grant_end(sub, now)
        ledger_append(
            kind=LedgerEntry.Kind.REVOKE,
            event_key=f"revoke:{event_key}",
            subscription=sub,
            order=order,
            note="remboursement intégral",
        )
    elif order.kind == Order.Kind.GIFT:
        gift = GiftCode.objects.filter(order=order).first()
        if gift is not None and gift.redeemed_at is None:
            gift.expires_at = now
            gift.save(update_fields=["expires_at"])
        elif gift is not None and gift.subscription_id is not None:
            gifted = Subscription.objects.get(pk=gift.subscription_id)
            gifted.status = Subscription.Status.CANCELED
            gifted.ended_at = now
            gifted.save()
            grant_end(gifted, now)
    elif order.kind == Order.Kind.GROUP and order.organisation_id:
        Organisation.objects.filter(pk=order.organisation_id).update(ends_at=now)
        org = Organisation.objects.get(pk=order.organisation_id)
        org.save()  # let the paywall drop its cache of organisations
