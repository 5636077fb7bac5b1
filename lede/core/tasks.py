"""Background tasks of the core app (django-tasks)."""

from __future__ import annotations

from django_tasks import task
from django_tasks.base import TASK_MAX_PRIORITY

from .queue import heartbeat_record


@task(priority=TASK_MAX_PRIORITY)
def heartbeat() -> float:
    """Enqueued by the scheduler every tick, at the front of the queue: when a
    worker runs it, the time goes into the shared cache, where /readyz and the
    metrics read the worker's heartbeat age. Idempotent (the latest time wins).
    """
    return heartbeat_record()
