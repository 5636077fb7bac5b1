"""Small builders for the subscriptions and payments tests (and benchmarks)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .models import Coupon, Offer, Plan, Subscription

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
    from allauth.account.models import EmailAddress

    from lede.accounts.models import User

    user = User.objects.create_user(email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def catalogue() -> dict[str, Any]:
    from .demo import ensure_demo_offers

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
    from lede.payments import services

    attempt = services.attempt_start(order=order, provider=provider)
    outcome = services.payment_succeeded(
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
    from . import services

    order = services.checkout_subscription(user=user, offer=offer)
    pay_order(order, provider, **provider_data)
    assert order.subscription_id is not None
    return Subscription.objects.get(pk=order.subscription_id)


def sandbox_enabled() -> bool:
    return bool(getattr(settings, "LEDE_SANDBOX_ENABLED", False))
