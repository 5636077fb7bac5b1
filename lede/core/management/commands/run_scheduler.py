"""The scheduler process: enqueues periodic tasks for the worker.

A loop is enough for the few periodic jobs Lede has (scheduled publishing,
polling wire feeds); each job is idempotent, so a missed or doubled tick is
harmless.

Each tick also enqueues the worker heartbeat (at the front of the queue: its
age is what /readyz and the metrics report) and, on the RQ backend, puts back
in the queue the jobs whose worker died, and moves to the queue the tasks
spooled in the database while its Redis was away (lede/core/queue.py). A tick
that cannot reach the queue logs the error and the loop goes on.

Ticks are intervals, not wall-clock times, so the scheduler itself needs no
time zone; the jobs it enqueues compare UTC instants and count calendar months
and years in the publication's one zone (lede.core.dates.publication_zone(),
i.e. settings.TIME_ZONE), which the scheduler names when it starts so an
operator can see which calendar renewals will follow.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection
from django.utils.module_loading import import_string

from lede.core.dates import publication_zone
from lede.core.queue import HEARTBEAT_TASK, no_spool, queue_drain_spool, queue_reap_abandoned

logger = logging.getLogger(__name__)

PERIODIC_TASKS = [
    HEARTBEAT_TASK,
    "lede.editorial.tasks.publish_scheduled_pages",
    "lede.wires.tasks.wire_sources_poll",
    "lede.subscriptions.tasks.renew_due_subscriptions",
    "lede.syndication.tasks.webhooks_retry_due",
    "lede.newsletters.tasks.newsletters_send_due",
    "lede.api.tasks.digests_send",
]


class Command(BaseCommand):
    help = "Enqueue periodic tasks (scheduled publishing, …) every N seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument("--interval", type=int, default=None, help="Seconds between ticks.")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"] or int(settings.LEDE_SCHEDULER_INTERVAL)
        self.running = True
        logger.info("scheduler: every %s s, calendar in %s", interval, publication_zone())

        def stop(signum: int, frame: FrameType | None) -> None:
            self.running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while self.running:
            self.tick()
            if options["once"]:
                return
            deadline = time.monotonic() + interval
            while self.running and time.monotonic() < deadline:
                time.sleep(0.5)

    def tick(self) -> None:
        # A long-lived process: drop a database connection that broke since
        # the last tick (PostgreSQL restarted) or outlived CONN_MAX_AGE, as
        # Django does around each request; the spool's drain reads the table.
        # Never one that holds a transaction (a caller's, a test's).
        if not connection.in_atomic_block:
            close_old_connections()
        try:
            drained = queue_drain_spool()
        except Exception:
            logger.exception("scheduler: draining the spooled tasks failed")
        else:
            if drained:
                self.stdout.write(f"enqueued {drained} task(s) spooled while Redis was away")
        try:
            reaped = queue_reap_abandoned()
        except Exception:
            logger.exception("scheduler: reaping abandoned tasks failed")
        else:
            if reaped:
                self.stdout.write(f"enqueued again {reaped} task(s) abandoned by a dead worker")
        for dotted in PERIODIC_TASKS:
            task: Any = import_string(dotted)
            enqueue: Callable[[], Any] = task.enqueue
            try:
                with no_spool():  # the next tick enqueues it again anyway
                    result = enqueue()
            except Exception:
                logger.exception("scheduler: could not enqueue %s", dotted)
                continue
            self.stdout.write(f"enqueued {dotted} ({getattr(result, 'id', '')})")
