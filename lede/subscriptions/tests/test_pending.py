"""What an anonymous reader typed on the gift or group page is kept across the
log-in it leads to, and offered back once (lede/subscriptions/pending.py)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from lede.subscriptions.pending import SALT, SESSION_PREFIX
from lede.subscriptions.testing import PASSWORD, make_reader

pytestmark = pytest.mark.django_db

KEPT_NOTE = "Nous avons gardé ce que vous aviez saisi"


def _log_in_through(client: Client, posted: Any, email: str) -> str:
    """Follow the redirect to the log-in page, log in there with a password,
    and return where the log-in sends the reader."""
    assert posted.status_code == 302
    login_url = posted["Location"]
    assert login_url.startswith(reverse("account_login") + "?next=")
    next_url = parse_qs(urlsplit(login_url).query)["next"][0]
    assert client.get(login_url).status_code == 200
    done = client.post(login_url, {"login": email, "password": PASSWORD, "next": next_url})
    assert done.status_code == 302, done.content.decode()[:500]
    return str(done["Location"])


def test_gift_form_is_restored_after_logging_in(client: Client, catalogue: Any) -> None:
    make_reader("donatrice@example.com", password=PASSWORD)
    url = reverse("subscriptions:gift_buy")
    typed = {
        "months": "12",
        "recipient_email": "ami@example.com",
        "recipient_name": "Youssef",
        "message": "Bonne lecture, et à bientôt !",
        "provider": "sandbox",
        "token": "t" * 24,
        "intrus": "ne doit pas être gardé",
    }
    posted = client.post(url, typed)
    back = _log_in_through(client, posted, "donatrice@example.com")
    assert back == url
    page = client.get(back)
    assert page.status_code == 200
    html = page.content.decode()
    assert KEPT_NOTE in html
    assert 'value="ami@example.com"' in html and 'value="Youssef"' in html
    assert "Bonne lecture, et à bientôt !" in html
    assert re.search(r'<input type="radio" name="months" value="12"[^>]* checked>', html)
    assert "t" * 24 not in html and "intrus" not in html  # only the form's own fields
    # Offered back once: the next visit is a fresh form.
    again = client.get(back).content.decode()
    assert KEPT_NOTE not in again and "ami@example.com" not in again
    # Nothing was bought on the reader's behalf.
    from lede.payments.models import Order

    assert not Order.objects.exists()


def test_group_form_is_restored_after_logging_in(client: Client, catalogue: Any) -> None:
    make_reader("directrice@entreprise.ma", password=PASSWORD)
    url = reverse("subscriptions:group")
    typed = {
        "organisation_name": "Agence Atlas",
        "email_domains": "atlas.ma\nagence-atlas.ma",
        "seats": "12",
        "plan": str(catalogue["yearly"].pk),
        "provider": "sandbox",
    }
    back = _log_in_through(client, client.post(url, typed), "directrice@entreprise.ma")
    html = client.get(back).content.decode()
    assert KEPT_NOTE in html
    assert 'value="Agence Atlas"' in html and 'value="12"' in html
    assert "atlas.ma\nagence-atlas.ma" in html


def test_a_gift_code_is_restored_after_logging_in(client: Client, catalogue: Any) -> None:
    make_reader("beneficiaire@example.com", password=PASSWORD)
    url = reverse("subscriptions:gift_redeem")
    posted = client.post(url, {"code": "ABCD-EFGH-JKLM"})
    back = _log_in_through(client, posted, "beneficiaire@example.com")
    assert 'value="ABCD-EFGH-JKLM"' in client.get(back).content.decode()


def test_tampered_or_foreign_data_is_ignored(client: Client, catalogue: Any) -> None:
    url = reverse("subscriptions:gift_buy")
    client.post(url, {"recipient_email": "ami@example.com"})
    session = client.session
    token = session[SESSION_PREFIX + "gift"]
    assert "ami@example.com" not in token or signing.loads(token, salt=SALT)  # signed
    session[SESSION_PREFIX + "gift"] = token[:-3] + "AAA"  # altered signature
    session[SESSION_PREFIX + "group"] = signing.dumps(
        {"form": "gift", "data": {"organisation_name": ["X"]}}, salt=SALT
    )  # signed for another form
    session.save()
    reader = make_reader("lectrice@example.com")
    client.force_login(reader)
    for name in ("gift_buy", "group"):
        page = client.get(reverse(f"subscriptions:{name}"))
        assert page.status_code == 200
        assert KEPT_NOTE not in page.content.decode()


def test_nothing_kept_for_a_signed_in_reader(client: Client, catalogue: Any) -> None:
    client.force_login(make_reader("lectrice@example.com"))
    client.post(reverse("subscriptions:gift_buy"), {"recipient_email": "pas-une-adresse"})
    assert not any(key.startswith(SESSION_PREFIX) for key in client.session.keys())
