"""The delivery worker: drains an edition's outbox through pooled SMTP
connections, never sending a message twice.

One row per message goes through these states, each committed before the
next step:

    queued ──claim──▶ sending ──SMTP DATA answered 250──▶ sent
                         │──refused 5xx──▶ bounced (address suspended) / failed
                         │──4xx, or the connection fails before the body
                         │  was sent──▶ queued again, later (back-off)
                         └──connection lost after the body was sent──▶ unknown

Rows are claimed in batches of one row per free connection, in one
transaction that also records what those connections just sent (one commit
per batch). The claim first checks that each address is still subscribed and
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
import re
import smtplib
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from lede.core.queue import single_flight

from . import services
from .message import MessageFactory, Unsigned, configured_signer
from .models import Delivery, DeliveryState, Edition, Subscriber, Subscription
from .rendering import EditionRenderer

logger = logging.getLogger(__name__)

FETCH = 500
RETRY_BASE_SECONDS = 30


class Outcome(StrEnum):
    SENT = "sent"
    REFUSED = "refused"  # 5xx to RCPT: the address does not exist (a hard bounce)
    FAILED = "failed"  # another 5xx (sender or content refused): permanent
    RETRY = "retry"  # 4xx, or failed before the body left: safe to try again
    UNKNOWN = "unknown"  # the body left, no answer: its fate is unknown


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    code: int = 0
    detail: str = ""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str = ""
    password: str = ""
    starttls: bool = False
    ssl: bool = False
    timeout: float = 30.0

    @classmethod
    def from_settings(cls) -> SmtpConfig | None:
        """``LEDE_NEWSLETTER_SMTP_URL`` (smtp://user:pass@host:port?starttls=1,
        smtps:// for TLS from the start), else Django's EMAIL_* settings when
        its backend is SMTP; None means "hand messages to Django's backend"
        (the demo's console)."""
        timeout = float(settings.LEDE_NEWSLETTER_SMTP_TIMEOUT)
        url = settings.LEDE_NEWSLETTER_SMTP_URL
        if url:
            parts = urlsplit(url)
            query = parse_qs(parts.query)
            return cls(
                host=parts.hostname or "localhost",
                port=parts.port or (465 if parts.scheme == "smtps" else 25),
                username=unquote(parts.username or ""),
                password=unquote(parts.password or ""),
                starttls=query.get("starttls", ["0"])[0] in ("1", "true"),
                ssl=parts.scheme == "smtps",
                timeout=timeout,
            )
        if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
            return cls(
                host=settings.EMAIL_HOST,
                port=int(settings.EMAIL_PORT),
                username=settings.EMAIL_HOST_USER,
                password=settings.EMAIL_HOST_PASSWORD,
                starttls=bool(settings.EMAIL_USE_TLS),
                ssl=bool(settings.EMAIL_USE_SSL),
                timeout=timeout,
            )
        return None


class SmtpSlot:
    """One pooled SMTP connection, used by one thread."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.conn: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        c = self.config
        conn: smtplib.SMTP
        if c.ssl:
            conn = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout)
        else:
            conn = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            if c.starttls:
                conn.starttls()
        if conn.sock is not None:
            # One message is several small writes and reads in lock-step;
            # Nagle's algorithm with the peer's delayed ACK adds ~40 ms to each.
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.ehlo_or_helo_if_needed()
        if c.username:
            conn.login(c.username, c.password)
        return conn

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                self.conn.close()
            self.conn = None

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def send(self, sender: str, recipient: str, raw: bytes) -> Result:
        # The transaction by hand (smtplib's sendmail hides whether the body
        # had left when a connection broke, which decides retry vs unknown).
        try:
            if self.conn is None:
                self.conn = self._open()
            conn = self.conn
            code, reply = conn.mail(sender)
            if code != 250:
                conn.rset()
                return _refusal(code, reply)
            code, reply = conn.rcpt(recipient)
            if code not in (250, 251):
                conn.rset()
                return _refusal(code, reply, recipient=True)
            conn.putcmd("data")
            code, reply = conn.getreply()
            if code != 354:
                conn.rset()
                return _refusal(code, reply)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            return Result(Outcome.RETRY, detail=f"{type(exc).__name__}: {exc}"[:500])
        try:
            # Dot-stuffing as smtplib.SMTP.data does (the message is CRLF already).
            data = _DOT.sub(b"..", raw)
            if not data.endswith(b"\r\n"):
                data += b"\r\n"
            conn.send(data + b".\r\n")
            code, reply = conn.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            return Result(Outcome.UNKNOWN, detail=f"{type(exc).__name__}: {exc}"[:500])
        if code == 250:
            return Result(Outcome.SENT, code=code)
        return _refusal(code, reply)


_DOT = re.compile(rb"(?m)^\.")


def _refusal(code: int, reply: bytes, *, recipient: bool = False) -> Result:
    detail = f"{code} {reply.decode(errors='replace')}"[:500]
    if 500 <= code < 600:
        return Result(Outcome.REFUSED if recipient else Outcome.FAILED, code=code, detail=detail)
    return Result(Outcome.RETRY, code=code, detail=detail)


class _RawMessage:
    """A prepared message for Django's e-mail backends (console, files,
    memory): what they read of an EmailMessage."""

    def __init__(self, sender: str, recipient: str, raw: bytes) -> None:
        self.from_email = sender
        self.to = [recipient]
        self.raw = raw

    def recipients(self) -> list[str]:
        return self.to

    def message(self) -> _RawMessage:
        return self

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self.raw.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode()

    def get_charset(self) -> None:
        return None


class BackendSlot:
    """Messages handed to Django's configured backend (the demo's console)."""

    def send(self, sender: str, recipient: str, raw: bytes) -> Result:
        try:
            get_connection().send_messages([_RawMessage(sender, recipient, raw)])  # type: ignore[list-item]
        except Exception as exc:  # noqa: BLE001 - a backend's failure is this row's outcome
            return Result(Outcome.UNKNOWN, detail=str(exc)[:500])
        return Result(Outcome.SENT)

    def close(self) -> None:
        return None


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


@dataclass
class _Slot:
    index: int
    transport: SmtpSlot | BackendSlot
    jobs: queue.Queue[tuple[int, str, Unsigned] | None] = field(default_factory=queue.Queue)
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


def _subscribed_ids(newsletter_id: int, subscriber_ids: set[int | None]) -> set[int]:
    """Of these addresses, those still subscribed and active (checked for
    every batch: an address that unsubscribes during a send, is suspended or
    deleted gets nothing after that moment)."""
    ids = [i for i in subscriber_ids if i is not None]
    return set(
        Subscription.objects.filter(
            newsletter_id=newsletter_id,
            subscriber_id__in=ids,
            status=Subscription.Status.CONFIRMED,
            subscriber__status=Subscriber.Status.ACTIVE,
        ).values_list("subscriber_id", flat=True)
    )


Row = tuple[int, str, int | None, int | None]  # pk, email, subscriber id, user id


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
        sender = self.factory.sender
        while True:
            job = slot.jobs.get()
            if job is None:
                slot.transport.close()
                return
            delivery_id, recipient, unsigned = job
            try:
                raw = self.factory.finish(unsigned)
                result = slot.transport.send(sender, recipient, raw)
            except Exception as exc:  # noqa: BLE001 - never lose a slot's answer
                result = Result(Outcome.UNKNOWN, detail=str(exc)[:500])
            self.results.put((slot, delivery_id, result))

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
        """Claim one row for each free connection in one transaction, which
        also records the messages those connections just sent: one commit
        per batch, and never more than one row in flight per connection."""
        prepared = []
        for pk, email, subscriber_id, user_id in batch:
            self.limiter.wait()
            user = self.users.get(user_id) if user_id is not None else None
            reader = self.renderer.reader_for(user)
            variant = self.renderer.variant(self.renderer.full_ids_for(reader))
            message_id, raw = self.factory.prepare(
                variant=variant, email=email, subscriber_id=subscriber_id or 0, delivery_id=pk
            )
            prepared.append((pk, email, message_id, raw))
        now = timezone.now()
        slots = {pk: self.free.pop() for pk, *_rest in prepared}
        with transaction.atomic():
            self._flush_sent()
            # One statement claims the batch, for the addresses still
            # subscribed at this moment (the others are skipped below).
            subscribers = {pk: sid for pk, _email, sid, _user in batch}
            still = _subscribed_ids(self.edition.newsletter_id, set(subscribers.values()))
            claim = [pk for pk in slots if subscribers.get(pk) in still]
            claimed = 0
            if claim:
                claimed = Delivery.objects.filter(pk__in=claim, state=DeliveryState.QUEUED).update(
                    state=DeliveryState.SENDING,
                    connection=Case(*[When(pk=pk, then=Value(slots[pk].index)) for pk in claim]),
                    message_id=Case(
                        *[When(pk=pk, then=Value(m[:255])) for pk, _e, m, _r in prepared]
                    ),
                    attempts=F("attempts") + 1,
                    updated_at=now,
                )
            if claimed == len(slots):  # the usual case: no need to read them back
                states: dict[int, str] = dict.fromkeys(slots, DeliveryState.SENDING.value)
            else:
                states = dict(
                    Delivery.objects.filter(pk__in=list(slots)).values_list("pk", "state")
                )
            unclaimed = [pk for pk in slots if states.get(pk) == DeliveryState.QUEUED]
            if unclaimed:
                self.report.skipped += Delivery.objects.filter(
                    pk__in=unclaimed, state=DeliveryState.QUEUED
                ).update(
                    state=DeliveryState.SKIPPED, updated_at=now, last_error="désinscrit ou supprimé"
                )
        to_send = []
        for pk, email, _message_id, raw in prepared:
            if states.get(pk) == DeliveryState.SENDING:
                to_send.append((slots[pk], pk, email, raw))
            else:
                self.free.append(slots[pk])
        for slot, pk, email, raw in to_send:
            if self.on_claimed is not None:
                self.on_claimed(pk)
            self.in_flight += 1
            slot.jobs.put((pk, email, raw))

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
