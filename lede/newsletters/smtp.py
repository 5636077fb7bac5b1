"""SMTP transport for the delivery worker: one connection per sending
thread, speaking SMTP itself so that it knows whether the body has left
(``unknown``) or not (safe to retry); and a slot on a Django e-mail backend
for tests and for operators who send through another backend.
"""

from __future__ import annotations

import re
import smtplib
import socket
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.mail import get_connection


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
        # With PIPELINING (RFC 2920) MAIL, RCPT and DATA go in one write and
        # their three replies are read after: two round trips per message.
        try:
            if self.conn is None:
                self.conn = self._open()
            conn = self.conn
            if conn.has_extn("pipelining"):
                conn.send(f"MAIL FROM:<{sender}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n")
                mail, rcpt, data = conn.getreply(), conn.getreply(), conn.getreply()
            else:
                mail = conn.mail(sender)
                rcpt = conn.rcpt(recipient) if mail[0] == 250 else (503, b"")
                data = (0, b"")
                if rcpt[0] in (250, 251):
                    conn.putcmd("data")
                    data = conn.getreply()
            if data[0] == 354 and (mail[0] != 250 or rcpt[0] not in (250, 251)):
                # A server that opens DATA without a recipient: an empty
                # message to nobody closes it.
                conn.send(b".\r\n")
                conn.getreply()
                data = (503, b"")
            if data[0] != 354:
                conn.rset()
                if mail[0] != 250:
                    return _refusal(*mail)
                if rcpt[0] not in (250, 251):
                    return _refusal(*rcpt, recipient=True)
                return _refusal(*data)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            return Result(Outcome.RETRY, detail=f"{type(exc).__name__}: {exc}"[:500])
        try:
            # Dot-stuffing as smtplib.SMTP.data does (the message is CRLF
            # already; the newsletters' base64 bodies never need it).
            data_out = _DOT.sub(b"..", raw) if raw.startswith(b".") or b"\n." in raw else raw
            if not data_out.endswith(b"\r\n"):
                data_out += b"\r\n"
            conn.send(data_out + b".\r\n")
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
