"""Staff screens render; every e-mail renders in French with both parts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lede.subscriptions import emails
from lede.subscriptions.testing import subscribe


@pytest.fixture
def staff_client(client: Client, db: Any) -> Client:
    from lede.accounts.models import User

    client.force_login(User.objects.create_superuser(email="staff@example.com", password="x"))
    return client


def test_admin_screens(staff_client: Client, catalogue: dict[str, Any], reader: Any) -> None:
    subscribe(reader, catalogue["launch"])
    for url in [
        "/admin/snippets/subscriptions/plan/",
        "/admin/snippets/subscriptions/offer/",
        "/admin/snippets/subscriptions/coupon/",
        "/admin/snippets/subscriptions/offer/add/",
        "/django-admin/payments/order/",
        "/django-admin/payments/providerevent/",
        "/django-admin/subscriptions/subscription/",
        "/django-admin/subscriptions/invoice/",
        "/django-admin/subscriptions/ledgerentry/",
        "/django-admin/subscriptions/giftcode/",
    ]:
        assert staff_client.get(url).status_code == 200, url
    from lede.payments.models import Order

    order = Order.objects.get()
    assert staff_client.get(f"/django-admin/payments/order/{order.pk}/change/").status_code == 200


def test_editing_an_offer_refreshes_the_paywall_box(
    staff_client: Client, catalogue: dict[str, Any]
) -> None:
    from lede.subscriptions.selectors import current_launch_offer

    assert current_launch_offer()["headline"] == "L'offre de lancement"
    launch = catalogue["launch"]
    response = staff_client.post(
        f"/admin/snippets/subscriptions/offer/edit/{launch.pk}/",
        {
            "plan": launch.plan_id,
            "headline": "Offre d'été",
            "slug": "lancement",
            "description": "",
            "intro_price_minor": "5000",
            "intro_periods": "1",
            "trial_days": "0",
            "featured": "on",
            "active": "on",
            "sort_order": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert current_launch_offer()["headline"] == "Offre d'été"


@pytest.mark.parametrize(
    ("name", "context"),
    [
        ("payment_confirmed", {"order_description": "Mensuel", "amount": "70 DH"}),
        ("gift_received", {"code": "AAAA-BBBB-CCCC", "duration": "3 mois", "buyer_name": "A"}),
        ("gift_bought", {"code": "AAAA-BBBB-CCCC", "duration": "3 mois"}),
        ("renewal_reminder", {"plan": "Mensuel", "amount": "70 DH", "automatic": True}),
        ("renewal_reminder", {"plan": "Mensuel", "amount": "70 DH", "is_trial": True}),
        ("payment_overdue", {"plan": "Mensuel", "amount": "70 DH", "final": True}),
        ("cancel_confirmed", {}),
        ("subscription_ended", {"unpaid": True}),
        ("subscription_ended", {"gift": True}),
    ],
)
def test_emails_go_out_over_smtp(
    db: Any, name: str, context: dict[str, Any], smtp_server: Any, settings: Any
) -> None:
    settings.LEDE_BASE_URL = "http://127.0.0.1:18768"
    now = timezone.now()
    base = {
        "period_end": now,
        "grace_until": now,
        "expires_at": now,
        "account_url": "http://127.0.0.1:18768/abonnement/",
        "receipt_url": "http://127.0.0.1:18768/abonnement/recu/LQ-1/",
        "renew_url": "http://127.0.0.1:18768/abonnement/renouveler/",
        "redeem_url": "http://127.0.0.1:18768/abonnement/cadeau/",
        "offers_url": "http://127.0.0.1:18768/offres/",
    }
    emails.send_now(name, "lectrice@example.com", {**base, **context})
    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == ["lectrice@example.com"]
    assert received.subject and "{" not in received.subject
    headers = received.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # headers are ASCII
    assert "=?utf-8?" in headers.lower()  # the non-ASCII subject is encoded
    text, html = received.body("plain"), received.body("html")
    assert text.startswith("Le\u00a0Quotidien\nhttp://127.0.0.1:18768/")
    assert "Bonjour" in text and "&#x27;" not in text and "'" not in text
    assert html.lstrip().startswith("<!DOCTYPE html>") and "Bonjour" in html
    assert "Le\u00a0Quotidien" in html
    for body in (text, html):
        for link in re.findall(r"https?://[^\s\"'<>]+", body):
            assert link.startswith("http://127.0.0.1:18768/"), link


def test_money_emails_carry_the_seller_identity(db: Any, smtp_server: Any) -> None:
    from wagtail.models import Site

    from lede.subscriptions.models import BillingSettings

    billing = BillingSettings.for_site(Site.objects.get(is_default_site=True))
    billing.legal_name = "Médias du Bouregreg SARL"
    billing.address = "18, rue Oued Ziz\n10090 Rabat"
    billing.ice = "002145873000061"
    billing.save()
    emails.send_now(
        "payment_confirmed",
        "lectrice@example.com",
        {"order_description": "Mensuel", "amount": "70 DH", "account_url": "/x/"},
    )
    [received] = smtp_server.wait_for(1)
    for part in ("plain", "html"):
        body = received.body(part)
        assert "Médias du Bouregreg SARL — 18, rue Oued Ziz, 10090 Rabat" in body, body
        assert "ICE\u00a0002145873000061" in body


def test_a_reader_who_chose_arabic_gets_the_money_emails_in_arabic(
    db: Any, smtp_server: Any
) -> None:
    """Subscription e-mails follow the edition the reader chose (User.language),
    whatever language the sending request or worker has active."""
    from lede.accounts.models import User

    User.objects.create_user("qarie@example.com", "pw-lecteur-2026", language="ar")
    context = {"order_description": "Mensuel", "amount": "70 DH", "account_url": "/x/"}
    emails.send_now("payment_confirmed", "qarie@example.com", context)
    emails.send_now("payment_confirmed", "lectrice@example.com", context)  # no account
    arabic, french = smtp_server.wait_for(2)
    assert arabic.rcpt_tos == ["qarie@example.com"]
    html = arabic.body("html")
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert "Bonjour" not in arabic.body("plain")
    assert "Bonjour" in french.body("plain") and 'dir="rtl"' not in french.body("html")
