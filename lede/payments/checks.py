"""System checks of the payment providers (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register

from .providers import sandbox


@register(Tags.security, deploy=True)
def sandbox_refused_in_deployment(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The sandbox gateway approves its test cards: a deployment that offered
    it would hand out subscriptions for free."""
    if not sandbox.enabled():
        return []
    return [
        Error(
            "The payment sandbox is on (LEDE_SANDBOX_ENABLED, or DEBUG): its test cards "
            "would give readers subscriptions for free.",
            hint="Unset LEDE_SANDBOX_ENABLED and DEBUG in production; "
            "configure CMI, Stripe or manual payments instead.",
            id="lede.E020",
        )
    ]
