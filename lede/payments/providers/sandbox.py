"""The sandbox gateway ("Mode test"): the embedded default for the demo and
the tests.

It behaves like a hosted gateway: checkout redirects to a local page that
looks like a card form; submitting it makes the "gateway" send a signed
server-to-server notification (HMAC-SHA256 over the raw body, with a
timestamp, like Stripe's), which is verified and applied by the very same
code as a POST to ``/paiement/notification/sandbox/`` (:func:`notification_apply`,
through :func:`lede.payments.services.notification_receive`, like every
provider's notifications); then the browser is sent back to the return URL,
which only shows the order's state.

Test cards, as payment docs have them: ``4242 4242 4242 4242`` succeeds,
``4000 0000 0000 0002`` is declined, ``4000 0000 0000 0119`` fails with a
processing error; any future expiry date and any 3-digit code.

Available only when ``LEDE_SANDBOX_ENABLED`` is set (the demo and test settings),
never because of ``DEBUG``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lede.core.money import format_amount, format_decimal, parse_decimal
from lede.payments import services
from lede.payments.models import Order, PaymentAttempt

from .base import (
    CheckoutAction,
    NotificationResult,
    PaymentProvider,
    RefundResult,
    RenewalResult,
    ReturnResult,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from lede.payments.seller import StoredMethod

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "HTTP_X_LEDE_SANDBOX_SIGNATURE"
TOLERANCE_SECONDS = 300


@dataclass(frozen=True)
class SandboxCard:
    number: str
    status: str  # approved | declined | error
    code: str
    label: str


TEST_CARDS = {
    "4242424242424242": SandboxCard("4242424242424242", "approved", "00", "Paiement accepté"),
    "4000000000000002": SandboxCard("4000000000000002", "declined", "05", "Carte refusée"),
    "4000000000000119": SandboxCard(
        "4000000000000119", "error", "99", "Erreur de traitement de la carte"
    ),
}


def enabled() -> bool:
    return bool(settings.LEDE_SANDBOX_ENABLED)


def _secret() -> bytes:
    configured = settings.LEDE_SANDBOX_SECRET
    if configured:
        return str(configured).encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"lede-sandbox-gateway", "sha256").digest()


def sign(body: bytes, timestamp: int | None = None) -> str:
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(_secret(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def verify(body: bytes, header: str, now: float | None = None) -> bool:
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        ts = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - ts) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(_secret(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), given.encode())


class CardError(ValueError):
    """A French message for one field of the card form."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def validate_card(number: str, expiry: str, cvc: str, today: date) -> SandboxCard:
    digits = "".join((number or "").split())
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        raise CardError("number", gettext("Numéro de carte invalide."))
    card = TEST_CARDS.get(digits)
    if card is None:
        raise CardError(
            "number",
            gettext(
                "Carte inconnue en mode test : utilisez 4242 4242 4242 4242 (acceptée), "
                "4000 0000 0000 0002 (refusée) ou 4000 0000 0000 0119 (erreur)."
            ),
        )
    raw = "".join((expiry or "").split())
    try:
        month_text, year_text = raw.split("/")
        month, year = int(month_text), int(year_text)
    except ValueError as exc:
        raise CardError("expiry", gettext("Date d’expiration invalide (MM/AA).")) from exc
    if year < 100:
        year += 2000
    if not 1 <= month <= 12 or (year, month) < (today.year, today.month):
        raise CardError("expiry", gettext("Date d’expiration invalide ou passée."))
    if not (cvc or "").isdigit() or len(cvc) != 3:
        raise CardError("cvc", gettext("Le cryptogramme compte 3 chiffres."))
    return card


def notification_body(attempt: PaymentAttempt, card: SandboxCard) -> bytes:
    event = {
        "id": "sbx_evt_" + secrets.token_hex(8),
        "type": f"payment.{card.status}",
        "oid": attempt.oid,
        "amount": format_decimal(attempt.amount_minor),
        "currency": attempt.currency,
        "code": card.code,
        "message": card.label,
        "transaction": "sbx_txn_" + secrets.token_hex(8),
        "card_last4": card.number[-4:],
        "token": f"tok_sandbox_{card.number}",
    }
    return json.dumps(event, sort_keys=True).encode()


def send_notification(attempt: PaymentAttempt, card: SandboxCard) -> NotificationResult:
    """What the gateway does server to server: sign a notification and have
    it applied as if it had been POSTed to our notification endpoint (in
    process: one worker must not wait on itself)."""
    body = notification_body(attempt, card)
    signature = sign(body)
    return services.notification_receive(
        provider=SandboxProvider.name, handle=lambda: notification_apply(body, signature)
    )


def _reject(reason: str) -> NotificationResult:
    logger.warning("sandbox notification rejected: %s", reason)
    return NotificationResult('{"status": "rejected"}', status=400)


def notification_apply(body: bytes, signature: str) -> NotificationResult:
    """Verify the gateway's signed notification ``body``, then apply it once."""
    if not enabled():
        return NotificationResult("", status=404)
    if not verify(body, signature):
        return _reject("bad signature")
    try:
        event: dict[str, Any] = json.loads(body)
        oid, status, transaction = event["oid"], event["type"], event["transaction"]
        amount = parse_decimal(str(event["amount"]))
        currency = str(event["currency"])
    except (ValueError, KeyError, TypeError) as exc:
        return _reject(f"malformed: {exc}")
    attempt = (
        PaymentAttempt.objects.select_related("order")
        .filter(oid=oid, provider=SandboxProvider.name)
        .first()
    )
    if attempt is None:
        return _reject(f"unknown oid {oid!r}")
    if amount != attempt.amount_minor or currency != attempt.currency:
        return _reject("amount or currency mismatch")
    payload = body.decode()
    if status == "payment.approved":
        keeps_token = attempt.order.kind in {Order.Kind.SUBSCRIPTION, Order.Kind.RENEWAL}
        outcome = services.on_payment_approved(
            provider=SandboxProvider.name,
            event_id=str(transaction),
            attempt=attempt,
            payload=payload,
            reference=str(transaction),
            token=str(event.get("token", "")) if keeps_token else "",
        )
        applied = outcome is services.Outcome.APPLIED
        body_out = json.dumps({"status": outcome.value})
        return NotificationResult(body_out, applied=applied, content_type="application/json")
    services.on_payment_declined(
        provider=SandboxProvider.name,
        event_id=str(transaction),
        attempt=attempt,
        payload=payload,
        message=str(event.get("message", "")),
        error=status == "payment.error",
    )
    return NotificationResult('{"status": "declined"}', content_type="application/json")


class SandboxProvider(PaymentProvider):
    name = "sandbox"
    label = _("Carte de test (mode test)")
    description = _("Aucun paiement réel : cartes de test seulement.")
    supports_renewal = True
    supports_refund = True

    def is_configured(self) -> bool:
        return enabled()

    def create_checkout(self, order: Order, request: HttpRequest) -> CheckoutAction:
        attempt = services.attempt_start(order=order, provider=self.name)
        return CheckoutAction.redirect(reverse("payments:sandbox_card", args=[attempt.oid]))

    def handle_return(self, request: HttpRequest) -> ReturnResult:
        oid = request.GET.get("oid", "")
        attempt = (
            PaymentAttempt.objects.select_related("order")
            .filter(oid=oid, provider=self.name)
            .first()
        )
        if attempt is None:
            return ReturnResult(order=None, error=gettext("Retour de paiement non reconnu."))
        return ReturnResult(order=attempt.order)

    def handle_notification(self, request: HttpRequest) -> NotificationResult:
        return notification_apply(request.body, request.META.get(SIGNATURE_HEADER, ""))

    def refund(self, order: Order, amount_minor: int) -> RefundResult:
        return RefundResult(reference="sbx_refund_" + secrets.token_hex(6))

    def renew(self, method: StoredMethod, order_for: Callable[[], Order]) -> RenewalResult:
        card = TEST_CARDS.get(method.token.removeprefix("tok_sandbox_"))
        if card is None:
            return RenewalResult(status="unsupported")
        attempt = services.attempt_start(order=order_for(), provider=self.name)
        send_notification(attempt, card)
        attempt.refresh_from_db()
        if attempt.status == attempt.Status.APPROVED:
            return RenewalResult(status="paid")
        return RenewalResult(status="declined", message=attempt.message)


def checkout_total_display(attempt: PaymentAttempt) -> str:
    return format_amount(attempt.amount_minor, attempt.currency)
