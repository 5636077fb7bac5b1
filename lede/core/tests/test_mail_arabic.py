"""An e-mail in Arabic over a real SMTP server: the subject travels RFC 2047
encoded and decodes to the Arabic text, and the HTML part is laid out right
to left (direction from the language, never hard-coded)."""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.utils import translation

from lede.core import mail

pytestmark = pytest.mark.django_db

CONTEXT = {
    "amount": "60 درهم",
    "order_description": "الاشتراك الشهري",
    "invoice_number": "LQ-2026-000001",
    "receipt_url": "http://127.0.0.1:18767/abonnement/recu/LQ-2026-000001/",
    "account_url": "http://127.0.0.1:18767/abonnement/",
}


def _raw_subject(raw: bytes) -> str:
    found = re.search(rb"^Subject: (.*(?:\r?\n[ \t].*)*)", raw, re.M)
    assert found
    return found.group(1).decode("ascii")  # 7-bit on the wire


def test_an_arabic_email_has_an_encoded_subject_and_a_right_to_left_body(
    smtp_server: Any, settings: Any
) -> None:
    settings.LEDE_BASE_URL = "http://127.0.0.1:18767"
    with translation.override("ar"):
        mail.send("subscriptions/email/payment_confirmed", "qaria@example.com", CONTEXT)
    [received] = smtp_server.wait_for(1)
    raw = _raw_subject(received.raw)
    assert "=?utf-8?" in raw.lower()  # RFC 2047 encoded-words
    decoded = str(make_header(decode_header(raw))).strip()
    assert decoded.startswith("تم تأكيد الأداء — ")
    assert received.subject.strip() == decoded  # folded after "Subject:"
    html = received.body("html")
    assert '<html lang="ar" dir="rtl">' in html
    assert "توصلنا بأدائك البالغ" in html and "60 درهم" in html
    assert "توصلنا بأدائك البالغ" in received.body("plain")


def test_the_language_can_be_given_per_message(smtp_server: Any) -> None:
    """A reader's e-mail in their own language, whatever the active one."""
    mail.send("subscriptions/email/payment_confirmed", "a@example.com", CONTEXT, language="ar")
    mail.send("subscriptions/email/payment_confirmed", "b@example.com", CONTEXT, language="fr")
    smtp_server.wait_for(2)
    [arabic] = smtp_server.to("a@example.com")
    [french] = smtp_server.to("b@example.com")
    assert '<html lang="ar" dir="rtl">' in arabic.body("html")
    assert '<html lang="fr" dir="ltr">' in french.body("html")
    assert french.subject.startswith("Paiement confirmé")
    assert translation.get_language() in ("fr", "fr-fr")
