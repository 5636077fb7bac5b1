"""Every subscriptions form that takes an address (or a domain) answers the
same whether or not it belongs to an account (issue 12, item 2)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from lede.payments.models import Order
from lede.subscriptions.testing import make_reader

pytestmark = pytest.mark.django_db

CHECKOUT = "/abonnement/commande/lancement/?" + urlencode({"next": "/a/"})
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
# Order identifiers (uuid, payment reference) differ between any two orders.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|LQ[0-9A-F]{20}")


def normalised(response: Any, *secrets: str) -> tuple[int, str, str]:
    body = _CSRF.sub("CSRF", response.content.decode())
    location = response.get("Location", "")
    for value in secrets:
        body = body.replace(value, "ADDRESS")
        location = location.replace(value, "ADDRESS")
    return response.status_code, _UUID.sub("UUID", location), _UUID.sub("UUID", body)


def mailed_code(smtp_server: Any, email: str) -> str:
    """The code in the last message the real SMTP server received for ``email``."""
    smtp_server.wait_for(1)
    [*_, message] = smtp_server.to(email)
    match = re.search(r"^\s*([A-Z0-9-]{4,16})\s*$", message.body("plain"), re.MULTILINE)
    assert match
    return match.group(1)


def test_checkout_sign_up_answers_identically_and_comes_back_to_the_offer(
    catalogue: dict[str, Any], smtp_server: Any
) -> None:
    reader = make_reader("abonnee@example.com")
    answers = []
    clients = {}
    for email in (reader.email, "inconnue@example.com"):
        client = clients[email] = Client()
        page = client.get(CHECKOUT)
        assert 'action="/compte/signup/"' in page.content.decode()
        sent = client.post("/compte/signup/", {"email": email, "next": CHECKOUT})
        code_page = client.get(sent["Location"])
        answers.append((normalised(sent, email), normalised(code_page, email)))
    assert answers[0] == answers[1]
    assert answers[0][0][:2] == (302, "/compte/code/?" + urlencode({"next": CHECKOUT}))

    # The known reader types the code and is back on the checkout, signed
    # in, ready to pay: one sitting for them too.
    client = clients[reader.email]
    back = client.post(answers[0][0][1], {"code": mailed_code(smtp_server, reader.email)})
    assert back.status_code == 302 and back["Location"] == CHECKOUT
    pay = client.post(CHECKOUT, {"provider": "sandbox", "action": "pay"})
    assert pay.status_code == 303 and pay["Location"].startswith("/paiement/test/")


def test_gift_form_answers_identically_for_a_reader_and_a_stranger(
    catalogue: dict[str, Any], smtp_server: Any
) -> None:
    buyer = make_reader("acheteuse@example.com")
    make_reader("amie@example.com")
    answers = []
    for email in ("amie@example.com", "inconnue@example.com"):
        client = Client()
        client.force_login(buyer)
        smtp_server.clear()
        data = {"months": "3", "recipient_email": email, "provider": "sandbox", "token": email}
        response = client.post("/abonnement/cadeau/", data)
        followed = client.get(response["Location"])
        answers.append(
            (normalised(response, email), normalised(followed, email), list(smtp_server.messages))
        )
    assert answers[0] == answers[1]
    assert answers[0][0][0] == 303
    assert not answers[0][2]  # nobody is e-mailed before the payment
    assert Order.objects.filter(kind="gift").count() == 2


def test_group_form_answers_identically_for_a_used_and_an_unused_domain(
    catalogue: dict[str, Any],
) -> None:
    buyer = make_reader("dirigeante@example.com")
    make_reader("salarie@entreprise.ma")
    answers = []
    for domain in ("entreprise.ma", "personne.ma"):
        client = Client()
        client.force_login(buyer)
        response = client.post(
            "/abonnement/licence-groupe/",
            {
                "organisation_name": "Entreprise",
                "email_domains": domain,
                "seats": "3",
                "plan": catalogue["yearly"].pk,
                "provider": "sandbox",
                "token": "t" * 24,
            },
        )
        answers.append(normalised(response, domain))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400
    assert not Order.objects.exists()


def test_gift_redeem_asks_for_the_same_log_in_whoever_follows_the_link(
    catalogue: dict[str, Any],
) -> None:
    # The redeem link of the gift e-mail shows the same page whatever the code
    # (it tells nothing of the code), and the action asks an anonymous visitor
    # to log in (or to take the code road from there), whatever the code.
    codes = ("AAAA-BBBB-CCCC", "ZZZZ-YYYY-XXXX")
    pages = [
        normalised(Client().get(f"/abonnement/cadeau/utiliser/?code={code}"), code)
        for code in codes
    ]
    assert pages[0] == pages[1] and pages[0][0] == 200
    answers = []
    for code in codes:
        client = Client()
        url = f"/abonnement/cadeau/utiliser/?code={code}"
        answers.append(normalised(client.post(url, {"code": code}), code))
    assert answers[0] == answers[1]
    assert answers[0][0] == 302 and answers[0][1].startswith("/compte/login/")
