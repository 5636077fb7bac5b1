"""Bounces and complaints: RFC 3464 reports from a mailbox, Mailgun's
signed webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from lede.newsletters import tokens
from lede.newsletters.bounces import dsn_parse
from lede.newsletters.models import Newsletter, Subscriber, Subscription

from .helpers import confirmed

pytestmark = pytest.mark.django_db

DSN = b"""From: MAILER-DAEMON@relay.lede.example
To: bounces@lede.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=us-ascii

Votre message n'a pas pu etre remis.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.lede.example
Arrival-Date: Mon, 7 Dec 2026 07:00:02 +0100

Final-Recipient: rfc822; {hard}
Original-Recipient: rfc822;{hard}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{hard}>: Recipient address rejected

Final-Recipient: rfc822; {soft}
Action: delayed
Status: 4.2.2
Diagnostic-Code: smtp; 452 4.2.2 Mailbox full

--BOUNDARY
Content-Type: text/rfc822-headers

Message-ID: <1.2.abc@lede.example>

--BOUNDARY--
"""


def _dsn(hard: str, soft: str) -> bytes:
    return DSN.replace(b"{hard}", hard.encode()).replace(b"{soft}", soft.encode())


def test_dsn_parse() -> None:
    bounces = dsn_parse(_dsn("gone@example.ma", "full@example.ma"))
    assert [(b.email, b.hard, b.status) for b in bounces] == [
        ("gone@example.ma", True, "5.1.1"),
        ("full@example.ma", False, "4.2.2"),
    ]
    assert dsn_parse(b"Subject: hello\r\n\r\nnot a report") == []


def test_bounce_read_command_suspends_hard_bounces(matinale: Newsletter, tmp_path: Path) -> None:
    confirmed(matinale, "gone@example.ma", "full@example.ma")
    maildir = tmp_path / "bounces"
    (maildir / "new").mkdir(parents=True)
    (maildir / "new" / "1.eml").write_bytes(_dsn("gone@example.ma", "full@example.ma"))
    (maildir / "new" / "2.eml").write_bytes(b"Subject: pas un rapport\r\n\r\nbonjour")
    full_sub = Subscriber.objects.get(email="full@example.ma")
    token = tokens.unsubscribe_token(
        subscriber_id=full_sub.pk, email=full_sub.email, newsletter_id=matinale.pk
    )
    (maildir / "new" / "3.eml").write_bytes(f"Subject: unsubscribe {token}\r\n\r\n".encode())
    out = StringIO()
    call_command("newsletter_bounce_read", str(maildir), stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == "hard 1, soft 1, unknown address 0, unsubscribed 1"
    gone = Subscriber.objects.get(email="gone@example.ma")
    assert gone.status == Subscriber.Status.SUSPENDED and "5.1.1" in gone.status_reason
    full = Subscriber.objects.get(email="full@example.ma")
    assert full.status == Subscriber.Status.ACTIVE and full.bounce_count == 1
    assert full.subscriptions.get().status == Subscription.Status.UNSUBSCRIBED  # the mailto:
    assert not list((maildir / "new").iterdir())  # read reports moved to cur/


def _mailgun(key: str, event: dict[str, Any], *, timestamp: int | None = None) -> str:
    ts = str(timestamp or int(time.time()))
    token = hashlib.sha256(json.dumps(event).encode() + ts.encode()).hexdigest()
    signature = hmac.new(key.encode(), (ts + token).encode(), hashlib.sha256).hexdigest()
    return json.dumps(
        {
            "signature": {"timestamp": ts, "token": token, "signature": signature},
            "event-data": event,
        }
    )


def test_mailgun_webhook(settings: Any, matinale: Newsletter, client: Client) -> None:
    settings.LEDE_MAILGUN_WEBHOOK_KEY = "key-de-test-mailgun"
    confirmed(matinale, "gone@example.ma", "angry@example.ma")
    url = "/lettres/webhooks/mailgun/"
    hard = {"event": "failed", "severity": "permanent", "recipient": "gone@example.ma"}
    body = _mailgun(settings.LEDE_MAILGUN_WEBHOOK_KEY, hard)
    assert client.post(url, body, content_type="application/json").status_code == 200
    assert Subscriber.objects.get(email="gone@example.ma").status == Subscriber.Status.SUSPENDED
    # Replayed, forged, stale, unreadable: refused.
    assert client.post(url, body, content_type="application/json").status_code == 403
    forged = _mailgun("une-autre-cle", {"event": "complained", "recipient": "angry@example.ma"})
    assert client.post(url, forged, content_type="application/json").status_code == 403
    stale = _mailgun(
        settings.LEDE_MAILGUN_WEBHOOK_KEY,
        {"event": "complained", "recipient": "angry@example.ma"},
        timestamp=int(time.time()) - 3600,
    )
    assert client.post(url, stale, content_type="application/json").status_code == 403
    assert client.post(url, "{", content_type="application/json").status_code == 400
    complaint = _mailgun(
        settings.LEDE_MAILGUN_WEBHOOK_KEY, {"event": "complained", "recipient": "angry@example.ma"}
    )
    assert client.post(url, complaint, content_type="application/json").status_code == 200
    angry = Subscriber.objects.get(email="angry@example.ma")
    assert angry.status == Subscriber.Status.COMPLAINED
    assert angry.subscriptions.get().status == Subscription.Status.UNSUBSCRIBED
