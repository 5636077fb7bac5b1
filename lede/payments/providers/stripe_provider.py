"""Stripe, with the official ``stripe`` package (the only module importing it).

Checkout Sessions: ``mode=subscription`` when the plan is sold at its own
price from the first period (Stripe then renews, and tells us with
``invoice.paid``); ``mode=payment`` otherwise (launch price, coupon, gifts,
group licences), saving the card (``setup_future_usage=off_session``) for
subscriptions so that :meth:`StripeProvider.renew` can charge the next period.

Webhooks are verified with ``stripe.Webhook.construct_event`` (the library's
signature check with its timestamp tolerance) before anything is read; each
event id is stored once. Handled: ``checkout.session.completed`` (and
``checkout.session.async_payment_succeeded``), ``invoice.paid`` (renewals),
``customer.subscription.updated`` (cancel at period end from the customer
portal) and ``customer.subscription.deleted``. Out of order: an ``invoice.paid``
or subscription event for a subscription we do not know yet is answered 409,
so Stripe delivers it again later; duplicates are answered 200 and change
nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import stripe
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lede.core.site import site_url
from lede.payments import seller, services
from lede.payments.models import Order, PaymentAttempt, ProviderEvent

from .base import (
    CheckoutAction,
    NotificationResult,
    NotSupported,
    PaymentProvider,
    ProviderError,
    RefundResult,
    RenewalResult,
    ReturnResult,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger(__name__)


def secret_key() -> str:
    return str(settings.STRIPE_SECRET_KEY or "")


def webhook_secret() -> str:
    return str(settings.STRIPE_WEBHOOK_SECRET or "")


def tolerance() -> int:
    return int(settings.STRIPE_WEBHOOK_TOLERANCE)


def succeeded_payment_intents(
    since: datetime | None, until: datetime | None
) -> Iterator[dict[str, Any]]:
    """Every succeeded PaymentIntent created in the period (for reconciliation)."""
    created: dict[str, int] = {}
    if since is not None:
        created["gte"] = int(since.timestamp())
    if until is not None:
        created["lt"] = int(until.timestamp())
    params: dict[str, Any] = {"api_key": secret_key(), "limit": 100}
    if created:
        params["created"] = created
    list_intents: Any = stripe.PaymentIntent.list
    for intent in list_intents(**params).auto_paging_iter():
        data = intent.to_dict()
        if data.get("status") == "succeeded":
            yield data


def _ok(message: str = "ok") -> NotificationResult:
    return NotificationResult(json.dumps({"status": message}), content_type="application/json")


def _fail(status: int, message: str) -> NotificationResult:
    return NotificationResult(
        json.dumps({"status": message}), status=status, content_type="application/json"
    )


def _invoice_subscription_id(invoice: dict[str, Any]) -> str:
    """Where the subscription id lives depends on the API version."""
    direct = invoice.get("subscription")
    if isinstance(direct, str) and direct:
        return direct
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    value = details.get("subscription")
    return value if isinstance(value, str) else ""


class StripeProvider(PaymentProvider):
    name = "stripe"
    label = _("Carte bancaire internationale (Stripe)")
    description = _("Visa, Mastercard, American Express.")
    supports_renewal = True
    supports_refund = True

    def is_configured(self) -> bool:
        return bool(secret_key())

    # --- checkout -------------------------------------------------------------

    @staticmethod
    def checkout_mode(order: Order) -> str:
        """``subscription`` (Stripe renews) when the seller says the order buys
        a period renewed at the same price, else ``payment``."""
        if seller.current().recurring_interval(order=order):
            return "subscription"
        return "payment"

    def session_params(
        self, order: Order, attempt: PaymentAttempt, request: HttpRequest
    ) -> dict[str, Any]:
        interval = seller.current().recurring_interval(order=order)
        mode = "subscription" if interval else "payment"
        back = site_url(reverse("payments:return", args=[self.name]))
        metadata = {"oid": attempt.oid, "order": str(order.uuid)}
        price_data: dict[str, Any] = {
            "currency": order.currency.lower(),
            "unit_amount": order.amount_minor,
            "product_data": {"name": order.description[:250]},
        }
        if mode == "subscription":
            price_data["recurring"] = {"interval": interval}
        params: dict[str, Any] = {
            "mode": mode,
            "line_items": [{"quantity": 1, "price_data": price_data}],
            "success_url": f"{back}?oid={attempt.oid}&session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": f"{back}?oid={attempt.oid}&canceled=1",
            "client_reference_id": attempt.oid,
            "metadata": metadata,
            "locale": "fr",
        }
        customer = seller.current().customer_id(user=order.user, provider=self.name)
        if customer:
            params["customer"] = customer
        else:
            params["customer_email"] = order.user.email
        if mode == "subscription":
            params["subscription_data"] = {"metadata": metadata}
        else:
            intent: dict[str, Any] = {"metadata": metadata}
            if order.kind in {Order.Kind.SUBSCRIPTION, Order.Kind.RENEWAL}:
                intent["setup_future_usage"] = "off_session"
                if not customer:
                    params["customer_creation"] = "always"
            params["payment_intent_data"] = intent
        return params

    def create_checkout(self, order: Order, request: HttpRequest) -> CheckoutAction:
        attempt = services.attempt_start(order=order, provider=self.name)
        params = self.session_params(order, attempt, request)
        create: Any = stripe.checkout.Session.create
        try:
            session = create(
                api_key=secret_key(), idempotency_key=f"checkout-{attempt.oid}", **params
            )
        except stripe.StripeError as exc:
            logger.error("Stripe checkout session for %s failed: %s", attempt.oid, exc)
            raise ProviderError(
                gettext("Le paiement par carte est momentanément indisponible. Réessayez.")
            ) from exc
        attempt.provider_reference = str(session.id)
        attempt.save(update_fields=["provider_reference", "updated_at"])
        return CheckoutAction.redirect(str(session.url))

    def handle_return(self, request: HttpRequest) -> ReturnResult:
        attempt = (
            PaymentAttempt.objects.select_related("order")
            .filter(oid=request.GET.get("oid", ""), provider=self.name)
            .first()
        )
        if attempt is None:
            return ReturnResult(order=None, error=gettext("Retour de paiement non reconnu."))
        return ReturnResult(order=attempt.order)

    # --- webhooks -------------------------------------------------------------

    def handle_notification(self, request: HttpRequest) -> NotificationResult:
        secret = webhook_secret()
        if not secret:
            logger.error("Stripe webhook received but STRIPE_WEBHOOK_SECRET is not set")
            return _fail(400, "not configured")
        payload = request.body
        header = request.META.get("HTTP_STRIPE_SIGNATURE", "")
        try:
            stripe.Webhook.construct_event(payload, header, secret, tolerance=tolerance())
            event: dict[str, Any] = json.loads(payload)
            event_id = str(event["id"])
            event_type = str(event["type"])
            obj: dict[str, Any] = event["data"]["object"]
        except (ValueError, KeyError, TypeError, stripe.SignatureVerificationError) as exc:
            logger.warning("Stripe webhook rejected: %s", exc)
            return _fail(400, "rejected")
        if ProviderEvent.objects.filter(provider=self.name, event_id=event_id).exists():
            return _ok("duplicate")
        handlers = {
            "checkout.session.completed": self._checkout_completed,
            "checkout.session.async_payment_succeeded": self._checkout_completed,
            "invoice.paid": self._invoice_paid,
            "customer.subscription.updated": self._subscription_updated,
            "customer.subscription.deleted": self._subscription_deleted,
        }
        handler = handlers.get(event_type)
        if handler is None:
            return self._ignore(event_id, event_type, payload, "unhandled type")
        return handler(event_id, event_type, obj, payload.decode())

    def _ignore(
        self, event_id: str, event_type: str, payload: bytes | str, why: str
    ) -> NotificationResult:
        text = payload.decode() if isinstance(payload, bytes) else payload
        services.event_record(
            provider=self.name,
            event_id=event_id,
            kind=event_type,
            payload=text,
            outcome="ignored",
            message=why,
        )
        return _ok("ignored")

    def _checkout_completed(
        self, event_id: str, event_type: str, session: dict[str, Any], payload: str
    ) -> NotificationResult:
        if session.get("payment_status") not in {"paid", "no_payment_required"}:
            return self._ignore(event_id, event_type, payload, "payment not completed yet")
        oid = session.get("client_reference_id") or (session.get("metadata") or {}).get("oid")
        attempt = (
            PaymentAttempt.objects.select_related("order")
            .filter(oid=str(oid or ""), provider=self.name)
            .first()
        )
        if attempt is None:
            return self._ignore(event_id, event_type, payload, "session not created by Lede")
        amount, currency = session.get("amount_total"), str(session.get("currency") or "")
        if amount != attempt.amount_minor or currency.upper() != attempt.currency.upper():
            logger.warning(
                "Stripe session %s: amount %s %s does not match attempt %s",
                session.get("id"),
                amount,
                currency,
                attempt.oid,
            )
            return _fail(400, "amount mismatch")
        outcome = services.on_payment_approved(
            provider=self.name,
            event_id=event_id,
            attempt=attempt,
            payload=payload,
            reference=str(session.get("payment_intent") or session.get("id") or ""),
            customer_id=str(session.get("customer") or ""),
            subscription_id=str(session.get("subscription") or ""),
            event_kind=event_type,
        )
        return _ok(outcome.value)

    def _invoice_paid(
        self, event_id: str, event_type: str, invoice: dict[str, Any], payload: str
    ) -> NotificationResult:
        if invoice.get("billing_reason") == "subscription_create":
            # The first period is paid by the Checkout Session.
            return self._ignore(event_id, event_type, payload, "first invoice")
        stripe_subscription = _invoice_subscription_id(invoice)
        if not stripe_subscription:
            return self._ignore(event_id, event_type, payload, "not a subscription invoice")
        renewal = seller.ProviderRenewal(
            provider=self.name,
            provider_subscription_id=stripe_subscription,
            event_id=event_id,
            reference=str(invoice.get("id") or ""),
            amount_minor=int(invoice.get("amount_paid") or 0),
            currency=str(invoice.get("currency") or "").upper(),
            payload=payload,
        )
        try:
            outcome = seller.current().on_provider_renewal_paid(renewal=renewal)
        except services.PaymentError as exc:
            logger.warning("Stripe invoice %s not applied: %s", invoice.get("id"), exc)
            return _fail(400, "rejected")
        if outcome is None:
            return _fail(409, "unknown subscription, retry later")
        return _ok(outcome.value)

    def _subscription_updated(
        self, event_id: str, event_type: str, obj: dict[str, Any], payload: str
    ) -> NotificationResult:
        known = seller.current().on_provider_renewal_updated(
            provider=self.name,
            provider_subscription_id=str(obj.get("id") or ""),
            cancel_at_period_end=bool(obj.get("cancel_at_period_end")),
        )
        if not known:
            return self._ignore(event_id, event_type, payload, "unknown subscription")
        return self._ignore(event_id, event_type, payload, "synchronised")

    def _subscription_deleted(
        self, event_id: str, event_type: str, obj: dict[str, Any], payload: str
    ) -> NotificationResult:
        known = seller.current().on_provider_renewal_ended(
            provider=self.name,
            provider_subscription_id=str(obj.get("id") or ""),
            event_key=f"{self.name}:{event_id}",
        )
        if not known:
            return _fail(409, "unknown subscription, retry later")
        return self._ignore(event_id, event_type, payload, "applied")

    # --- after the sale -------------------------------------------------------

    def refund(self, order: Order, amount_minor: int) -> RefundResult:
        attempt = order.attempts.filter(status="approved").first()
        reference = attempt.provider_reference if attempt is not None else ""
        if not reference.startswith("pi_"):
            raise NotSupported(gettext("À rembourser depuis le tableau de bord Stripe."))
        create: Any = stripe.Refund.create
        try:
            refund = create(
                api_key=secret_key(),
                payment_intent=reference,
                amount=amount_minor,
                idempotency_key=f"refund-{order.uuid}-{order.refunded_minor}-{amount_minor}",
            )
        except stripe.StripeError as exc:
            raise ProviderError(gettext("Stripe a refusé le remboursement.")) from exc
        return RefundResult(reference=str(refund.id))

    def renew(self, method: seller.StoredMethod, order_for: Callable[[], Order]) -> RenewalResult:
        """Charge the next period off-session with the saved card (subscriptions
        bought in payment mode). Stripe-managed subscriptions renew themselves."""
        if method.provider_subscription_id or not method.customer_id:
            return RenewalResult(status="unsupported")
        card = method.token
        if not card:
            list_methods: Any = stripe.PaymentMethod.list
            try:
                methods = list_methods(
                    api_key=secret_key(),
                    customer=method.customer_id,
                    type="card",
                    limit=1,
                )
            except stripe.StripeError as exc:
                logger.error("Stripe: no payment method for %s: %s", method.owner, exc)
                return RenewalResult(status="pending", message=str(exc))
            data = list(methods.data)
            if not data:
                return RenewalResult(status="unsupported")
            card = str(data[0].id)
        order = order_for()
        attempt = services.attempt_start(order=order, provider=self.name)
        create: Any = stripe.PaymentIntent.create
        try:
            intent = create(
                api_key=secret_key(),
                amount=attempt.amount_minor,
                currency=attempt.currency.lower(),
                customer=method.customer_id,
                payment_method=card,
                off_session=True,
                confirm=True,
                metadata={"oid": attempt.oid, "order": str(order.uuid)},
                idempotency_key=f"renew-{attempt.oid}",
            )
        except stripe.CardError as exc:
            services.on_payment_declined(
                provider=self.name,
                event_id=f"renew:{attempt.oid}:declined",
                attempt=attempt,
                payload=str(exc)[:2000],
                message=gettext("Carte refusée"),
            )
            return RenewalResult(status="declined", message=str(exc.user_message or ""))
        except stripe.StripeError as exc:
            logger.error("Stripe renewal of subscription %s failed: %s", method.owner, exc)
            return RenewalResult(status="pending", message=str(exc))
        if intent.status != "succeeded":
            return RenewalResult(status="pending", message=str(intent.status))
        services.on_payment_approved(
            provider=self.name,
            event_id=f"pi:{intent.id}",
            attempt=attempt,
            payload=json.dumps({"payment_intent": str(intent.id)}),
            reference=str(intent.id),
            customer_id=method.customer_id,
            token=card,
            event_kind="renewal",
        )
        return RenewalResult(status="paid")

    def cancel_at_period_end(self, method: seller.StoredMethod, cancel: bool) -> None:
        if not method.provider_subscription_id:
            return
        modify: Any = stripe.Subscription.modify
        try:
            modify(
                method.provider_subscription_id,
                api_key=secret_key(),
                cancel_at_period_end=cancel,
            )
        except stripe.StripeError as exc:
            raise ProviderError(
                gettext("Stripe n’a pas pu enregistrer ce changement. Réessayez plus tard.")
            ) from exc

    def portal_url(self, customer_id: str, return_url: str) -> str:
        create: Any = stripe.billing_portal.Session.create
        try:
            session = create(
                api_key=secret_key(),
                customer=customer_id,
                return_url=return_url,
            )
        except stripe.StripeError as exc:
            raise ProviderError(
                gettext("Le portail Stripe est momentanément indisponible.")
            ) from exc
        return str(session.url)
