"""Writes of the payments domain: attempts, verified provider events, staff
payments and refunds. Every function that applies money runs in one
transaction, locks the attempt and the order, and stores the provider event
under its unique ``(provider, event_id)``: applying an event twice is
impossible, and nothing is half-written."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from lede.core.observability.metrics import record_payment_notification

from . import seller
from .models import Order, PaymentAttempt, ProviderEvent
from .providers import UnknownProvider, get_provider
from .providers.base import NotificationResult, NotSupported

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
    APPLIED = "applied"
    #: This event (or this approval) was already applied: nothing changed.
    REPLAY = "replay"
    #: The order was already paid by another attempt: nothing granted, staff
    #: must refund (the attempt is marked ``duplicate``).
    DUPLICATE = "duplicate"
    #: The order cannot be paid any more (canceled): treated like a duplicate.
    REJECTED = "rejected"


class PaymentError(Exception):
    """A French message for the reader or staff."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def order_shop_url(order: Order) -> str:
    return order.next_url or reverse("offers")


def order_status_url(order: Order) -> str:
    return reverse("payments:order_status", args=[order.uuid])


@transaction.atomic
def attempt_start(*, order: Order, provider: str) -> PaymentAttempt:
    """A fresh attempt (new ``oid``) at paying a pending order."""
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.status != Order.Status.PENDING:
        raise PaymentError("Cette commande n'est plus en attente de paiement.")
    locked.provider = provider
    locked.save(update_fields=["provider", "updated_at"])
    order.provider = provider
    return PaymentAttempt.objects.create(
        order=locked,
        provider=provider,
        amount_minor=locked.amount_minor,
        currency=locked.currency,
    )


def notification_receive(
    *, provider: str, handle: Callable[[], NotificationResult]
) -> NotificationResult:
    """Run ``handle`` (a provider verifying and applying one server-to-server
    notification) and count what came of it. When the database is down,
    nothing was written (one transaction): answer 503 so the provider retries."""
    try:
        result = handle()
    except DatabaseError:
        logger.exception("database unavailable while handling a %s notification", provider)
        record_payment_notification(provider=provider, status=503)
        return NotificationResult("", status=503)
    record_payment_notification(provider=provider, status=result.status, applied=result.applied)
    return result


def _event_exists(provider: str, event_id: str) -> bool:
    return ProviderEvent.objects.filter(provider=provider, event_id=event_id).exists()


def on_payment_approved(
    *,
    provider: str,
    event_id: str,
    attempt: PaymentAttempt,
    payload: str,
    reference: str = "",
    customer_id: str = "",
    subscription_id: str = "",
    token: str = "",
    event_kind: str = "payment",
) -> Outcome:
    """A verified approval of ``attempt``: pay the order and fulfil it, once."""
    try:
        with transaction.atomic():
            return _payment_approved(
                provider=provider,
                event_id=event_id,
                attempt=attempt,
                payload=payload,
                reference=reference,
                stored=seller.StoredMethod(
                    customer_id=customer_id, token=token, provider_subscription_id=subscription_id
                ),
                event_kind=event_kind,
            )
    except IntegrityError:
        # A concurrent delivery of the same event won the race.
        if _event_exists(provider, event_id):
            return Outcome.REPLAY
        raise


def _payment_approved(
    *,
    provider: str,
    event_id: str,
    attempt: PaymentAttempt,
    payload: str,
    reference: str,
    stored: seller.StoredMethod,
    event_kind: str,
) -> Outcome:
    locked = PaymentAttempt.objects.select_for_update().get(pk=attempt.pk)
    order = (
        Order.objects.select_for_update(of=("self",)).select_related("user").get(pk=locked.order_id)
    )
    if _event_exists(provider, event_id):
        return Outcome.REPLAY
    event = ProviderEvent(
        provider=provider,
        event_id=event_id,
        kind=event_kind,
        attempt=locked,
        payload=payload,
    )
    if order.is_paid or order.status == Order.Status.CANCELED:
        if locked.status == PaymentAttempt.Status.APPROVED:
            event.outcome = ProviderEvent.Outcome.DUPLICATE
            event.message = "approval already applied"
            event.save()
            return Outcome.REPLAY
        locked.status = PaymentAttempt.Status.DUPLICATE
        locked.message = "Commande déjà payée : à rembourser."[:255]
        locked.provider_reference = reference or locked.provider_reference
        locked.save(update_fields=["status", "message", "provider_reference", "updated_at"])
        event.outcome = ProviderEvent.Outcome.DUPLICATE
        event.message = f"order {order.uuid} is {order.status}: second payment not applied"
        event.save()
        logger.error(
            "payment for order %s (%s) arrived by attempt %s: not applied, refund it",
            order.uuid,
            order.status,
            locked.oid,
        )
        return Outcome.DUPLICATE if order.is_paid else Outcome.REJECTED
    now = timezone.now()
    locked.status = PaymentAttempt.Status.APPROVED
    locked.provider_reference = reference or locked.provider_reference
    locked.message = ""
    locked.save(update_fields=["status", "provider_reference", "message", "updated_at"])
    order.status = Order.Status.PAID
    order.paid_at = now
    order.provider = provider
    order.save(update_fields=["status", "paid_at", "provider", "updated_at"])
    event.outcome = ProviderEvent.Outcome.APPLIED
    event.save()
    seller.current().on_order_paid(
        order=order,
        attempt=locked,
        event_key=f"{provider}:{event_id}",
        stored=stored,
    )
    return Outcome.APPLIED


def on_payment_declined(
    *,
    provider: str,
    event_id: str,
    attempt: PaymentAttempt,
    payload: str,
    message: str = "",
    error: bool = False,
) -> bool:
    """A verified decline (or processing error) of ``attempt``. Nothing is
    granted; the order stays pending so the reader can try again. Returns
    False for a replay."""
    try:
        with transaction.atomic():
            locked = PaymentAttempt.objects.select_for_update().get(pk=attempt.pk)
            order = Order.objects.select_for_update().get(pk=locked.order_id)
            if _event_exists(provider, event_id):
                return False
            ProviderEvent.objects.create(
                provider=provider,
                event_id=event_id,
                kind="decline",
                attempt=locked,
                payload=payload,
                outcome=ProviderEvent.Outcome.DECLINED,
                message=message[:255],
            )
            if locked.status == PaymentAttempt.Status.CREATED:
                locked.status = (
                    PaymentAttempt.Status.ERROR if error else PaymentAttempt.Status.DECLINED
                )
                locked.message = message[:255]
                locked.save(update_fields=["status", "message", "updated_at"])
            seller.current().on_attempt_declined(
                order=order, attempt=locked, event_key=f"{provider}:{event_id}", note=message
            )
            return True
    except IntegrityError:
        if _event_exists(provider, event_id):
            return False
        raise


def event_record(
    *, provider: str, event_id: str, kind: str, payload: str, outcome: str, message: str = ""
) -> bool:
    """Store a verified event that changes nothing (ignored types). False when
    it was already stored."""
    try:
        with transaction.atomic():
            ProviderEvent.objects.create(
                provider=provider,
                event_id=event_id,
                kind=kind,
                payload=payload,
                outcome=outcome,
                message=message[:255],
            )
    except IntegrityError:
        return False
    return True


def manual_payment_record(*, order: Order, staff_user: Any, note: str = "") -> Outcome:
    """Staff received a bank transfer, cash or a purchase order's payment."""
    order.refresh_from_db()
    if order.status != Order.Status.PENDING:
        raise PaymentError("Cette commande n'est pas en attente de paiement.")
    attempt = (
        order.attempts.filter(provider="manual", status=PaymentAttempt.Status.CREATED)
        .order_by("-created_at")
        .first()
    )
    if attempt is None:
        attempt = attempt_start(order=order, provider="manual")
    who = getattr(staff_user, "email", "") or str(staff_user)
    return on_payment_approved(
        provider="manual",
        event_id=f"{attempt.oid}:paid",
        attempt=attempt,
        payload=f"recorded by {who}: {note}"[:2000],
        reference=note[:255],
        event_kind="manual",
    )


def order_complete_free(*, order: Order) -> Outcome:
    """An order that costs nothing (a 100 % coupon): no provider involved."""
    if order.amount_minor != 0:
        raise PaymentError("Cette commande n'est pas gratuite.")
    attempt = attempt_start(order=order, provider="free")
    return on_payment_approved(
        provider="free",
        event_id=f"{attempt.oid}:free",
        attempt=attempt,
        payload="",
        event_kind="free",
    )


def order_refund(
    *, order: Order, amount_minor: int | None = None, staff_user: Any = None, note: str = ""
) -> int:
    """Refund ``amount_minor`` (all that remains by default): at the provider
    when it has an API, otherwise recorded as done in its back office. Access
    ends on a full refund. Returns the amount refunded."""
    order.refresh_from_db()
    remaining = order.amount_minor - order.refunded_minor
    amount = remaining if amount_minor is None else int(amount_minor)
    if not order.is_paid or amount <= 0 or amount > remaining:
        raise PaymentError("Montant de remboursement invalide.")
    reference = ""
    try:
        provider = get_provider(order.provider)
    except UnknownProvider:
        provider = None
    if provider is not None:
        try:
            reference = provider.refund(order, amount).reference
        except NotSupported:
            reference = "hors ligne"
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if amount > locked.amount_minor - locked.refunded_minor:
            raise PaymentError("Montant de remboursement invalide.")
        locked.refunded_minor += amount
        full = locked.refunded_minor >= locked.amount_minor
        locked.status = Order.Status.REFUNDED if full else Order.Status.PARTIALLY_REFUNDED
        locked.save(update_fields=["refunded_minor", "status", "updated_at"])
        who = getattr(staff_user, "email", "") if staff_user is not None else ""
        seller.current().on_order_refunded(
            order=locked,
            amount_minor=amount,
            revoke=full,
            event_key=f"refund:{locked.uuid}:{locked.refunded_minor}",
            note=" ".join(x for x in [note, reference, who] if x)[:255],
        )
    order.refresh_from_db()
    return amount
