"""Background tasks of the wire desk (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from . import polling


@task()
def wire_sources_poll() -> str:
    """Poll the drop folders and feeds that are due (run by the scheduler every tick).

    Idempotent: a source is claimed before it is polled and an item already
    received is skipped, so a doubled tick imports nothing twice.
    """
    reports = polling.wire_sources_poll()
    return "\n".join(report.line() for report in reports)
