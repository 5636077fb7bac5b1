"""The one road in: address → e-mailed code → signed in, or account created.

Every form that takes an address answers the requester identically whether
or not the address has an account (issue 12, item 2). These tests compare
the two answers byte for byte, apart from CSRF tokens and the address the
requester typed (echoed back on the code page)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from allauth.account import app_settings
from allauth.account.models import EmailAddress
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from lede.accounts.address_code import SESSION_KEY
from lede.accounts.models import User

pytestmark = pytest.mark.django_db

NEXT = "/abonnement/commande/lancement/?next=%2Fa%2F"
NEW = "nouvelle@example.com"
# What a plain signed-in session holds after this road (allauth's own keys).
SIGNED_IN_KEYS = {
    "_auth_user_id",
    "_auth_user_backend",
    "_auth_user_hash",
    "account_authentication_methods",
    "account_authentication_methods_user",
}

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def normalised(response: Any, address: str) -> tuple[int, str, str]:
    """Status, Location and body, with CSRF tokens and the typed address
    replaced: what must not differ between a known and an unknown address."""
    body = _CSRF.sub('name="csrfmiddlewaretoken" value="CSRF"', response.content.decode())
    body = body.replace(address, "ADDRESS")
    return response.status_code, response.get("Location", ""), body


def request_code(client: Client, email: str, next_url: str = NEXT, **extra: Any) -> Any:
    # The password fields of the former sign-up form are ignored now.
    data = {"email": email, "password1": "Kasbah-Lune-2026!", "password2": "Kasbah-Lune-2026!"}
    if next_url:
        data["next"] = next_url
    return client.post("/compte/signup/", data)


def mailed_code(message: Any) -> str:
    """The code in a message the SMTP server received."""
    body = message.body("plain")
    match = re.search(r"^\s*([A-Z0-9-]{4,16})\s*$", body, re.MULTILINE)
    assert match, body
    return match.group(1)


def road(client: Client, email: str) -> list[tuple[int, str, str]]:
    """What the requester sees: the answer to the address, then the code page."""
    first = request_code(client, email)
    answers = [normalised(first, email)]
    if first.status_code == 302:
        answers.append(normalised(client.get(first["Location"]), email))
    return answers


def test_sign_up_answers_identically_for_known_and_unknown_addresses(
    reader: Any, smtp_server: Any
) -> None:
    known, unknown = Client(), Client()
    smtp_server.clear()
    known_answers = road(known, reader.email)
    known_mails = len(smtp_server.messages)
    smtp_server.clear()
    unknown_answers = road(unknown, NEW)
    assert known_answers == unknown_answers
    assert known_answers[0][:2] == (302, "/compte/code/?" + urlencode({"next": NEXT}))
    assert known_answers[1][0] == 200
    # One e-mail each way (what the requester cannot see is what it says).
    assert known_mails == len(smtp_server.messages) == 1
    assert set(known.session.keys()) == set(unknown.session.keys())


def test_the_two_mails_differ_only_in_what_the_mailbox_owner_reads(
    reader: Any, smtp_server: Any
) -> None:
    request_code(Client(), reader.email)
    request_code(Client(), NEW)
    known_mail, unknown_mail = smtp_server.wait_for(2)
    assert known_mail.rcpt_tos == [reader.email] and unknown_mail.rcpt_tos == [NEW]
    assert known_mail.subject == "Votre code de connexion"
    assert unknown_mail.subject == "Votre code pour créer votre compte"
    known_code = re.search(r"^\s*([A-Z0-9-]{4,16})\s*$", known_mail.body("plain"), re.M)
    unknown_code = re.search(r"^\s*([A-Z0-9-]{4,16})\s*$", unknown_mail.body("plain"), re.M)
    assert known_code and unknown_code and known_code.group(1) != unknown_code.group(1)
    assert known_mail.mail_from == unknown_mail.mail_from
    assert known_mail.message["From"] == unknown_mail.message["From"]
    for message in (known_mail, unknown_mail):
        assert "\nBonjour,\n" in message.body("plain")
        assert "<html" in message.body("html")


def test_known_address_is_signed_in_by_the_code(
    client: Client, reader: Any, smtp_server: Any
) -> None:
    smtp_server.clear()
    sent = request_code(client, reader.email)
    code = mailed_code(smtp_server.wait_for(1)[-1])
    done = client.post(sent["Location"], {"code": code.lower()})
    assert done.status_code == 302
    assert done["Location"] == NEXT
    assert client.session["_auth_user_id"] == str(reader.pk)
    assert set(client.session.keys()) == SIGNED_IN_KEYS
    assert User.objects.count() == 1
    # Nothing pending is left: a second use of the same code is refused.
    client.logout()
    again = client.post(sent["Location"], {"code": code})
    assert again.status_code == 400
    assert "n’est plus valable" in again.content.decode().replace("&#x27;", "'")
    assert "_auth_user_id" not in client.session


def test_new_address_becomes_a_verified_account_without_password(
    client: Client, smtp_server: Any
) -> None:
    smtp_server.clear()
    sent = request_code(client, "Nouvelle@Example.com")
    assert not User.objects.exists()  # nothing written before the code
    page = client.get(sent["Location"])
    assert "nouvelle@example.com" in page.content.decode()
    done = client.post(sent["Location"], {"code": mailed_code(smtp_server.wait_for(1)[-1])})
    assert done.status_code == 302 and done["Location"] == NEXT
    user = User.objects.get()
    assert user.email == NEW
    assert not user.has_usable_password()
    address = EmailAddress.objects.get(user=user)
    assert address.verified and address.primary and address.email == NEW
    assert client.session["_auth_user_id"] == str(user.pk)
    assert set(client.session.keys()) == SIGNED_IN_KEYS
    assert len(smtp_server.messages) == 1  # no separate verification e-mail
    # A password is offered, not required.
    landing = client.get("/compte/")
    text = landing.content.decode()
    assert "choisir un mot de passe (facultatif)" in text
    assert 'href="/compte/password/set/' in text


def test_wrong_codes_get_a_french_error_then_the_road_closes(
    client: Client, reader: Any, smtp_server: Any
) -> None:
    smtp_server.clear()
    sent = request_code(client, NEW)
    code = mailed_code(smtp_server.wait_for(1)[-1])
    wrong = client.post(sent["Location"], {"code": "ZZZZZZ"})
    assert wrong.status_code == 400
    html = wrong.content.decode().replace("&#x27;", "'")
    assert "Ce code n’est pas le bon." in html
    assert 'aria-describedby="id_code_error"' in html and 'id="id_code_error"' in html
    empty = client.post(sent["Location"], {"code": ""})
    assert empty.status_code == 400
    assert "Saisissez le code reçu par e-mail." in empty.content.decode()
    last = client.post(sent["Location"], {"code": "YYYYYY"})
    assert last.status_code == 400
    assert "Trop de codes erronés" in last.content.decode()
    assert SESSION_KEY not in client.session
    late = client.post(sent["Location"], {"code": code})
    assert late.status_code == 400
    assert not User.objects.filter(email=NEW).exists()
    assert "_auth_user_id" not in client.session


def test_an_expired_code_is_refused_in_french(client: Client, smtp_server: Any) -> None:
    smtp_server.clear()
    sent = request_code(client, NEW)
    session = client.session
    state = session[SESSION_KEY]
    state["at"] -= app_settings.LOGIN_BY_CODE_TIMEOUT + 1
    session[SESSION_KEY] = state
    session.save()
    expired = client.post(sent["Location"], {"code": mailed_code(smtp_server.wait_for(1)[-1])})
    assert expired.status_code == 400
    assert "Ce code a expiré." in expired.content.decode()
    assert not User.objects.exists()
    assert SESSION_KEY not in client.session


def test_a_new_code_can_be_sent_and_replaces_the_first(client: Client, smtp_server: Any) -> None:
    smtp_server.clear()
    sent = request_code(client, NEW)
    first = mailed_code(smtp_server.wait_for(1)[-1])
    resent = client.post(sent["Location"], {"action": "resend"})
    assert resent.status_code == 302 and resent["Location"] == sent["Location"]
    second = mailed_code(smtp_server.wait_for(2)[-1])
    assert len(smtp_server.messages) == 2
    if first != second:
        assert client.post(sent["Location"], {"code": first}).status_code == 400
    assert client.post(sent["Location"], {"code": second}).status_code == 302
    assert User.objects.filter(email=NEW).exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("pas-une-adresse", "Cette adresse e-mail n’est pas valide"),
        ("", "Indiquez votre adresse e-mail."),
        ("a@b", "Cette adresse e-mail n’est pas valide"),
    ],
)
def test_bad_addresses_get_a_french_message(
    client: Client, value: str, message: str, smtp_server: Any
) -> None:
    smtp_server.clear()
    response = client.post("/compte/signup/", {"email": value})
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not smtp_server.messages  # sending is synchronous
    assert SESSION_KEY not in client.session


def test_next_is_kept_only_when_it_is_on_this_site(client: Client, smtp_server: Any) -> None:
    smtp_server.clear()
    sent = client.post("/compte/signup/?next=https://evil.example/", {"email": NEW})
    assert sent["Location"] == "/compte/code/"
    done = client.post(
        "/compte/code/?next=https://evil.example/",
        {"code": mailed_code(smtp_server.wait_for(1)[-1])},
    )
    assert done["Location"] == resolve_url(settings.LOGIN_REDIRECT_URL)


def test_code_requests_are_throttled_per_address_the_same_way(reader: Any) -> None:
    # ACCOUNT_RATE_LIMITS["request_login_code"]: 3 a minute per address.
    answers = {}
    for email in (reader.email, NEW):
        client = Client()
        statuses = [request_code(client, email).status_code for _ in range(4)]
        last = request_code(client, email)
        answers[email] = (statuses, normalised(last, email))
    assert answers[reader.email] == answers[NEW]
    statuses, (status, _location, body) = answers[NEW]
    assert statuses == [302, 302, 302, 429] and status == 429
    assert "Trop de demandes de code" in body


def test_code_requests_are_throttled_per_ip(settings: Any) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "request_login_code": "3/m/ip"}
    client = Client()
    statuses = [request_code(client, f"l{i}@example.com").status_code for i in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_signed_in_reader_is_sent_on(client: Client, reader: Any) -> None:
    client.force_login(reader)
    response = client.get("/compte/signup/?next=/abonnement/")
    assert response.status_code == 302 and response["Location"] == "/abonnement/"


def test_the_code_page_without_a_pending_code_goes_back_to_the_address(client: Client) -> None:
    response = client.get("/compte/code/?next=/abonnement/")
    assert response.status_code == 302
    assert response["Location"] == "/compte/signup/?next=%2Fabonnement%2F"


def test_add_email_answers_identically_for_taken_and_free_addresses(
    make_user: Any, reader: Any
) -> None:
    """The group-licence road: a reader adds their work address to join
    their organisation's licence. Taken or free, the same answer."""
    make_user("collegue@entreprise.ma")
    answers = []
    for email in ("collegue@entreprise.ma", "libre@entreprise.ma"):
        client = Client()
        client.force_login(reader)
        response = client.post("/compte/email/", {"email": email, "action_add": ""})
        followed = client.get(response["Location"]) if response.status_code == 302 else response
        answers.append((normalised(response, email), normalised(followed, email)))
    assert answers[0] == answers[1]
