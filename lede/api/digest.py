"""The e-mail digest channel: each day, a licence with the digest channel gets
the articles published since its last digest that it covers, through
lede.core.mail on the shared layout. Full text only when the paywall's decision
and the licence allow it (the same ``content.article_grant`` as the API), and
counted in the licence's monthly volume like the API's (over it: left out or
abstracts, as the licence says);
otherwise headline, standfirst and the free part — the locked blocks are
never rendered. It lives beside the API because it is the API's
representation sent by e-mail."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from lede.core import mail
from lede.core.site import site_url
from lede.editorial.selectors import live_articles
from lede.syndication.models import Licence
from lede.syndication.selectors import Client, Quota, client_for_digest, quota_for
from lede.syndication.services import delivery_record

from . import content

#: The first digest of a licence covers the last day.
FIRST_WINDOW = timedelta(days=1)
MAX_ARTICLES = 50


def digest_articles(client: Client, since: datetime, until: datetime) -> list[dict[str, Any]]:
    qs = content.agency_filter(content.with_origin(live_articles()), client, until).filter(
        published_at__gte=since, published_at__lt=until
    )
    if client.section_ids is not None:
        qs = qs.filter(section_id__in=client.section_ids)
    if client.languages:
        qs = qs.filter(locale__language_code__in=client.languages)
    items = []
    licence = client.licence
    pending = 0
    for article in qs.order_by("-published_at", "-pk")[:MAX_ARTICLES]:
        grant = content.article_grant(article, client, until)
        full, counts = grant.full, False
        if grant.counts and licence is not None:
            # The monthly volume, as through the API: beyond it, left out or
            # abstracts, as the licence says.
            quota = quota_for(licence, article.pk, until, pending=pending)
            if quota is Quota.EXHAUSTED:
                if licence.over_quota == Licence.OverQuota.REFUSE:
                    continue
                full = False
            counts = full and quota is Quota.AVAILABLE
            pending += int(counts)
        items.append(
            {
                "title": article.title,
                "standfirst": article.standfirst,
                "url": site_url(article.url or ""),
                "full": full,
                "body_html": content.article_body(article, full=full),
                "agency": content.is_agency(article),
                "id": article.pk,
                "counts": counts,
            }
        )
    return items


def digest_send(licence: Licence, now: datetime) -> int:
    """Send ``licence``'s digest if it is due; the number of articles sent."""
    client = client_for_digest(licence, now)
    addresses = licence.digest_addresses()
    if client is None or not addresses:
        return 0
    since = licence.digest_sent_until or now - FIRST_WINDOW
    items = digest_articles(client, since, now)
    if items:
        mail.send(
            "api/email/digest",
            addresses,
            {"licence": licence, "licence_name": licence.name, "items": items, "since": since},
        )
    with transaction.atomic():
        for item in items:
            if item["counts"]:
                delivery_record(licence=licence, item_id=item["id"], channel="digest", now=now)
        Licence.objects.filter(pk=licence.pk).update(digest_sent_until=now)
    return len(items)


def digests_due(now: datetime | None = None) -> list[Licence]:
    """Licences with the digest channel whose last digest is a day old."""
    now = now or timezone.now()
    return [
        licence
        for licence in Licence.objects.select_related("organisation").filter(channel_digest=True)
        if licence.digest_sent_until is None or licence.digest_sent_until <= now - FIRST_WINDOW
    ]
