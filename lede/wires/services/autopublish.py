"""Urgent items from chosen sources go to the live feed without an editor: at
ingest, or once their embargo lifts (the poller asks)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import ItemStatus, PubStatus, WireItemRecord, WireSource
from .desk import WireActionError, wire_publish_dispatch

logger = logging.getLogger(__name__)


def source_auto_publishes(source: WireSource | None) -> bool:
    """Whether items of ``source`` may ever be published without an editor."""
    return bool(source is not None and source.auto_publish_urgent)


def _auto_publishable(record: WireItemRecord, source: WireSource | None) -> bool:
    return bool(
        source is not None
        and source_auto_publishes(source)
        and record.status == ItemStatus.NEW
        and record.pub_status == PubStatus.USABLE
        and record.dispatch_id is None
        and record.urgency is not None
        and record.urgency <= source.urgency_threshold
        and record.item_class == "text"
        and record.headline.strip()
    )


def wire_auto_publish_if_urgent(*, record: WireItemRecord, source: WireSource | None) -> str:
    """Inside the item's transaction, in a savepoint of its own: a failure to
    publish leaves the item on the desk and says why. Returns a note for the
    log (empty when the item is not for automatic publication)."""
    if not _auto_publishable(record, source):
        return ""
    if record.is_embargoed():
        return "urgente : publication automatique à la levée de l'embargo"
    try:
        with transaction.atomic():
            wire_publish_dispatch(record=record)
    except WireActionError as exc:
        return f"publication automatique impossible : {exc}"
    except Exception as exc:
        logger.exception("automatic publication of %s failed", record.guid)
        return f"publication automatique impossible ({exc.__class__.__name__})"
    record.refresh_from_db()
    return "publiée automatiquement en brève"


def wire_auto_publish_due(*, now: datetime | None = None) -> list[str]:
    """Urgent items whose embargo has lifted since they arrived (run by the poller)."""
    now = now or timezone.now()
    horizon = now - timedelta(hours=24)
    candidates = (
        WireItemRecord.objects.select_related("source")
        .filter(
            status=ItemStatus.NEW,
            pub_status=PubStatus.USABLE,
            dispatch_id__isnull=True,
            source__auto_publish_urgent=True,
            urgency__isnull=False,
            urgency__lte=F("source__urgency_threshold"),
            embargo_until__isnull=False,
            embargo_until__lte=now,
            embargo_until__gte=horizon,
        )
        .filter(Q(item_class="text"))
    )
    published: list[str] = []
    for record in candidates[:100]:
        if not _auto_publishable(record, record.source):
            continue
        try:
            wire_publish_dispatch(record=record, now=now)
        except WireActionError as exc:
            logger.info("auto-publication of %s refused: %s", record.guid, exc)
            continue
        except Exception:
            logger.exception("automatic publication of %s failed", record.guid)
            continue
        published.append(record.guid)
    return published
