"""Subscriptions as payments' seller (:mod:`lede.payments.seller`): what a
verified payment, a decline or a refund means here, what a provider's own
renewals change, and what providers ask about readers. Registered by
:func:`lede.subscriptions.signals.connect`."""

from __future__ import annotations

from typing import Any

from lede.payments.models import Order, PaymentAttempt
from lede.payments.seller import Payee, ProviderRenewal, StoredMethod
from lede.payments.services import Outcome

from .invoices import billing_settings
from .selectors import provider_customer_id
from .services import cancelling, fulfilment, refunds, renewals


class SubscriptionsSeller:
    def on_order_paid(
        self, *, order: Order, attempt: PaymentAttempt, event_key: str, stored: StoredMethod
    ) -> None:
        fulfilment.on_order_paid(order=order, attempt=attempt, event_key=event_key, stored=stored)

    def on_attempt_declined(
        self, *, order: Order, attempt: PaymentAttempt, event_key: str, note: str
    ) -> None:
        fulfilment.on_attempt_declined(order=order, attempt=attempt, event_key=event_key, note=note)

    def on_order_refunded(
        self, *, order: Order, amount_minor: int, revoke: bool, event_key: str, note: str
    ) -> None:
        refunds.on_order_refunded(
            order=order, amount_minor=amount_minor, revoke=revoke, event_key=event_key, note=note
        )

    def on_provider_renewal_paid(self, *, renewal: ProviderRenewal) -> Outcome | None:
        return renewals.on_provider_renewal_paid(renewal=renewal)

    def on_provider_renewal_updated(
        self, *, provider: str, provider_subscription_id: str, cancel_at_period_end: bool
    ) -> bool:
        return cancelling.on_provider_renewal_updated(
            provider=provider,
            provider_subscription_id=provider_subscription_id,
            cancel_at_period_end=cancel_at_period_end,
        )

    def on_provider_renewal_ended(
        self, *, provider: str, provider_subscription_id: str, event_key: str
    ) -> bool:
        return cancelling.on_provider_renewal_ended(
            provider=provider,
            provider_subscription_id=provider_subscription_id,
            event_key=event_key,
        )

    def customer_id(self, *, user: Any, provider: str) -> str:
        return provider_customer_id(user=user, provider=provider)

    def recurring_interval(self, *, order: Order) -> str:
        # Only a plan sold at its own price from the first period can be
        # renewed by the provider at that price (no launch price, no coupon).
        plan = order.plan
        if (
            order.kind == Order.Kind.SUBSCRIPTION
            and plan is not None
            and order.discount_minor == 0
            and order.amount_minor == plan.price_minor
            and not (order.offer is not None and order.offer.has_intro)
        ):
            return plan.period
        return ""

    def payee(self) -> Payee:
        billing = billing_settings()
        return Payee(
            legal_name=billing.legal_name,
            bank_name=billing.bank_name,
            bank_rib=billing.bank_rib,
            address=billing.address,
        )
