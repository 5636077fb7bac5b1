"""Background tasks of the editorial domain (django-tasks)."""

from __future__ import annotations

import io

from django.core.management import call_command
from django_tasks import task


@task()
def publish_scheduled_pages() -> str:
    """Publish pages whose go-live time has come and unpublish expired ones.

    Wagtail's own command does the work; it is idempotent, so a tick that runs
    twice (two schedulers, a retried task) publishes nothing twice.
    """
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue()
