"""A scriptable aiosmtpd server for the delivery tests: refuse some
recipients, answer 4xx once, drop the connection after a message's body, or
hold a message until the test lets it go."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from lede.core.testing.smtp import Received, SmtpServer


class Script:
    def __init__(self) -> None:
        self.refuse: set[str] = set()
        self.defer_once: set[str] = set()
        self.drop_after_body: set[str] = set()
        self.hold: set[str] = set()
        self.holding = threading.Event()  # set when a held message arrived
        self.release = threading.Event()
        self.pipelining = False  # advertise PIPELINING (RFC 2920) in the EHLO reply


class _Handler:
    def __init__(self, server: SmtpServer, script: Script) -> None:
        self.server = server
        self.script = script

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        if self.script.pipelining:
            return [*responses[:-1], "250-PIPELINING", responses[-1]]
        return responses

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.script.refuse:
            return "550 5.1.1 Mailbox unavailable"
        if address in self.script.defer_once:
            self.script.defer_once.discard(address)
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

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
        rcpt = set(envelope.rcpt_tos)
        if rcpt & self.script.hold:
            self.script.holding.set()
            while not self.script.release.is_set():
                await asyncio.sleep(0.01)
        if rcpt & self.script.drop_after_body:
            assert server.transport is not None
            server.transport.close()
        return "250 Message accepted for delivery"


@contextmanager
def scripted_smtp(
    settings: Any, *, pipelining: bool = False
) -> Iterator[tuple[SmtpServer, Script]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = SmtpServer(host="127.0.0.1", port=port)
    script = Script()
    script.pipelining = pipelining
    controller = Controller(_Handler(server, script), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.LEDE_NEWSLETTER_SMTP_URL = ""
    try:
        yield server, script
    finally:
        script.release.set()
        controller.stop()
