"""Building one recipient's message from a rendered variant, as bytes.

Hand-built MIME rather than ``email.message``/``EmailMessage`` per recipient:
the standard library re-encodes and re-folds every part of every message
(about a millisecond each, more than all the rest of a send). What is the
same for every recipient is prepared once per edition and variant
(:class:`Frame`): the encoded subject and sender, the MIME frame and its
boundary, and for each part the base64 lines of everything before the first
personalised byte, cut at a 57-byte multiple so that those lines are the
same in every message, with the SHA-256 state of the body up to there
(DKIM's body hash then only hashes the rest). Each message substitutes its
address and links into the part's remainder and base64-encodes that
remainder. The result is plain RFC 5322/2045 (CRLF lines, base64 UTF-8
parts), checked in the tests by parsing what the SMTP server received with
the standard library and verifying the DKIM signature with dkimpy.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone

from lede.core.site import base_url, site_url

from . import tokens
from .dkim import Signer, signer_from_file
from .models import Edition
from .rendering import EMAIL_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER, Variant

#: (headers, body, the body's DKIM hash in base64)
Unsigned = tuple[list[tuple[str, str]], bytes, str]

#: base64's line: 57 bytes become 76 characters.
_B64_LINE = 57
_PLACEHOLDERS = (UNSUBSCRIBE_PLACEHOLDER.encode(), EMAIL_PLACEHOLDER.encode())


def _b64_lines(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


@dataclass(frozen=True)
class _Part:
    """One MIME part's text: base64 lines of the bytes before the first
    placeholder (cut at a 57-byte multiple, so that the lines are the same in
    every message), and the remainder in which placeholders are replaced."""

    head: bytes
    rest: bytes
    escape: bool

    @classmethod
    def of(cls, text: str, *, escape: bool) -> _Part:
        data = text.encode()
        first = min((i for i in (data.find(p) for p in _PLACEHOLDERS) if i >= 0), default=len(data))
        cut = first - first % _B64_LINE
        return cls(head=_b64_lines(data[:cut]), rest=data[cut:], escape=escape)

    def tail(self, *, unsubscribe_url: str, email: str) -> bytes:
        if self.escape:
            email = html.escape(email)
            unsubscribe_url = html.escape(unsubscribe_url)
        rest = self.rest.replace(_PLACEHOLDERS[0], unsubscribe_url.encode()).replace(
            _PLACEHOLDERS[1], email.encode()
        )
        return _b64_lines(rest)


@dataclass
class Frame:
    """A variant's MIME frame, prepared once per send: the body of a
    recipient's message is ``opening + text tail + middle + html tail +
    closing``; ``started`` is SHA-256 over ``opening`` (DKIM's relaxed body
    canonicalisation leaves such a body unchanged: base64 lines and header
    lines with single spaces, no trailing white space, no empty line at the
    end — tests check it against the canonicalisation itself)."""

    subject: str
    boundary: str
    text: _Part
    html: _Part
    opening: bytes = b""
    middle: bytes = b""
    closing: bytes = b""
    started: Any = None

    def __post_init__(self) -> None:
        part_head = b"Content-Transfer-Encoding: base64\r\n\r\n"
        self.opening = (
            f"--{self.boundary}\r\n".encode()
            + b'Content-Type: text/plain; charset="utf-8"\r\n'
            + part_head
            + self.text.head
        )
        self.middle = (
            f"--{self.boundary}\r\n".encode()
            + b'Content-Type: text/html; charset="utf-8"\r\n'
            + part_head
            + self.html.head
        )
        self.closing = f"--{self.boundary}--\r\n".encode()
        self.started = hashlib.sha256(self.opening)

    def body(self, *, unsubscribe_url: str, email: str) -> tuple[bytes, str]:
        """(the body, its DKIM body hash)."""
        text = self.text.tail(unsubscribe_url=unsubscribe_url, email=email)
        html_tail = self.html.tail(unsubscribe_url=unsubscribe_url, email=email)
        digest = self.started.copy()
        for piece in (text, self.middle, html_tail, self.closing):
            digest.update(piece)
        body = b"".join((self.opening, text, self.middle, html_tail, self.closing))
        return body, base64.b64encode(digest.digest()).decode()


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1]


def configured_signer() -> Signer | None:
    if not settings.LEDE_DKIM_KEY_FILE:
        return None
    domain = settings.LEDE_DKIM_DOMAIN or ""
    return signer_from_file(settings.LEDE_DKIM_KEY_FILE, domain, settings.LEDE_DKIM_SELECTOR)


@dataclass
class MessageFactory:
    """Everything about an edition's messages that does not change per
    recipient; :meth:`build` makes one recipient's bytes."""

    edition: Edition
    signer: Signer | None = None

    def __post_init__(self) -> None:
        newsletter = self.edition.newsletter
        self.sender = newsletter.sender_address
        self.from_header = formataddr((newsletter.sender_name, newsletter.sender_address), "utf-8")
        self.domain = _domain(self.sender)
        list_name = Header(newsletter.name, "utf-8").encode()
        self.list_id = f"{list_name} <{newsletter.slug}.{self.domain}>"
        self.unsubscribe_mailbox = (
            settings.LEDE_NEWSLETTER_UNSUBSCRIBE_MAILBOX or f"desinscription@{self.domain}"
        )
        self.archive = f"<{base_url()}/lettres/{newsletter.slug}/>"
        # Message-IDs: the row's id (unique) and a random part per run.
        self.run = secrets.token_hex(6)
        self._frames: dict[int, tuple[Variant, Frame]] = {}
        self._dates: tuple[int, str] = (0, "")

    def message_id(self, delivery_id: int) -> str:
        return f"<{self.edition.pk}.{delivery_id}.{self.run}@{self.domain}>"

    def frame(self, variant: Variant) -> Frame:
        found = self._frames.get(id(variant))
        if found is None:
            frame = Frame(
                subject=Header(variant.subject, "utf-8").encode(linesep="\r\n"),
                # "=_" never occurs in base64 lines: the boundary cannot either.
                boundary=f"=_lede_{secrets.token_hex(12)}",
                text=_Part.of(variant.text, escape=False),
                html=_Part.of(variant.html, escape=True),
            )
            found = self._frames[id(variant)] = (variant, frame)
        return found[1]

    def _date(self, now: datetime | None) -> str:
        if now is not None:
            return format_datetime(now)
        second = int(time.time())
        if self._dates[0] != second:
            self._dates = (second, format_datetime(timezone.now()))
        return self._dates[1]

    def unsubscribe_url(self, *, subscriber_id: int, email: str) -> tuple[str, str]:
        token = tokens.unsubscribe_token(
            subscriber_id=subscriber_id, email=email, newsletter_id=self.edition.newsletter_id
        )
        return token, site_url(f"/lettres/desinscription/{token}/")

    def build(
        self,
        *,
        variant: Variant,
        email: str,
        subscriber_id: int,
        delivery_id: int,
        now: datetime | None = None,
    ) -> tuple[str, bytes]:
        """(Message-ID, the message's bytes) for one recipient."""
        message_id, unsigned = self.prepare(
            variant=variant,
            email=email,
            subscriber_id=subscriber_id,
            delivery_id=delivery_id,
            now=now,
        )
        return message_id, self.finish(unsigned)

    def prepare(
        self,
        *,
        variant: Variant,
        email: str,
        subscriber_id: int,
        delivery_id: int,
        now: datetime | None = None,
    ) -> tuple[str, Unsigned]:
        """Everything but the DKIM signature (which the sending threads add:
        OpenSSL's RSA runs outside the GIL)."""
        frame = self.frame(variant)
        token, unsubscribe = self.unsubscribe_url(subscriber_id=subscriber_id, email=email)
        message_id = self.message_id(delivery_id)
        mailto = f"mailto:{self.unsubscribe_mailbox}?subject={quote('unsubscribe ' + token)}"
        headers: list[tuple[str, str]] = [
            ("From", self.from_header),
            ("To", email),
            ("Subject", frame.subject),
            ("Date", self._date(now)),
            ("Message-ID", message_id),
            ("List-Id", self.list_id),
            ("List-Unsubscribe", f"<{unsubscribe}>,\r\n <{mailto}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("List-Archive", self.archive),
            ("MIME-Version", "1.0"),
            ("Content-Type", f'multipart/alternative; boundary="{frame.boundary}"'),
        ]
        body, body_hash = frame.body(unsubscribe_url=unsubscribe, email=email)
        return message_id, (headers, body, body_hash)

    def finish(self, unsigned: Unsigned) -> bytes:
        """The message's bytes, signed when a DKIM key is configured."""
        headers, body, body_hash = unsigned
        if self.signer is not None:
            signature = self.signer.sign(headers, body, body_hash=body_hash)
            headers = [("DKIM-Signature", signature), *headers]
        head = "".join(f"{name}: {value}\r\n" for name, value in headers)
        return head.encode() + b"\r\n" + body
