"""Manual payments: bank transfer, cash at the office, a company's purchase
order. The reader gets the instructions (amount, reference, bank details);
staff record the payment in the admin (Django admin › Commandes ›
"Enregistrer le paiement reçu"), which starts the subscription."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lede.payments.services import attempt_start

from .base import CheckoutAction, NotificationResult, PaymentProvider, RefundResult, ReturnResult

if TYPE_CHECKING:
    from django.http import HttpRequest

    from lede.payments.models import Order


class ManualProvider(PaymentProvider):
    name = "manual"
    label = _("Virement bancaire ou paiement à nos bureaux")
    description = _("Votre accès est ouvert dès que nous avons reçu le paiement.")
    supports_refund = True

    def create_checkout(self, order: Order, request: HttpRequest) -> CheckoutAction:
        attempt_start(order=order, provider=self.name)
        return CheckoutAction.redirect(reverse("payments:manual", args=[order.uuid]))

    def handle_return(self, request: HttpRequest) -> ReturnResult:
        return ReturnResult(order=None, error=gettext("Retour de paiement non reconnu."))

    def handle_notification(self, request: HttpRequest) -> NotificationResult:
        return NotificationResult("", status=404)

    def refund(self, order: Order, amount_minor: int) -> RefundResult:
        # The money goes back by transfer or cash; the refund is recorded here.
        return RefundResult(reference="manuel-" + secrets.token_hex(4))
