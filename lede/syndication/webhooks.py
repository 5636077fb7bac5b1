"""Outgoing webhooks to licensees: an article published, updated or killed.

The payload names the article (id, URL, title, dates, the API address to fetch
it with the licensee's key): the text itself goes through the API, where the
paywall, the licence and its volume apply. Each call is signed::

    X-Lede-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">

Publishing never waits for a licensee: deliveries are written after the
publication's transaction commits and sent by the task queue; a failure
(time-out, 5xx, a redirect, which is never followed) is retried with back-off
by the periodic ``webhooks_retry_due`` task, then given up after
``LEDE_WEBHOOK_MAX_ATTEMPTS``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lede.core.site import site_url
from lede.editorial.models import ArticlePage

from .models import Delivery, Licence, WebhookDelivery, WebhookEndpoint
from .selectors import _with_descendants

logger = logging.getLogger(__name__)

PUBLISHED = "article.published"
UPDATED = "article.updated"
KILLED = "article.killed"


def new_secret() -> str:
    return secrets.token_hex(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


#: More conditions an article must meet before a licensee hears of it, which
#: this app cannot know: lede.api registers the agency rights of lede.wires
#: (embargo, not for syndication, archive limit, killed) in its ``ready()``.
ArticleCheck = Callable[[ArticlePage, Licence, datetime], bool]
_article_checks: dict[str, ArticleCheck] = {}


def register_article_check(name: str, check: ArticleCheck) -> None:
    """Register ``check`` under ``name`` (registering it again replaces it)."""
    _article_checks[name] = check


def _covers(endpoint: WebhookEndpoint, article: ArticlePage, now: datetime) -> bool:
    licence = endpoint.licence
    if not (licence.is_active(now) and licence.channel_api):
        return False
    if article.agency_credit and not licence.agency_copy:
        return False
    if not all(check(article, licence, now) for check in _article_checks.values()):
        return False
    chosen = list(licence.sections.all())
    return not chosen or article.section_id in _with_descendants(chosen)


def _payload(event: str, article: ArticlePage) -> dict[str, Any]:
    return {
        "event": event,
        "article": {
            "id": article.pk,
            "title": article.title,
            "url": site_url(article.url or "/"),
            "api_url": site_url(f"/api/v1/articles/{article.pk}"),
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "updated_at": article.last_published_at.isoformat()
            if article.last_published_at
            else None,
        },
    }


def webhooks_queue(*, event: str, article: ArticlePage, now: datetime | None = None) -> list[int]:
    """Write one delivery per endpoint concerned (the caller enqueues them). A kill goes
    to every licensee who received the article (a webhook or a full delivery),
    whatever its licence covers today."""
    now = now or timezone.now()
    endpoints = WebhookEndpoint.objects.filter(active=True).select_related("licence")
    if event == KILLED:
        received = Q(deliveries__article_id=article.pk, deliveries__status="delivered") | Q(
            licence__in=Delivery.objects.filter(item_id=article.pk).values("licence")
        )
        chosen = list(endpoints.filter(received).distinct())
    else:
        chosen = [e for e in endpoints if _covers(e, article, now)]
    ids = []
    with transaction.atomic():
        for endpoint in chosen:
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint,
                event=event,
                article_id=article.pk,
                payload=_payload(event, article),
                next_attempt_at=now,
            )
            ids.append(delivery.pk)
    return ids


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=settings.LEDE_WEBHOOK_BACKOFF_SECONDS * 4 ** (attempts - 1))


def webhook_attempt(*, delivery_id: int, now: datetime | None = None) -> str:
    """One attempt, claimed first (two workers never send the same attempt)."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=None)
    if not claimed:
        return "not due"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    body = json.dumps(delivery.payload, sort_keys=True).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Lede-Webhooks/1",
        "X-Lede-Event": delivery.event,
        "X-Lede-Delivery": str(delivery.pk),
        "X-Lede-Signature": signature(delivery.endpoint.secret, timestamp, body),
    }
    status: int | None = None
    error = ""
    try:
        response = requests.post(
            delivery.endpoint.url,
            data=body,
            headers=headers,
            timeout=settings.LEDE_WEBHOOK_TIMEOUT,
            allow_redirects=False,
        )
        status = response.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except requests.RequestException as exc:
        error = exc.__class__.__name__
    delivery.attempts += 1
    delivery.last_status = status
    delivery.last_error = error[:500]
    if not error:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
    elif delivery.attempts >= settings.LEDE_WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
    else:
        delivery.next_attempt_at = now + _backoff(delivery.attempts)
    delivery.save(
        update_fields=[
            "attempts",
            "last_status",
            "last_error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    if error:
        logger.warning("webhook %s to %s failed: %s", delivery.pk, delivery.endpoint.url, error)
    return delivery.status


def webhooks_due(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        ).values_list("pk", flat=True)[:500]
    )


def publish_event(article: ArticlePage) -> str:
    """``article.published`` the first time, ``article.updated`` after."""
    first = article.first_published_at is None or (
        article.last_published_at is not None
        and abs((article.last_published_at - article.first_published_at).total_seconds()) < 1
    )
    return PUBLISHED if first else UPDATED
