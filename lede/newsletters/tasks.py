"""Background tasks of the newsletters (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from lede.core.queue import single_flight

from . import sending
from .delivery import deliver_edition
from .models import Edition


@task()
def newsletters_send_due() -> str:
    """Enqueued by the scheduler every tick: send the editions whose time has
    come (each edition's own lock keeps two workers off the same send)."""
    with single_flight("newsletters.send_due") as mine:
        if not mine:
            return "already running elsewhere: skipped"
        return "\n".join(sending.send_due())


@task()
def edition_deliver(edition_id: int) -> str:
    """The desk's "send now" (the outbox is written before this is queued)."""
    edition = Edition.objects.get(pk=edition_id)
    return deliver_edition(edition).line()
