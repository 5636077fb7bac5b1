"""Background tasks of the syndication domain (django-tasks), and queueing the
webhooks of a publication once it has committed."""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from lede.editorial.models import ArticlePage

from . import webhooks

logger = logging.getLogger(__name__)


@task()
def webhook_deliver(delivery_id: int) -> str:
    return webhooks.webhook_attempt(delivery_id=delivery_id)


@task()
def webhooks_retry_due() -> str:
    """Periodic: send again the deliveries whose back-off has passed."""
    done = [webhooks.webhook_attempt(delivery_id=i) for i in webhooks.webhooks_due()]
    return f"{len(done)} attempted"


def webhooks_send(event: str, article: ArticlePage) -> None:
    """After the publication commits: write the deliveries and enqueue them. A
    failure here is logged and never undoes (nor delays) the publication."""

    def queue() -> None:
        try:
            ids = webhooks.webhooks_queue(event=event, article=article)
        except Exception:  # publishing must not fail for a licensee
            logger.exception("webhooks for %s %s not queued", event, article.pk)
            return
        for delivery_id in ids:
            webhook_deliver.enqueue(delivery_id)

    transaction.on_commit(queue)
