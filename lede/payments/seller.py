"""The app that sells what orders buy, as payments sees it.

Payments takes money and knows nothing of what was sold: it never imports
the subscriptions app. What a verified payment means (start a subscription,
issue a gift code, open a group licence), what a refund takes back, and the
few things a provider needs from the seller (the reader's customer id at the
provider, whether an order renews at the same price) belong to the seller,
which registers itself here once, from its ``signals.connect()``::

    from lede.payments import seller

    seller.register(SubscriptionsSeller())

Payments calls the seller inside its own transactions, with the order and
attempt rows locked: what the seller writes commits or rolls back with the
payment. A provider's own recurring billing (Stripe subscriptions) is
reported to the seller by the provider's id, in payments' own terms
(:class:`ProviderRenewal`); the seller answers whether it knows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .models import Order, PaymentAttempt
    from .services import Outcome


@dataclass(frozen=True)
class StoredMethod:
    """What a provider gave us to charge a reader again or to find them at the
    provider: its customer id, a saved card or token, and the id of the
    provider's own recurring billing when the provider renews by itself.
    ``owner`` identifies the holder in logs."""

    customer_id: str = ""
    token: str = ""
    provider_subscription_id: str = ""
    owner: str = ""


@dataclass(frozen=True)
class ProviderRenewal:
    """A provider renewed on its own and was paid (Stripe ``invoice.paid``)."""

    provider: str
    provider_subscription_id: str
    event_id: str
    reference: str
    amount_minor: int
    currency: str
    payload: str


@dataclass(frozen=True)
class Payee:
    """Who a bank transfer or a cash payment goes to."""

    legal_name: str = ""
    bank_name: str = ""
    bank_rib: str = ""
    address: str = ""


class Seller(Protocol):
    # --- reactions to payments' events (inside the payment's transaction) ---

    def on_order_paid(
        self, *, order: Order, attempt: PaymentAttempt, event_key: str, stored: StoredMethod
    ) -> None:
        """``order`` was paid by ``attempt`` (once): deliver what it bought."""

    def on_attempt_declined(
        self, *, order: Order, attempt: PaymentAttempt, event_key: str, note: str
    ) -> None:
        """An attempt at paying ``order`` was declined: nothing is granted."""

    def on_order_refunded(
        self, *, order: Order, amount_minor: int, revoke: bool, event_key: str, note: str
    ) -> None:
        """``amount_minor`` of ``order`` was given back; ``revoke`` on a full refund."""

    # --- a provider's own recurring billing ---------------------------------

    def on_provider_renewal_paid(self, *, renewal: ProviderRenewal) -> Outcome | None:
        """Record the renewal as a paid order, once per ``renewal.reference``.
        ``None`` when the provider's subscription is unknown (yet)."""

    def on_provider_renewal_updated(
        self, *, provider: str, provider_subscription_id: str, cancel_at_period_end: bool
    ) -> bool:
        """The reader stopped or resumed renewing at the provider. False when unknown."""

    def on_provider_renewal_ended(
        self, *, provider: str, provider_subscription_id: str, event_key: str
    ) -> bool:
        """The provider stopped renewing for good. False when unknown."""

    # --- what providers ask ---------------------------------------------------

    def customer_id(self, *, user: Any, provider: str) -> str:
        """The reader's customer id at ``provider`` (``""`` when none)."""

    def recurring_interval(self, *, order: Order) -> str:
        """``"month"`` or ``"year"`` when ``order`` buys a period sold at its own
        price and renewed at that price; ``""`` for one-off purchases."""

    def payee(self) -> Payee:
        """The seller's details for bank transfers."""


_seller: Seller | None = None


def register(seller: Seller) -> None:
    """Make ``seller`` the one app payments reports to (registering again
    replaces it: reloading an app does not add a second one)."""
    global _seller
    _seller = seller


def current() -> Seller:
    if _seller is None:
        # A payment applied with nobody to deliver it would take money for nothing.
        raise ImproperlyConfigured("no seller registered with lede.payments.seller")
    return _seller
