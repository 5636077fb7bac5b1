"""The delivery worker: drains an edition's outbox through pooled SMTP
connections, never sending a message twice.

One row per message goes through these states, each committed before the
next step:

    queued ──claim──▶ sending ──SMTP DATA answered 250──▶ sent
                         │──refused 5xx──▶ bounced (address suspended) / failed
                         │──4xx, or the connection fails before the body
                         │  was sent──▶ queued again, later (back-off)
                         └──connection lost after the body was sent──▶ unknown

Rows are claimed in batches of one row per free connection, by one
statement in autocommit that also records what those connections just sent
(one round trip and one synchronous commit per batch; the other answers
commit lazily: see docs/newsletters.md, "Commits, durability and
throughput"). The claim first checks that each address is still subscribed and
active, so an address that unsubscribes during a send gets nothing after that
moment, and a deleted one is skipped. Each connection carries one claimed
row at a time, so when the worker dies (SIGKILL, power)
at most one row per open connection is left ``sending``: the next worker
turns those into ``unknown`` before anything else — their fate (delivered or
not) cannot be known from here — and lists them for the operator, who may
resend one with a click. Nothing is resent automatically.

Connections: ``connections`` threads, each owning one SMTP connection (opened
on first use, reopened after a failure). The database is touched by the
calling thread only (claims and outcomes), so the worker runs on SQLite too.
The rate (messages per second over all connections) is a token bucket.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import (
    Q,
)
from django.utils import timezone

from lede.core.queue import single_flight

from . import services
from .message import MessageFactory, configured_signer
from .models import Delivery, DeliveryState, Edition, Subscriber, Subscription
from .rendering import EditionRenderer, Variant
from .smtp import BackendSlot, Outcome, Result, SmtpConfig, SmtpSlot

logger = logging.getLogger(__name__)

FETCH = 500
RETRY_BASE_SECONDS = 30


@dataclass
class Report:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    bounced: int = 0
    unknown: int = 0
    retried: int = 0
    recovered_unknown: int = 0
    busy: bool = False

    def line(self) -> str:
        line = f"sent {self.sent}, skipped {self.skipped}, failed {self.failed + self.bounced}"
        unknown = self.unknown + self.recovered_unknown
        if unknown:
            line += f", unknown {unknown}"
        return line


@dataclass(frozen=True)
class _Job:
    delivery_id: int
    email: str
    subscriber_id: int
    variant: Variant


@dataclass
class _Slot:
    index: int
    transport: SmtpSlot | BackendSlot
    jobs: queue.Queue[_Job | None] = field(default_factory=queue.Queue)
    thread: threading.Thread | None = None


class _RateLimiter:
    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self.next > now:
            time.sleep(self.next - now)  # pacing the send, not waiting for an event
        self.next = max(self.next, now) + self.interval


def recover_in_flight(edition_id: int, now: datetime | None = None) -> int:
    """Rows a dead worker left ``sending``: their fate is unknown."""
    return Delivery.objects.filter(edition_id=edition_id, state=DeliveryState.SENDING).update(
        state=DeliveryState.UNKNOWN,
        updated_at=now or timezone.now(),
        last_error="en cours d'envoi à l'arrêt du programme d'envoi",
    )


def _commit_lazily() -> None:
    """In the current transaction, do not wait for the WAL flush at commit
    (PostgreSQL's ``synchronous_commit = off``): only for transactions that
    move rows *out of* ``sending`` (an answer recorded) or skip a row that
    was never claimed. Why that is safe is in docs/newsletters.md (a lost
    record leaves the row ``sending``: ``unknown`` after a restart, never
    resent; and the next claim, a synchronous commit, flushes it). Never for a
    claim: ``sending`` must be on disk before the message leaves."""
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


Row = tuple[int, str, int | None, int | None]  # pk, email, subscriber id, user id


def _claim(
    *, sent: list[int], claims: list[tuple[int, int, str]], newsletter_id: int
) -> list[tuple[int, str]]:
    """One statement in autocommit (one round trip and one synchronous
    commit, no BEGIN/COMMIT): it records what the freed connections just sent
    (``sending`` → ``sent``) and claims ``claims`` (row, connection,
    Message-ID) for the addresses still subscribed at this moment (``queued``
    → ``sending``); returns (row, new state) of the rows it changed. The
    claim is on disk before any of these messages leaves (and so is every
    lazily committed answer before it). SET expressions read the row as it
    was, so ``state`` tells the two kinds of rows apart. The subscription
    is checked by scalar subqueries, looked up by index for each claimed row
    (an EXISTS there may be planned as a hash of the whole list, built again
    by every statement: 100,000 rows per batch). Hand-written SQL:
    building it through the ORM's Case/When cost more than the statement
    itself (PostgreSQL and SQLite ≥ 3.35 both take UPDATE … RETURNING)."""
    table = Delivery._meta.db_table
    subscription = Subscription._meta.db_table
    subscriber = Subscriber._meta.db_table
    params: list[Any] = []
    connection_case = message_case = "NULL"
    if claims:
        connection_case = (
            "CASE id " + " ".join("WHEN %s THEN %s" for _ in claims) + " ELSE connection END"
        )
        message_case = (
            "CASE id " + " ".join("WHEN %s THEN %s" for _ in claims) + " ELSE message_id END"
        )
    # Only table names and placeholders are formatted in; values are parameters.
    sql = f"""
        UPDATE {table} SET
            state = CASE WHEN state = %s THEN %s ELSE %s END,
            connection = {connection_case if claims else "connection"},
            message_id = {message_case if claims else "message_id"},
            attempts = CASE WHEN state = %s THEN attempts ELSE attempts + 1 END,
            last_error = CASE WHEN state = %s THEN '' ELSE last_error END,
            updated_at = %s
        WHERE (id IN ({", ".join(["%s"] * len(sent)) or "NULL"}) AND state = %s)
           OR (id IN ({", ".join(["%s"] * len(claims)) or "NULL"}) AND state = %s
               AND (SELECT s.status FROM {subscription} s WHERE s.newsletter_id = %s
                    AND s.subscriber_id = {table}.subscriber_id) = %s
               AND (SELECT b.status FROM {subscriber} b WHERE b.id = {table}.subscriber_id) = %s)
        RETURNING id, state"""  # noqa: S608
    sending, sent_state = DeliveryState.SENDING.value, DeliveryState.SENT.value
    params += [sending, sent_state, sending]
    for pk, index, _m in claims:
        params += [pk, index]
    for pk, _i, message_id in claims:
        params += [pk, message_id[:255]]
    params += [sending, sending, timezone.now()]
    params += [*sent, sending, *(pk for pk, _i, _m in claims), DeliveryState.QUEUED.value]
    params += [newsletter_id, Subscription.Status.CONFIRMED.value, Subscriber.Status.ACTIVE.value]
    with db_connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(pk), str(state)) for pk, state in cursor.fetchall()]


def _due_rows(edition_id: int, after: int, now: datetime) -> list[Row]:
    return list(
        Delivery.objects.filter(edition_id=edition_id, state=DeliveryState.QUEUED, pk__gt=after)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", "email", "subscriber_id", "subscriber__user_id")[:FETCH]
    )


def deliver_edition(
    edition: Edition,
    *,
    connections: int | None = None,
    rate: float | None = None,
    retry_base: float | None = None,
    on_progress: Callable[[Report], None] | None = None,
    on_claimed: Callable[[int], None] | None = None,
) -> Report:
    """Send what is queued for ``edition``; returns the counts. Safe to run
    again after a crash (see the module docstring); one worker per edition
    at a time (a PostgreSQL advisory lock; ``busy`` when another holds it)."""
    report = Report()
    with single_flight(f"newsletters.deliver.{edition.pk}") as mine:
        if not mine:
            report.busy = True
            return report
        report.recovered_unknown = recover_in_flight(edition.pk)
        _Run(
            edition,
            report,
            connections=connections or int(settings.LEDE_NEWSLETTER_CONNECTIONS),
            rate=float(settings.LEDE_NEWSLETTER_RATE if rate is None else rate),
            retry_base=RETRY_BASE_SECONDS if retry_base is None else retry_base,
            on_progress=on_progress,
            on_claimed=on_claimed,
        ).run()
        services.edition_finish_if_done(edition_id=edition.pk)
    return report


class _Run:
    def __init__(
        self,
        edition: Edition,
        report: Report,
        *,
        connections: int,
        rate: float,
        retry_base: float,
        on_progress: Callable[[Report], None] | None,
        on_claimed: Callable[[int], None] | None,
    ) -> None:
        self.edition = edition
        self.report = report
        self.retry_base = retry_base
        self.limiter = _RateLimiter(rate)
        self.on_progress = on_progress
        self.on_claimed = on_claimed
        self.renderer = EditionRenderer(edition)
        # Addresses without an account: the same variant for all of them.
        self.anonymous = self.renderer.variant(
            self.renderer.full_ids_for(self.renderer.reader_for(None))
        )
        self.factory = MessageFactory(edition, configured_signer())
        self.users: dict[int, Any] = {}
        config = SmtpConfig.from_settings()
        if config is None:
            connections = 1
        self.slots = [
            _Slot(i, SmtpSlot(config) if config is not None else BackendSlot())
            for i in range(max(1, connections))
        ]
        self.results: queue.Queue[tuple[_Slot, int, Result]] = queue.Queue()
        self.max_attempts = int(settings.LEDE_NEWSLETTER_MAX_ATTEMPTS)

    # --- threads ---------------------------------------------------------------

    def _work(self, slot: _Slot) -> None:
        """A sending thread: builds, signs and sends its connection's
        messages one at a time (the message is built here, not by the
        claiming thread, so that the claims never wait for it)."""
        factory = self.factory
        sender = factory.sender
        while True:
            job = slot.jobs.get()
            if job is None:
                slot.transport.close()
                return
            try:
                _message_id, unsigned = factory.prepare(
                    variant=job.variant,
                    email=job.email,
                    subscriber_id=job.subscriber_id,
                    delivery_id=job.delivery_id,
                )
                raw = factory.finish(unsigned)
            except Exception as exc:  # noqa: BLE001 - nothing left: safe to retry
                result = Result(Outcome.RETRY, detail=f"{type(exc).__name__}: {exc}"[:500])
            else:
                try:
                    result = slot.transport.send(sender, job.email, raw)
                except Exception as exc:  # noqa: BLE001 - never lose a slot's answer
                    result = Result(Outcome.UNKNOWN, detail=str(exc)[:500])
            self.results.put((slot, job.delivery_id, result))

    def run(self) -> None:
        for slot in self.slots:
            slot.thread = threading.Thread(target=self._work, args=(slot,), daemon=True)
            slot.thread.start()
        try:
            self._loop()
        finally:
            for slot in self.slots:
                slot.jobs.put(None)
            for slot in self.slots:
                if slot.thread is not None:
                    slot.thread.join(timeout=60)

    def _loop(self) -> None:
        self.free = list(self.slots)
        self.in_flight = 0
        self.pending_sent: list[int] = []
        while True:
            last = 0
            while rows := _due_rows(self.edition.pk, last, timezone.now()):
                self._load_users(rows)
                waiting = deque(rows)
                while waiting:
                    if not self.free:
                        self._collect(block=True)
                    self._collect(block=False)
                    count = min(len(self.free), len(waiting))
                    self._dispatch([waiting.popleft() for _ in range(count)])
                last = rows[-1][0]
            while self.in_flight:
                self._collect(block=True)
            self._flush_sent()
            # Rows put back for a retry come round again when their time has come.
            retry_at = (
                Delivery.objects.filter(edition_id=self.edition.pk, state=DeliveryState.QUEUED)
                .order_by("next_attempt_at")
                .values_list("next_attempt_at", flat=True)
                .first()
            )
            if (
                retry_at is None
                and not Delivery.objects.filter(
                    edition_id=self.edition.pk, state=DeliveryState.QUEUED
                ).exists()
            ):
                return
            if retry_at is not None:
                pause = (retry_at - timezone.now()).total_seconds()
                if pause > 0:
                    time.sleep(min(pause, 60))  # the back-off before a retry

    def _load_users(self, rows: list[Row]) -> None:
        ids = {user_id for *_rest, user_id in rows if user_id is not None}
        missing = ids - self.users.keys()
        if missing:
            self.users.update(get_user_model().objects.in_bulk(missing))

    def _flush_sent(self) -> None:
        if self.pending_sent:
            self.report.sent += Delivery.objects.filter(
                pk__in=self.pending_sent, state=DeliveryState.SENDING
            ).update(state=DeliveryState.SENT, updated_at=timezone.now(), last_error="")
            self.pending_sent = []

    def _dispatch(self, batch: list[Row]) -> None:
        """Claim one row for each free connection in one statement, which
        also records the messages those connections just sent: one commit
        per batch, and never more than one row in flight per connection."""
        jobs = []
        for pk, email, subscriber_id, user_id in batch:
            self.limiter.wait()
            user = self.users.get(user_id) if user_id is not None else None
            if user is None:
                variant = self.anonymous
            else:
                reader = self.renderer.reader_for(user)
                variant = self.renderer.variant(self.renderer.full_ids_for(reader))
            jobs.append(_Job(pk, email, subscriber_id or 0, variant))
        slots = {job.delivery_id: self.free.pop() for job in jobs}
        sent, self.pending_sent = self.pending_sent, []
        states = _claim(
            sent=sent,
            claims=[(pk, slot.index, self.factory.message_id(pk)) for pk, slot in slots.items()],
            newsletter_id=self.edition.newsletter_id,
        )
        claimed = {pk for pk, state in states if state == DeliveryState.SENDING}
        self.report.sent += sum(1 for _pk, state in states if state == DeliveryState.SENT)
        unclaimed = [pk for pk in slots if pk not in claimed]
        if unclaimed:
            with transaction.atomic():
                _commit_lazily()  # lost: still queued, checked again by the next run
                self.report.skipped += Delivery.objects.filter(
                    pk__in=unclaimed, state=DeliveryState.QUEUED
                ).update(
                    state=DeliveryState.SKIPPED,
                    updated_at=timezone.now(),
                    last_error="désinscrit ou supprimé",
                )
        for job in jobs:
            slot = slots[job.delivery_id]
            if job.delivery_id not in claimed:
                self.free.append(slot)
                continue
            if self.on_claimed is not None:
                self.on_claimed(job.delivery_id)
            self.in_flight += 1
            slot.jobs.put(job)

    def _collect(self, *, block: bool) -> None:
        while True:
            try:
                slot, pk, result = self.results.get(block=block, timeout=None)
            except queue.Empty:
                return
            self.in_flight -= 1
            if result.outcome is Outcome.SENT:
                self.pending_sent.append(pk)  # recorded with the next claim
            else:
                self._apply(pk, result)
            self.free.append(slot)
            if self.on_progress is not None:
                self.on_progress(self.report)
            block = False

    def _apply(self, pk: int, result: Result) -> None:
        with transaction.atomic():
            _commit_lazily()  # lost: the row stays ``sending``, hence ``unknown``
            self._apply_now(pk, result)

    def _apply_now(self, pk: int, result: Result) -> None:
        now = timezone.now()
        rows = Delivery.objects.filter(pk=pk, state=DeliveryState.SENDING)
        if result.outcome is Outcome.UNKNOWN:
            rows.update(state=DeliveryState.UNKNOWN, updated_at=now, last_error=result.detail)
            self.report.unknown += 1
        elif result.outcome is Outcome.REFUSED:
            with transaction.atomic():
                row = rows.first()
                rows.update(state=DeliveryState.BOUNCED, updated_at=now, last_error=result.detail)
                if row is not None:
                    services.bounce_record(email=row.email, hard=True, reason=result.detail)
            self.report.bounced += 1
        elif result.outcome is Outcome.FAILED:
            rows.update(state=DeliveryState.FAILED, updated_at=now, last_error=result.detail)
            self.report.failed += 1
        else:
            row = rows.first()
            if row is None:
                return
            if row.attempts >= self.max_attempts:
                rows.update(state=DeliveryState.FAILED, updated_at=now, last_error=result.detail)
                self.report.failed += 1
            else:
                delay = self.retry_base * (2 ** (row.attempts - 1))
                rows.update(
                    state=DeliveryState.QUEUED,
                    next_attempt_at=now + timedelta(seconds=delay),
                    updated_at=now,
                    last_error=result.detail,
                )
                self.report.retried += 1
