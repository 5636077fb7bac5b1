"""Stripe: Checkout Sessions (outbound calls mocked) and signed webhooks.

Webhook payloads are signed here with the webhook secret exactly as Stripe
does (``t=<timestamp>,v1=<HMAC-SHA256 of "<t>.<body>">``) and verified by
the real ``stripe`` library. No network: every outbound API call is patched.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from functools import partial
from types import SimpleNamespace
from typing import Any

import pytest
import stripe
from django.test import Client

from lede.payments import services
from lede.payments.models import Order, ProviderEvent
from lede.paywall.models import AccessGrant
from lede.subscriptions.models import Invoice, Subscription
from lede.subscriptions.services.checkout import subscription_checkout
from lede.subscriptions.testing import TEST_SETTINGS

WEBHOOK = "/paiement/notification/stripe/"
SECRET = TEST_SETTINGS["STRIPE_WEBHOOK_SECRET"]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    class Offline:
        name = "offline"

        def __getattr__(self, item: str) -> Any:
            raise AssertionError("the Stripe API must not be called from tests")

    monkeypatch.setattr(stripe, "default_http_client", Offline())


@pytest.fixture
def sessions(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def create(**params: Any) -> Any:
        calls.append(params)
        n = len(calls)
        return SimpleNamespace(
            id=f"cs_test_{n}", url=f"https://checkout.stripe.com/c/pay/cs_test_{n}"
        )

    monkeypatch.setattr(stripe.checkout.Session, "create", create)
    return calls


def sign(
    payload: dict[str, Any], secret: str = SECRET, timestamp: int | None = None
) -> tuple[str, str]:
    body = json.dumps(payload)
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{ts}.{body}".encode(), hashlib.sha256).hexdigest()
    return body, f"t={ts},v1={mac}"


def deliver(client: Client, payload: dict[str, Any], **kwargs: Any) -> Any:
    body, header = sign(payload, **kwargs)
    return client.post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


def event(event_id: str, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "api_version": "2025-06-30.basil",
        "created": int(time.time()),
        "data": {"object": obj},
    }


def session_completed(order: Order, oid: str, **overrides: Any) -> dict[str, Any]:
    obj = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "client_reference_id": oid,
        "metadata": {"oid": oid, "order": str(order.uuid)},
        "amount_total": order.amount_minor,
        "currency": order.currency.lower(),
        "payment_status": "paid",
        "status": "complete",
        "customer": "cus_123",
        "subscription": None,
        "payment_intent": "pi_123",
    }
    obj.update(overrides)
    return obj


def test_checkout_session_payment_mode_for_the_launch_offer(
    reader_client: Client, catalogue: dict[str, Any], sessions: list[dict[str, Any]]
) -> None:
    response = reader_client.post(
        "/abonnement/commande/lancement/?next=/x/", {"provider": "stripe", "action": "pay"}
    )
    assert response.status_code == 303
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    params = sessions[0]
    attempt = Order.objects.get().attempts.get()
    assert params["api_key"] == "sk_test_lede"
    assert params["idempotency_key"] == f"checkout-{attempt.oid}"
    assert params["mode"] == "payment"
    assert params["client_reference_id"] == attempt.oid
    assert params["line_items"][0]["price_data"]["unit_amount"] == 6000
    assert params["line_items"][0]["price_data"]["currency"] == "mad"
    assert params["payment_intent_data"]["setup_future_usage"] == "off_session"
    assert params["customer_creation"] == "always"
    assert "{CHECKOUT_SESSION_ID}" in params["success_url"]
    assert attempt.provider_reference == "cs_test_1"


def test_checkout_session_subscription_mode_for_a_plain_plan(
    reader_client: Client, catalogue: dict[str, Any], sessions: list[dict[str, Any]]
) -> None:
    reader_client.post("/abonnement/commande/annuel/", {"provider": "stripe", "action": "pay"})
    params = sessions[0]
    assert params["mode"] == "subscription"
    assert params["line_items"][0]["price_data"]["recurring"] == {"interval": "year"}
    assert "payment_intent_data" not in params


def test_checkout_session_error_is_a_french_409(
    reader_client: Client, catalogue: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(**params: Any) -> Any:
        raise stripe.APIConnectionError("network down")

    monkeypatch.setattr(stripe.checkout.Session, "create", boom)
    response = reader_client.post(
        "/abonnement/commande/lancement/", {"provider": "stripe", "action": "pay"}
    )
    assert response.status_code == 409
    assert "momentanément indisponible" in response.content.decode()


@pytest.fixture
def stripe_order(catalogue: dict[str, Any], reader: Any) -> tuple[Order, str]:
    order = subscription_checkout(user=reader, offer=catalogue["yearly_offer"])
    attempt = services.attempt_start(order=order, provider="stripe")
    return order, attempt.oid


def test_completed_session_applied_once_across_five_deliveries(
    client: Client, stripe_order: tuple[Order, str], reader: Any
) -> None:
    order, oid = stripe_order
    payload = event(
        "evt_1", "checkout.session.completed", session_completed(order, oid, subscription="sub_123")
    )
    for _ in range(5):
        response = deliver(client, payload)
        assert response.status_code == 200
    subscription = Subscription.objects.get(user=reader)
    assert subscription.status == "active"
    assert subscription.provider_customer_id == "cus_123"
    assert subscription.provider_subscription_id == "sub_123"
    assert AccessGrant.objects.filter(user=reader).count() == 1
    assert Invoice.objects.count() == 1
    assert ProviderEvent.objects.filter(provider="stripe").count() == 1
    # Another event about the same session (async success) changes nothing.
    other = event(
        "evt_2", "checkout.session.async_payment_succeeded", session_completed(order, oid)
    )
    assert deliver(client, other).status_code == 200
    assert Invoice.objects.count() == 1


@pytest.mark.parametrize("how", ["bad-signature", "wrong-secret", "stale", "no-header", "not-json"])
def test_unverified_webhooks_are_rejected(
    client: Client, stripe_order: tuple[Order, str], reader: Any, how: str
) -> None:
    order, oid = stripe_order
    payload = event("evt_1", "checkout.session.completed", session_completed(order, oid))
    if how == "bad-signature":
        body, header = sign(payload)
        header = header[:-4] + "0000"
    elif how == "wrong-secret":
        body, header = sign(payload, secret="whsec_other")
    elif how == "stale":
        body, header = sign(payload, timestamp=int(time.time()) - 3600)
    elif how == "no-header":
        body, header = json.dumps(payload), ""
    else:
        body = "{not json"
        header = sign({})[1]
        ts = header.split(",")[0][2:]
        mac = hmac.new(SECRET.encode(), f"{ts}.{body}".encode(), hashlib.sha256).hexdigest()
        header = f"t={ts},v1={mac}"
    response = client.post(
        WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 400
    assert not AccessGrant.objects.exists()
    assert not ProviderEvent.objects.exists()


def test_amount_mismatch_is_rejected(
    client: Client, stripe_order: tuple[Order, str], reader: Any
) -> None:
    order, oid = stripe_order
    for overrides in ({"amount_total": 100}, {"currency": "eur"}):
        payload = event(
            "evt_x", "checkout.session.completed", session_completed(order, oid, **overrides)
        )
        assert deliver(client, payload).status_code == 400
    assert not AccessGrant.objects.exists()


def test_unpaid_session_waits(client: Client, stripe_order: tuple[Order, str]) -> None:
    order, oid = stripe_order
    payload = event(
        "evt_u",
        "checkout.session.completed",
        session_completed(order, oid, payment_status="unpaid"),
    )
    assert deliver(client, payload).status_code == 200
    order.refresh_from_db()
    assert order.status == "pending"


def _active_stripe_subscription(client: Client, stripe_order: tuple[Order, str]) -> Subscription:
    order, oid = stripe_order
    deliver(
        client,
        event(
            "evt_c",
            "checkout.session.completed",
            session_completed(order, oid, subscription="sub_123", payment_intent=None),
        ),
    )
    return Subscription.objects.get(provider_subscription_id="sub_123")


def invoice(
    invoice_id: str, reason: str = "subscription_cycle", amount: int = 60000
) -> dict[str, Any]:
    return {
        "id": invoice_id,
        "object": "invoice",
        "billing_reason": reason,
        "amount_paid": amount,
        "currency": "mad",
        "customer": "cus_123",
        "parent": {"subscription_details": {"subscription": "sub_123"}},
    }


def test_invoice_paid_renews_once(client: Client, stripe_order: tuple[Order, str]) -> None:
    subscription = _active_stripe_subscription(client, stripe_order)
    end = subscription.current_period_end
    first = deliver(client, event("evt_i1", "invoice.paid", invoice("in_1", "subscription_create")))
    assert first.status_code == 200
    subscription.refresh_from_db()
    assert subscription.current_period_end == end  # the first invoice is the checkout's
    renewal = event("evt_i2", "invoice.paid", invoice("in_2"))
    for _ in range(3):
        assert deliver(client, renewal).status_code == 200
    # The same invoice under another event id: still once.
    assert deliver(client, event("evt_i3", "invoice.paid", invoice("in_2"))).status_code == 200
    subscription.refresh_from_db()
    assert subscription.periods_paid == 2
    assert subscription.current_period_end and end and subscription.current_period_end > end
    assert Invoice.objects.count() == 2
    grant = AccessGrant.objects.get(source=f"subscription:{subscription.pk}")
    assert grant.ends_at == subscription.current_period_end


def test_out_of_order_renewal_is_retried_later(
    client: Client, stripe_order: tuple[Order, str]
) -> None:
    early = event("evt_early", "invoice.paid", invoice("in_9"))
    response = deliver(client, early)
    assert response.status_code == 409  # Stripe will deliver it again
    assert not ProviderEvent.objects.filter(event_id="evt_early").exists()
    subscription = _active_stripe_subscription(client, stripe_order)
    assert deliver(client, early).status_code == 200
    subscription.refresh_from_db()
    assert subscription.periods_paid == 2


def test_subscription_deleted_lets_the_period_run_out(
    client: Client, stripe_order: tuple[Order, str]
) -> None:
    subscription = _active_stripe_subscription(client, stripe_order)
    payload = event(
        "evt_d", "customer.subscription.deleted", {"id": "sub_123", "object": "subscription"}
    )
    assert deliver(client, payload).status_code == 200
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end
    assert subscription.status == "active"
    grant = AccessGrant.objects.get(source=f"subscription:{subscription.pk}")
    assert grant.ends_at == subscription.current_period_end


def test_portal_cancellation_is_synchronised(
    client: Client, stripe_order: tuple[Order, str]
) -> None:
    subscription = _active_stripe_subscription(client, stripe_order)
    updated = {"id": "sub_123", "object": "subscription", "cancel_at_period_end": True}
    deliver(client, event("evt_up", "customer.subscription.updated", updated))
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end


def test_other_events_are_acknowledged(client: Client, db: Any) -> None:
    response = deliver(client, event("evt_o", "customer.created", {"id": "cus_1"}))
    assert response.status_code == 200
    assert ProviderEvent.objects.get(event_id="evt_o").outcome == "ignored"


def test_reader_cancel_tells_stripe(
    client: Client, stripe_order: tuple[Order, str], reader: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscription = _active_stripe_subscription(client, stripe_order)
    calls: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(stripe.Subscription, "modify", lambda sid, **kw: calls.append((sid, kw)))
    client.force_login(reader)
    client.post("/abonnement/resilier/")
    assert calls == [("sub_123", {"api_key": "sk_test_lede", "cancel_at_period_end": True})]
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end
    client.post("/abonnement/reprendre/")
    assert calls[-1][1]["cancel_at_period_end"] is False


def _renew(provider: Any, subscription: Any) -> Any:
    """What the renewal scheduler asks of a provider for ``subscription``."""
    from lede.subscriptions.selectors import stored_method
    from lede.subscriptions.services.renewals import renewal_checkout

    return provider.renew(
        stored_method(subscription),
        partial(renewal_checkout, subscription=subscription, provider=provider.name),
    )


def test_renew_with_saved_card(
    catalogue: dict[str, Any], reader: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lede.subscriptions.testing import subscribe

    subscription = subscribe(
        reader, catalogue["launch"], provider="stripe", customer_id="cus_9", token="pm_9"
    )
    monkeypatch.setattr(
        stripe.PaymentIntent,
        "create",
        lambda **kw: SimpleNamespace(id="pi_renew", status="succeeded", kw=kw),
    )
    from lede.payments.providers.stripe_provider import StripeProvider

    result = _renew(StripeProvider(), subscription)
    assert result.status == "paid"
    subscription.refresh_from_db()
    assert subscription.periods_paid == 2
    assert Order.objects.filter(kind="renewal", status="paid", amount_minor=7000).count() == 1


def test_renew_declined_card(
    catalogue: dict[str, Any], reader: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lede.payments.providers.stripe_provider import StripeProvider
    from lede.subscriptions.testing import subscribe

    subscription = subscribe(
        reader, catalogue["monthly_offer"], provider="stripe", customer_id="cus_9", token="pm_9"
    )

    def declined(**kw: Any) -> Any:
        raise stripe.CardError("Your card was declined.", "card", "card_declined")

    monkeypatch.setattr(stripe.PaymentIntent, "create", declined)
    assert _renew(StripeProvider(), subscription).status == "declined"
    subscription.refresh_from_db()
    assert subscription.periods_paid == 1
    assert Order.objects.get(kind="renewal").attempts.get().status == "declined"
