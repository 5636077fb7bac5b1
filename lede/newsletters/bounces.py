"""Bounces and complaints: RFC 3464 delivery-status notifications (a
self-hosted relay's bounce mailbox) and Mailgun's signed webhooks.

A hard (permanent, 5.x.x) bounce suspends the address; a complaint
unsubscribes it from everything (services.py). Both show in the admin
(Lettres d'information › Adresses).
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import time
from dataclasses import dataclass
from email.message import Message

from django.conf import settings
from django.core.cache import cache

from lede.core.caching import keys

#: Mailgun: a notification older than this is refused (replays).
MAILGUN_MAX_AGE = 15 * 60


@dataclass(frozen=True)
class Bounce:
    email: str
    hard: bool
    status: str
    diagnostic: str


def _status_fields(part: Message) -> list[Message]:
    """The per-recipient blocks of a message/delivery-status part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        # The stdlib parses message/delivery-status into a list of header blocks.
        return [p for p in payload if isinstance(p, Message)]
    text = payload if isinstance(payload, str) else ""
    return [email.message_from_string(block) for block in text.split("\n\n") if block.strip()]


def dsn_parse(raw: bytes) -> list[Bounce]:
    """The failed recipients of an RFC 3464 report (``multipart/report;
    report-type=delivery-status``); an empty list for anything else."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    if message.get_content_type() != "multipart/report":
        return []
    if str(message.get_param("report-type") or "").lower() != "delivery-status":
        return []
    bounces: list[Bounce] = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in _status_fields(part):
            action = (block.get("Action") or "").strip().lower()
            recipient = block.get("Final-Recipient") or block.get("Original-Recipient") or ""
            if action not in ("failed", "delayed") or ";" not in recipient:
                continue
            address = recipient.split(";", 1)[1].strip().strip("<>").lower()
            status = (block.get("Status") or "").strip()
            bounces.append(
                Bounce(
                    email=address,
                    hard=action == "failed" and status.startswith("5"),
                    status=status,
                    diagnostic=" ".join((block.get("Diagnostic-Code") or "").split())[:255],
                )
            )
    return bounces


class BadSignature(Exception):
    pass


def mailgun_verify(*, timestamp: str, token: str, signature: str, now: float | None = None) -> None:
    """Mailgun's documented scheme: HMAC-SHA256 of timestamp + token with the
    webhook signing key; refuse stale timestamps and reused tokens."""
    key = settings.LEDE_MAILGUN_WEBHOOK_KEY
    if not key:
        raise BadSignature("no Mailgun webhook key configured")
    try:
        age = (now if now is not None else time.time()) - int(timestamp)
    except ValueError as exc:
        raise BadSignature("bad timestamp") from exc
    if abs(age) > MAILGUN_MAX_AGE:
        raise BadSignature("stale timestamp")
    expected = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise BadSignature("signature mismatch")
    if not cache.add(keys.mailgun_token_key(token), 1, timeout=MAILGUN_MAX_AGE * 2):
        raise BadSignature("token already used")
