"""Background tasks of the API app (django-tasks)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from .digest import digest_send, digests_due


@task()
def digests_send() -> str:
    """Periodic: each licence with the e-mail digest channel gets its daily digest."""
    now = timezone.now()
    sent = sum(digest_send(licence, now) for licence in digests_due(now))
    return f"{sent} articles sent"
