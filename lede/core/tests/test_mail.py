"""The reader e-mails' one layout and helper (lede/core/mail.py), checked on
what a real SMTP server receives."""

from __future__ import annotations

import re
from typing import Any

import pytest
from wagtail.models import Site

from lede.core import mail
from lede.core.models import PublicationSettings

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:18766"
N = "\u202f"
NB = "\u00a0"


@pytest.fixture
def configured(settings: Any) -> PublicationSettings:
    settings.LEDE_BASE_URL = BASE
    site = Site.objects.get(is_default_site=True)
    pub = PublicationSettings.for_site(site)
    pub.publisher = "Médias du Bouregreg"
    pub.save()
    return pub


def test_layout_typography_and_address_over_smtp(configured: Any, smtp_server: Any) -> None:
    mail.send(
        "subscriptions/email/payment_confirmed",
        "lectrice@example.com",
        {
            "amount": "60 DH",
            "order_description": "l'offre mensuelle",
            "invoice_number": "LQ-2026-000001",
            "receipt_url": BASE + "/abonnement/recu/LQ-2026-000001/",
            "account_url": BASE + "/abonnement/",
        },
    )
    [received] = smtp_server.wait_for(1)
    raw_subject = re.search(rb"^Subject: (.*(?:\r?\n[ \t].*)*)", received.raw, re.M)
    assert raw_subject and b"=?utf-8?" in raw_subject.group(1)  # encoded on the wire
    assert received.subject == f"Paiement confirmé — Le{NB}Quotidien".replace(NB, " ")
    text, html = received.body("plain"), received.body("html")
    for body in (text, html):
        assert f"Le{NB}Quotidien" in body  # the name never breaks across lines
        assert "Le Quotidien" not in body
        assert f"60{N}DH" in body and "paiement de" in body
        assert "l’offre mensuelle" in body and "l'offre" not in body
        assert f"{NB}: " not in body and " : " not in body  # narrow space before colons
        assert "Médias du Bouregreg" in body  # publisher in the footer
        assert "127.0.0.1:18766" in body
        for link in re.findall(r"https?://[^\s\"'<>]+", body):
            assert link.startswith(BASE + "/"), link
    assert html.lstrip().startswith("<!DOCTYPE html>") and '<html lang="fr"' in html
    assert f'href="{BASE}/abonnement/recu/LQ-2026-000001/"' in html


def test_urls_and_codes_are_never_typeset(configured: Any) -> None:
    rendered = mail.render(
        "subscriptions/email/gift_received",
        {
            "code": "AB12 : CD'34",
            "duration": "3 mois",
            "buyer_name": "Amal",
            "redeem_url": BASE + "/abonnement/cadeau/?code=a'b:c",
            "expires_at": None,
        },
    )
    assert f'href="{BASE}/abonnement/cadeau/?code=a&#x27;b:c"' in rendered.html or (
        f'href="{BASE}/abonnement/cadeau/?code=a\'b:c"' in rendered.html
    )
    assert f"{BASE}/abonnement/cadeau/?code=a'b:c" in rendered.text
    assert "AB12 : CD&#x27;34</code>" in rendered.html or "AB12 : CD'34</code>" in rendered.html


def test_keep_together() -> None:
    assert mail.keep_together("Lire Le Quotidien.", "Le Quotidien") == f"Lire Le{NB}Quotidien."
    assert mail.keep_together("Lire Lede.", "Lede") == "Lire Lede."
