"""Background tasks of the editorial domain (django-tasks)."""

from __future__ import annotations

import io

from django.core.management import call_command
from django_tasks import task

from lede.core.queue import single_flight


@task()
def publish_scheduled_pages() -> str:
    """Publish pages whose go-live time has come and unpublish expired ones.

    Wagtail's own command does the work; run again, it publishes nothing twice
    (a published revision loses its go-live time, an expired page is no longer
    live). Two runs at once (two workers, a task run again while a stuck one
    goes on) could both publish the same revision: one run at a time.
    """
    with single_flight("editorial.publish_scheduled_pages") as mine:
        if not mine:
            return "already running elsewhere: skipped"
        out = io.StringIO()
        call_command("publish_scheduled", stdout=out)
        return out.getvalue()
