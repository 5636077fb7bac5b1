"""Background tasks of the subscriptions domain (django-tasks).

Add ``"lede.subscriptions.tasks.renew_due_subscriptions"`` to the scheduler's
periodic tasks: each tick charges stored tokens that are due, e-mails renewal
links, marks unpaid periods past due and expires them after the grace period.
Idempotent: a doubled tick does nothing twice.
"""

from __future__ import annotations

from django_tasks import task

from .services.renewals import subscriptions_process_due


@task()
def renew_due_subscriptions() -> dict[str, int]:
    return subscriptions_process_due()
