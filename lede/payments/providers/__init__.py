"""The payment providers and which of them this installation offers.

``LEDE_PAYMENT_PROVIDERS`` lists them in the order readers see them; each is
offered only when configured (CMI: client id and store key; Stripe: secret
key; sandbox: ``LEDE_SANDBOX_ENABLED``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import PaymentProvider

PROVIDER_CLASSES = {
    "cmi": "lede.payments.providers.cmi.CMIProvider",
    "stripe": "lede.payments.providers.stripe_provider.StripeProvider",
    "manual": "lede.payments.providers.manual.ManualProvider",
    "sandbox": "lede.payments.providers.sandbox.SandboxProvider",
}


class UnknownProvider(LookupError):
    pass


def get_provider(name: str) -> PaymentProvider:
    dotted = PROVIDER_CLASSES.get(name)
    if dotted is None:
        raise UnknownProvider(name)
    cls = import_string(dotted)
    provider: PaymentProvider = cls()
    return provider


def configured_names() -> list[str]:
    return [n for n in settings.LEDE_PAYMENT_PROVIDERS if n in PROVIDER_CLASSES]


def available_providers() -> list[PaymentProvider]:
    """The providers a reader may choose, in the configured order."""
    out = []
    for name in configured_names():
        provider = get_provider(name)
        if provider.is_configured():
            out.append(provider)
    return out


def available_provider(name: str) -> PaymentProvider | None:
    if name not in configured_names():
        return None
    try:
        provider = get_provider(name)
    except UnknownProvider:
        return None
    return provider if provider.is_configured() else None
