"""Cancelling at the end of the paid period (and resuming before it ends),
by the reader or at the provider, and stopping every renewal of a reader."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from lede.payments import providers
from lede.payments.providers.base import ProviderError

from .. import emails
from ..models import Subscription
from ..selectors import stored_method
from .errors import SubscriptionError


def _cancel_at_period_end_set(
    *, subscription: Subscription, cancel: bool, from_provider: bool = False
) -> Subscription:
    """Cancel at the end of the paid period, or resume before it ends."""
    now = timezone.now()
    if not from_provider:
        if not subscription.is_live or subscription.is_gift:
            raise SubscriptionError(gettext("Cet abonnement n’est plus actif."))
        if (
            not cancel
            and subscription.current_period_end
            and subscription.current_period_end <= now
        ):
            raise SubscriptionError(gettext("La période payée est terminée : réabonnez-vous."))
        try:
            provider = (
                providers.get_provider(subscription.provider) if subscription.provider else None
            )
        except providers.UnknownProvider:
            provider = None
        if provider is not None:
            try:
                provider.cancel_at_period_end(stored_method(subscription), cancel)
            except ProviderError as exc:
                raise SubscriptionError(exc.message) from exc
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if sub.cancel_at_period_end != cancel:
            sub.cancel_at_period_end = cancel
            sub.canceled_at = now if cancel else None
            sub.save(update_fields=["cancel_at_period_end", "canceled_at", "updated_at"])
            if cancel:
                emails.send_on_commit(
                    "cancel_confirmed",
                    sub.user.email,
                    {
                        "period_end": sub.current_period_end,
                        "account_url": emails.absolute(reverse("subscriptions:account")),
                    },
                )
    subscription.refresh_from_db()
    return subscription


def subscription_cancel(*, subscription: Subscription) -> Subscription:
    return _cancel_at_period_end_set(subscription=subscription, cancel=True)


def subscription_resume(*, subscription: Subscription) -> Subscription:
    return _cancel_at_period_end_set(subscription=subscription, cancel=False)


def _by_provider_id(provider: str, provider_subscription_id: str) -> Subscription | None:
    return Subscription.objects.filter(
        provider=provider, provider_subscription_id=provider_subscription_id
    ).first()


def on_provider_renewal_updated(
    *, provider: str, provider_subscription_id: str, cancel_at_period_end: bool
) -> bool:
    """The reader stopped or resumed renewing at the provider (Stripe's
    customer portal). False when no subscription has the provider's id."""
    subscription = _by_provider_id(provider, provider_subscription_id)
    if subscription is None:
        return False
    _cancel_at_period_end_set(
        subscription=subscription, cancel=cancel_at_period_end, from_provider=True
    )
    return True


@transaction.atomic
def on_provider_renewal_ended(
    *, provider: str, provider_subscription_id: str, event_key: str
) -> bool:
    """The provider stopped renewing (Stripe ``customer.subscription.deleted``):
    the paid period runs to its end, then the subscription is canceled.
    False when no subscription has the provider's subscription id."""
    subscription = _by_provider_id(provider, provider_subscription_id)
    if subscription is None:
        return False
    sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
    now = timezone.now()
    if sub.status in (Subscription.Status.CANCELED, Subscription.Status.EXPIRED):
        return True
    sub.cancel_at_period_end = True
    sub.canceled_at = sub.canceled_at or now
    if sub.current_period_end is None or sub.current_period_end <= now:
        sub.status = Subscription.Status.CANCELED
        sub.ended_at = now
    sub.save()
    return True


def renewals_stop(*, user: Any) -> None:
    """For account deletion: stop renewing what this reader holds."""
    Subscription.objects.filter(user=user, status__in=Subscription.LIVE_STATUSES).update(
        cancel_at_period_end=True, canceled_at=timezone.now()
    )
