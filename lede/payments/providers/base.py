"""The one interface every payment provider implements.

A provider turns an :class:`~lede.payments.models.Order` into a checkout (a
redirect, or a form the browser auto-submits to the gateway), handles the
browser's return (which never grants anything) and the provider's
server-to-server notification (which is verified, then applied exactly once
through :mod:`lede.payments.services`), refunds, and optionally renews a
subscription with a stored token.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest

    from lede.payments.models import Order
    from lede.payments.seller import StoredMethod


class ProviderError(Exception):
    """A provider could not do what was asked; ``message`` is for the reader (French)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotSupported(ProviderError):
    pass


@dataclass(frozen=True)
class CheckoutAction:
    """Where to send the reader's browser: a plain redirect, or a form POSTed
    to the gateway (rendered as an auto-submitting page)."""

    url: str
    method: Literal["GET", "POST"] = "GET"
    fields: dict[str, str] = field(default_factory=dict)

    @classmethod
    def redirect(cls, url: str) -> CheckoutAction:
        return cls(url=url)

    @classmethod
    def form(cls, url: str, fields: dict[str, str]) -> CheckoutAction:
        return cls(url=url, method="POST", fields=dict(fields))

    @property
    def is_form(self) -> bool:
        return self.method == "POST"


@dataclass(frozen=True)
class ReturnResult:
    """The reader's browser is back. ``order`` is the order to show (its state
    comes only from verified notifications); ``None`` with an ``error`` when
    the return could not be matched to an order."""

    order: Order | None
    error: str = ""


@dataclass(frozen=True)
class NotificationResult:
    """What to answer the provider, and whether anything was applied."""

    body: str
    status: int = 200
    applied: bool = False
    content_type: str = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class RenewalResult:
    status: Literal["paid", "declined", "pending", "unsupported"]
    message: str = ""


@dataclass(frozen=True)
class RefundResult:
    reference: str = ""


class PaymentProvider(ABC):
    #: Stored on orders, attempts and events ("cmi", "stripe", "manual", "sandbox").
    name: ClassVar[str]
    #: Shown to readers on the checkout page.
    label: ClassVar[str | Promise]
    description: ClassVar[str | Promise] = ""
    supports_renewal: ClassVar[bool] = False
    supports_refund: ClassVar[bool] = False

    def is_configured(self) -> bool:
        """Credentials present and allowed in this environment (notifications
        are accepted when configured, even if no longer offered to readers)."""
        return True

    @abstractmethod
    def create_checkout(self, order: Order, request: HttpRequest) -> CheckoutAction:
        """Start a fresh attempt (new ``oid``) at paying ``order``."""

    @abstractmethod
    def handle_return(self, request: HttpRequest) -> ReturnResult:
        """The browser came back from the provider. Never grants anything."""

    @abstractmethod
    def handle_notification(self, request: HttpRequest) -> NotificationResult:
        """The provider's server-to-server notification: verify, then apply once."""

    def refund(self, order: Order, amount_minor: int) -> RefundResult:
        """Give money back at the provider. Providers without an API raise
        :class:`NotSupported`: staff refund in the provider's back office and
        record it."""
        raise NotSupported(str(_("Remboursement à faire dans l’espace du prestataire.")))

    def renew(self, method: StoredMethod, order_for: Callable[[], Order]) -> RenewalResult:
        """Charge the next period with a stored token, when supported.
        ``order_for()`` gives the pending order of that period; a provider
        calls it only once it is about to charge."""
        return RenewalResult(status="unsupported")

    def cancel_at_period_end(self, method: StoredMethod, cancel: bool) -> None:
        """Tell a provider that renews on its own (Stripe subscriptions) to
        stop — or resume — renewing. Nothing to do for the others."""
        return None
