"""Small builders for the newsletters tests."""

from __future__ import annotations

from typing import Any

from lede.newsletters.models import Newsletter


def confirmed(newsletter: Newsletter, *emails: str, user: Any = None) -> list[Any]:
    from django.utils import timezone

    from lede.newsletters.models import Subscriber, Subscription

    out = []
    for address in emails:
        subscriber, _ = Subscriber.objects.get_or_create(email=address, defaults={"user": user})
        Subscription.objects.create(
            subscriber=subscriber,
            newsletter=newsletter,
            status=Subscription.Status.CONFIRMED,
            consent_at=timezone.now(),
            confirmed_at=timezone.now(),
            consent_source="/",
        )
        out.append(subscriber)
    return out
