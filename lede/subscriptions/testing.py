"""Small builders for the subscriptions and payments tests (and benchmarks)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings

from lede.accounts.models import User
from lede.payments import services as payments

from .demo import ensure_demo_offers
from .models import Coupon, Offer, Plan, Subscription
from .services.checkout import subscription_checkout

PASSWORD = "Kasbah-Lune-2026!"  # noqa: S105 - a test reader's password

TEST_SETTINGS: dict[str, Any] = {
    "LEDE_SANDBOX_ENABLED": True,
    "LEDE_PAYMENT_PROVIDERS": ["sandbox", "cmi", "stripe", "manual"],
    "CMI_CLIENT_ID": "600000000",
    "CMI_STORE_KEY": "TEST|store\\key",
    "CMI_GATEWAY_URL": "https://testpayment.cmi.co.ma/fim/est3Dgate",
    "STRIPE_SECRET_KEY": "sk_test_lede",
    "STRIPE_WEBHOOK_SECRET": "whsec_lede_test",
    "LEDE_VAT_RATE": "20",
}


def apply_test_settings(settings_fixture: Any) -> None:
    for name, value in TEST_SETTINGS.items():
        setattr(settings_fixture, name, value)


def make_reader(
    email: str = "lectrice@example.com", *, verified: bool = True, password: str = PASSWORD
) -> Any:
    user = User.objects.create_user(email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def catalogue() -> dict[str, Any]:
    ensure_demo_offers()
    return {
        "monthly": Plan.objects.get(slug="mensuel"),
        "yearly": Plan.objects.get(slug="annuel"),
        "launch": Offer.objects.select_related("plan").get(slug="lancement"),
        "monthly_offer": Offer.objects.select_related("plan").get(slug="mensuel"),
        "yearly_offer": Offer.objects.select_related("plan").get(slug="annuel"),
    }


def make_coupon(code: str = "BIENVENUE", **kwargs: Any) -> Coupon:
    return Coupon.objects.create(code=code, **kwargs)


def pay_order(order: Any, provider: str = "sandbox", **provider_data: str) -> Any:
    """Pay ``order`` as a verified notification would."""
    attempt = payments.attempt_start(order=order, provider=provider)
    outcome = payments.on_payment_approved(
        provider=provider,
        event_id=f"test:{attempt.oid}",
        attempt=attempt,
        payload="{}",
        **provider_data,
    )
    order.refresh_from_db()
    return outcome


def subscribe(
    user: Any, offer: Offer, provider: str = "sandbox", **provider_data: str
) -> Subscription:
    order = subscription_checkout(user=user, offer=offer)
    pay_order(order, provider, **provider_data)
    assert order.subscription_id is not None
    return Subscription.objects.get(pk=order.subscription_id)


def sandbox_enabled() -> bool:
    return bool(settings.LEDE_SANDBOX_ENABLED)
