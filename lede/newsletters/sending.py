"""Sending an edition from start to end, and what is due on the schedule:
used by `manage.py newsletter_send`, the desk's "send now" and the
scheduler's periodic task."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone

from lede.core.dates import local

from . import selectors, services
from .delivery import Report, deliver_edition
from .models import Edition, Frequency, Newsletter


def edition_current(newsletter: Newsletter, now: datetime | None = None) -> tuple[Edition, bool]:
    """The edition to send now: one being sent (resumed), else a composed one
    waiting, else one built from the sections. (edition, resumed)"""
    sending = selectors.sending_edition(newsletter)
    if sending is not None:
        return sending, True
    pending = selectors.pending_edition(newsletter)
    if pending is not None:
        return pending, False
    return services.edition_build(newsletter=newsletter, now=now), False


def newsletter_send(
    newsletter: Newsletter,
    *,
    connections: int | None = None,
    rate: float | None = None,
    on_progress: Callable[[Report], None] | None = None,
) -> tuple[Edition, Report]:
    edition, resumed = edition_current(newsletter)
    if not resumed:
        services.edition_enqueue(edition=edition)
    report = deliver_edition(edition, connections=connections, rate=rate, on_progress=on_progress)
    return edition, report


def _slot_start(newsletter: Newsletter, now: datetime) -> datetime:
    """The latest scheduled instant at or before ``now``."""
    today = local(now).replace(
        hour=newsletter.send_time.hour,
        minute=newsletter.send_time.minute,
        second=0,
        microsecond=0,
    )
    if newsletter.frequency == Frequency.WEEKLY:
        today -= timedelta(days=(today.weekday() - newsletter.weekday) % 7)
        if today > now:
            today -= timedelta(days=7)
    elif today > now:
        today -= timedelta(days=1)
    return today


def due_editions(now: datetime | None = None) -> list[Edition]:
    """Editions to send now: scheduled ones whose time has come, editions
    left half-sent, and the automatic edition of every daily or weekly
    newsletter whose slot has passed without one (the newsletter's time in
    the publication's zone). An empty automatic edition is skipped."""
    now = now or timezone.now()
    due = list(
        Edition.objects.filter(status=Edition.Status.SCHEDULED, scheduled_at__lte=now)
    ) + list(Edition.objects.filter(status=Edition.Status.SENDING))
    for newsletter in Newsletter.objects.filter(active=True).exclude(frequency=Frequency.ON_DEMAND):
        slot = _slot_start(newsletter, now)
        if now - slot > timedelta(hours=6):
            continue  # too late to send this slot's edition: wait for the next
        if Edition.objects.filter(newsletter=newsletter, enqueued_at__gte=slot).exists():
            continue
        if any(e.newsletter_id == newsletter.pk for e in due):
            continue
        try:
            due.append(services.edition_build(newsletter=newsletter, now=now))
        except services.NewsletterError:
            continue
    return due


def send_due(now: datetime | None = None) -> list[str]:
    lines = []
    for edition in due_editions(now):
        if edition.status != Edition.Status.SENDING:
            try:
                services.edition_enqueue(edition=edition)
            except services.NewsletterError as exc:
                lines.append(f"{edition.pk}: {exc}")
                continue
        report = deliver_edition(edition)
        lines.append(f"{edition.pk}: {'busy' if report.busy else report.line()}")
    return lines
