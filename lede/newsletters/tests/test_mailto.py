"""Unsubscribing through the ``mailto:`` of List-Unsubscribe, end to end
over a real SMTP server: the edition goes out, a mail client writes to the
address and subject the header gives, the mailbox reader (a Maildir, or the
MTA's pipe on standard input) unsubscribes the reader, and the next send
leaves them out."""

from __future__ import annotations

import io
import re
import smtplib
import sys
from email.message import EmailMessage
from email.utils import make_msgid
from io import StringIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.core.management import call_command

from lede.core.testing.smtp import Received, SmtpServer
from lede.newsletters import services
from lede.newsletters.delivery import deliver_edition
from lede.newsletters.models import Edition, EditionArticle, Newsletter, Subscription
from lede.newsletters.selectors import edition_articles

from .helpers import confirmed

pytestmark = pytest.mark.django_db(transaction=True)


def _send_edition(newsletter: Newsletter, server: SmtpServer, count: int) -> list[Received]:
    before = len(server.messages)
    previous = Edition.objects.filter(newsletter=newsletter).first()
    if previous is None:
        edition = services.edition_build(newsletter=newsletter)
    else:  # the next morning's edition, the same articles composed again
        edition = Edition.objects.create(newsletter=newsletter, subject="Le lendemain")
        for order, article in enumerate(edition_articles(previous)):
            EditionArticle.objects.create(edition=edition, article=article, sort_order=order)
    services.edition_enqueue(edition=edition)
    deliver_edition(edition, connections=1)
    return server.wait_for(before + count)[before:]


def _client_writes(server: SmtpServer, received: Received, *, subject_prefix: str = "") -> bytes:
    """What a mail client does with the header's mailto: a message to that
    address with that subject, sent over SMTP; returns the bytes the
    mailbox received."""
    header = str(received.message["List-Unsubscribe"])
    mailto = re.search(r"<mailto:([^>]+)>", header)
    assert mailto is not None
    parts = urlsplit("mailto:" + mailto.group(1))
    subject = unquote(parts.query.split("subject=", 1)[1])
    message = EmailMessage()
    message["From"] = received.rcpt_tos[0]
    message["To"] = parts.path
    message["Subject"] = subject_prefix + subject
    message["Message-ID"] = make_msgid(domain="example.ma")
    message.set_content("")
    before = len(server.messages)
    with smtplib.SMTP(server.host, server.port) as client:
        client.send_message(message)
    (delivered,) = server.wait_for(before + 1)[before:]
    assert delivered.rcpt_tos == ["desinscription@lede.example"]
    return delivered.raw


def _status(address: str, newsletter: Newsletter) -> str:
    return Subscription.objects.get(subscriber__email=address, newsletter=newsletter).status


def test_a_mail_to_the_mailto_address_read_from_a_maildir_unsubscribes(
    smtp_server: SmtpServer, matinale: Newsletter, tmp_path: Path
) -> None:
    confirmed(matinale, "leaves@example.ma", "stays@example.ma")
    received = _send_edition(matinale, smtp_server, 2)
    leaving = next(r for r in received if r.rcpt_tos == ["leaves@example.ma"])
    raw = _client_writes(smtp_server, leaving)
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "1.eml").write_bytes(raw)
    out = StringIO()
    call_command("newsletter_bounce_read", str(tmp_path), stdout=out)
    assert out.getvalue().strip() == "hard 0, soft 0, unknown address 0, unsubscribed 1"
    assert _status("leaves@example.ma", matinale) == Subscription.Status.UNSUBSCRIBED
    assert _status("stays@example.ma", matinale) == Subscription.Status.CONFIRMED
    row = Subscription.objects.get(subscriber__email="leaves@example.ma")
    assert row.unsubscribe_source == "mailto"
    assert list((tmp_path / "cur").iterdir())  # read mail is moved out of new/
    # The next edition goes to the other reader only.
    next_round = _send_edition(matinale, smtp_server, 1)
    assert [r.rcpt_tos for r in next_round] == [["stays@example.ma"]]


def test_a_mail_piped_by_the_mta_unsubscribes(
    smtp_server: SmtpServer, matinale: Newsletter, monkeypatch: pytest.MonkeyPatch
) -> None:
    confirmed(matinale, "piped@example.ma")
    (received,) = _send_edition(matinale, smtp_server, 1)
    # Some clients prefix the subject they were given; the token is still read.
    raw = _client_writes(smtp_server, received, subject_prefix="Re: ")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = StringIO()
    call_command("newsletter_bounce_read", "-", stdout=out)
    assert "unsubscribed 1" in out.getvalue()
    assert _status("piped@example.ma", matinale) == Subscription.Status.UNSUBSCRIBED


def test_a_forged_token_unsubscribes_nobody(
    smtp_server: SmtpServer, matinale: Newsletter, monkeypatch: pytest.MonkeyPatch
) -> None:
    confirmed(matinale, "kept@example.ma")
    message = EmailMessage()
    message["From"] = "mallory@example.ma"
    message["To"] = "desinscription@lede.example"
    message["Subject"] = "unsubscribe eyJzIjoxfQ:forged:signature"
    message.set_content("")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(message.as_bytes())))
    err = StringIO()
    call_command("newsletter_bounce_read", "-", stdout=StringIO(), stderr=err)
    assert "ignoré" in err.getvalue()
    assert _status("kept@example.ma", matinale) == Subscription.Status.CONFIRMED
