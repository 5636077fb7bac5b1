"""The sandbox gateway and the whole reader journey through it."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from lede.core.testing import factories as f
from lede.payments.models import Order, PaymentAttempt
from lede.payments.providers import sandbox
from lede.paywall.models import AccessGrant
from lede.subscriptions.models import Invoice, Subscription
from lede.subscriptions.selectors import price_text

SUCCESS = "4242 4242 4242 4242"
DECLINE = "4000 0000 0000 0002"
ERROR = "4000 0000 0000 0119"


@pytest.fixture
def article(db: Any) -> Any:
    section = f.make_section("Enquêtes")
    return f.make_article(
        section,
        "Le port se prépare à la saison",
        standfirst="Un chapô public.",
        access_level="subscribers",
        published_at=timezone.now() - timedelta(hours=1),
        body=[
            ("paragraph", "<p>Premier paragraphe public.</p>"),
            ("paragraph", "<p>La suite réservée aux abonnés du port.</p>"),
        ],
    )


def _card(client: Client, location: str, number: str) -> Any:
    return client.post(location, {"number": number, "expiry": "12/39", "cvc": "123", "name": "L"})


def _follow(client: Client, response: Any, limit: int = 6) -> Any:
    for _ in range(limit):
        if response.status_code not in (301, 302, 303):
            return response
        response = client.get(response["Location"])
    return response


def test_whole_journey_with_the_success_card(
    client: Client,
    catalogue: dict[str, Any],
    article: Any,
    django_capture_on_commit_callbacks: Any,
    smtp_server: Any,
) -> None:
    url = article.url
    locked = client.get(url)
    assert locked["X-Lede-Variant"] == "locked"
    assert "La suite réservée" not in locked.content.decode()

    offers = client.get(f"/abonnement/offres/?next={url}")
    html = offers.content.decode()
    assert html.index('data-offer="lancement"') < html.index('data-offer="mensuel"')
    checkout_url = "/abonnement/commande/lancement/?" + urlencode({"next": url})
    assert f'href="{checkout_url}"' in html

    page = client.get(checkout_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'action="/compte/signup/"' in text and 'action="/compte/login/"' in text

    # The one road in: address → e-mailed code → back on the checkout.
    signup = client.post("/compte/signup/", {"email": "nouvelle@example.com", "next": checkout_url})
    assert signup.status_code == 302
    [sent] = smtp_server.wait_for(1)
    assert sent.rcpt_tos == ["nouvelle@example.com"]
    code = re.search(r"^\s*([A-Z0-9-]{4,16})\s*$", sent.body("plain"), re.MULTILINE)
    assert code
    confirmed = client.post(signup["Location"], {"code": code.group(1)})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == checkout_url

    pay = client.post(checkout_url, {"provider": "sandbox", "action": "pay"})
    assert pay.status_code == 303
    assert pay["Location"].startswith("/paiement/test/")
    card_page = client.get(pay["Location"])
    assert "Mode test" in card_page.content.decode()
    assert "60\u00a0DH" in card_page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        done = _card(client, pay["Location"], SUCCESS)
    assert done.status_code == 303
    back = _follow(client, done)
    assert back.request["PATH_INFO"] == url
    assert back["X-Lede-Variant"] == "full"
    assert "La suite réservée" in back.content.decode()

    account = client.get("/abonnement/")
    text = price_text(account.content.decode())
    subscription = Subscription.objects.get(user__email="nouvelle@example.com")
    assert "Prochain renouvellement le" in text
    assert "70 DH" in text  # the monthly plan after the launch month
    invoice = Invoice.objects.get(user__email="nouvelle@example.com")
    assert invoice.total_minor == 6000
    assert invoice.number in text
    pdf = client.get(f"/abonnement/recus/{invoice.number}.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert subscription.provider_token == "tok_sandbox_4242424242424242"
    received = smtp_server.wait_for(2)
    assert any("Paiement confirmé" in m.subject for m in received)


@pytest.mark.parametrize(
    ("number", "status"), [(DECLINE, "declined"), (ERROR, "error")], ids=["decline", "error"]
)
def test_failing_cards_end_on_a_french_error(
    reader_client: Client, reader: Any, catalogue: dict[str, Any], number: str, status: str
) -> None:
    pay = reader_client.post(
        "/abonnement/commande/lancement/", {"provider": "sandbox", "action": "pay"}
    )
    final = _follow(reader_client, _card(reader_client, pay["Location"], number))
    assert final.status_code == 200
    html = final.content.decode()
    assert "Paiement refusé" in html
    assert "Réessayer" in html
    assert PaymentAttempt.objects.get().status == status
    assert not AccessGrant.objects.filter(user=reader).exists()
    assert not Invoice.objects.exists()
    # Try again with the good card: same order, new attempt, paid.
    order = Order.objects.get()
    retry = reader_client.post(f"/paiement/commande/{order.uuid}/payer/", {"provider": "sandbox"})
    _follow(reader_client, _card(reader_client, retry["Location"], SUCCESS))
    order.refresh_from_db()
    assert order.status == "paid"
    assert order.attempts.count() == 2
    assert AccessGrant.objects.filter(user=reader).count() == 1


def test_card_form_errors_are_french_400(reader_client: Client, catalogue: dict[str, Any]) -> None:
    pay = reader_client.post(
        "/abonnement/commande/lancement/", {"provider": "sandbox", "action": "pay"}
    )
    for data, message in [
        ({"number": "1234", "expiry": "12/39", "cvc": "123"}, "Numéro de carte invalide"),
        ({"number": "5555 5555 5555 4444", "expiry": "12/39", "cvc": "123"}, "Carte inconnue"),
        ({"number": SUCCESS, "expiry": "01/20", "cvc": "123"}, "expiration invalide"),
        ({"number": SUCCESS, "expiry": "demain", "cvc": "123"}, "expiration invalide"),
        ({"number": SUCCESS, "expiry": "12/39", "cvc": "12"}, "3 chiffres"),
    ]:
        response = reader_client.post(pay["Location"], data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert PaymentAttempt.objects.get().status == "created"


def test_double_click_makes_one_order(reader_client: Client, catalogue: dict[str, Any]) -> None:
    for _ in range(3):
        reader_client.post(
            "/abonnement/commande/lancement/", {"provider": "sandbox", "action": "pay"}
        )
    assert Order.objects.count() == 1
    assert Subscription.objects.count() == 1


def test_someone_elses_card_page_is_404(
    client: Client, reader_client: Client, catalogue: dict[str, Any]
) -> None:
    from lede.subscriptions.testing import make_reader

    pay = reader_client.post(
        "/abonnement/commande/lancement/", {"provider": "sandbox", "action": "pay"}
    )
    client.force_login(make_reader("intrus@example.com"))
    assert client.get(pay["Location"]).status_code == 404
    assert client.post(pay["Location"], {"number": SUCCESS}).status_code == 404


def test_sandbox_is_off_unless_enabled(
    reader_client: Client, catalogue: dict[str, Any], settings: Any
) -> None:
    settings.LEDE_SANDBOX_ENABLED = False
    settings.DEBUG = True  # DEBUG never turns the sandbox on
    response = reader_client.post(
        "/abonnement/commande/lancement/", {"provider": "sandbox", "action": "pay"}
    )
    assert response.status_code == 400
    assert "moyen de paiement" in response.content.decode()
    assert reader_client.post("/paiement/notification/sandbox/", {}).status_code == 404


def _notification(attempt: PaymentAttempt, **overrides: Any) -> bytes:
    body = json.loads(sandbox.notification_body(attempt, sandbox.TEST_CARDS["4242424242424242"]))
    body.update(overrides)
    return json.dumps(body).encode()


def test_notifications_must_be_signed_and_match(
    client: Client, reader: Any, catalogue: dict[str, Any]
) -> None:
    from lede.payments import services
    from lede.subscriptions.services.checkout import subscription_checkout

    order = subscription_checkout(user=reader, offer=catalogue["launch"])
    attempt = services.attempt_start(order=order, provider="sandbox")
    url = "/paiement/notification/sandbox/"

    def post(body: bytes, signature: str) -> Any:
        return client.post(
            url, body, content_type="application/json", HTTP_X_LEDE_SANDBOX_SIGNATURE=signature
        )

    good = _notification(attempt)
    assert post(good, "t=1,v1=00").status_code == 400
    assert post(good, "").status_code == 400
    stale = sandbox.sign(good, timestamp=int(timezone.now().timestamp()) - 3600)
    assert post(good, stale).status_code == 400
    tampered = _notification(attempt, amount="0.01")
    assert post(tampered, sandbox.sign(tampered)).status_code == 400
    unknown = _notification(attempt, oid="LQNOPE")
    assert post(unknown, sandbox.sign(unknown)).status_code == 400
    garbage = b"{not json"
    assert post(garbage, sandbox.sign(garbage)).status_code == 400
    assert not AccessGrant.objects.exists()
    ok = post(good, sandbox.sign(good))
    assert ok.status_code == 200 and json.loads(ok.content)["status"] == "applied"
    again = post(good, sandbox.sign(good))
    assert json.loads(again.content)["status"] == "replay"
    assert AccessGrant.objects.count() == 1
