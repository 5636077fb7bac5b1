"""A real SMTP server for tests: aiosmtpd on a loopback port.

E-mail tests send through Django's SMTP backend to this server, so what they
check is what went over the wire (headers folded and encoded, MIME parts,
envelope recipients), not what Django kept in memory. ``smtp_server`` in the
root conftest starts one per test and points the settings at it.
"""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Received:
    """One message as the server received it."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    def body(self, subtype: str = "plain") -> str:
        """The decoded text of the first part of the given subtype (line ends
        as ``\n``: SMTP carries them as CRLF)."""
        part = self.message.get_body(preferencelist=(subtype,))
        if part is None:
            return ""
        content = part.get_content()
        text = content if isinstance(content, str) else content.decode()
        return text.replace("\r\n", "\n")


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[Received] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def _store(self, item: Received) -> None:
        with self._changed:
            self.messages.append(item)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until ``count`` messages arrived (no fixed sleep), or fail."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} message(s), "
                        f"the SMTP server received {len(self.messages)}"
                    )
                self._changed.wait(left)
            return list(self.messages)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]

    def clear(self) -> None:
        with self._changed:
            self.messages.clear()


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.server._store(
            Received(
                mail_from=str(envelope.mail_from),
                rcpt_tos=[str(r) for r in envelope.rcpt_tos],
                raw=raw,
                message=parsed,
            )
        )
        return "250 Message accepted for delivery"


# aiosmtpd logs every connection at INFO from its own thread, which can
# outlive the test whose captured output it writes to; its warnings and
# errors still show.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@contextmanager
def smtp_server(**controller_kwargs: Any) -> Iterator[SmtpServer]:
    """Run an SMTP server on 127.0.0.1 (a free port) for the block's duration."""
    # aiosmtpd's controller connects to its own port to know it is up, so it
    # needs a real port number rather than 0.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = SmtpServer(host="127.0.0.1", port=port)
    controller = Controller(_Handler(server), hostname="127.0.0.1", port=port, **controller_kwargs)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
