"""Small builders for the newsletters tests."""

from __future__ import annotations

import re
from typing import Any

from lede.newsletters import services
from lede.newsletters.delivery import deliver_edition
from lede.newsletters.models import Edition, Newsletter

from .smtp import scripted_smtp


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


def send_with_counted_links(settings: Any, newsletter: Newsletter) -> tuple[Edition, list[str]]:
    """Build, enqueue and deliver the newsletter's edition to its one
    confirmed reader over the scripted SMTP server; its counted links."""
    newsletter.count_clicks = True
    newsletter.save()
    confirmed(newsletter, "a@example.ma")
    with scripted_smtp(settings) as (server, _script):
        edition = services.edition_build(newsletter=newsletter)
        services.edition_enqueue(edition=edition)
        deliver_edition(edition)
        (message,) = server.wait_for(1)
    links = re.findall(r"http://testserver(/lettres/clic/[^/\s]+/)", message.body("plain"))
    return edition, links
