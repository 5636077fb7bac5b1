"""Sign-up, log-in, log-out, log-in by code, password and e-mail changes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url

from lede.accounts.models import User

from .helpers import PASSWORD, first_url, login

pytestmark = pytest.mark.django_db


def _code_road(client: Any, email: str, smtp_server: Any) -> Any:
    """Ask for a code, read it in the e-mail the SMTP server received, type it."""
    before = len(smtp_server.messages)
    sent = client.post("/compte/signup/", {"email": email})
    assert sent.status_code == 302
    body = smtp_server.wait_for(before + 1)[-1].body("plain")
    code = re.search(r"^\s*([A-Z0-9-]{4,16})\s*$", body, re.MULTILINE)
    assert code, body
    return client.post(sent["Location"], {"code": code.group(1)})


def test_sign_up_by_code_then_log_out_and_back_in(client: Any, smtp_server: Any) -> None:
    response = _code_road(client, "Nouvelle@Example.com", smtp_server)
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle@example.com")
    assert client.session["_auth_user_id"] == str(user.pk)
    # The code proved the address: no separate verification e-mail.
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0].rcpt_tos == ["nouvelle@example.com"]

    assert client.get("/compte/logout/").status_code == 200  # a confirmation page
    assert client.session.get("_auth_user_id") == str(user.pk)
    assert client.post("/compte/logout/").status_code == 302
    assert "_auth_user_id" not in client.session

    # The same road signs the reader back in; no second account.
    response = _code_road(client, "nouvelle@example.com", smtp_server)
    assert response.status_code == 302
    assert response["Location"] == resolve_url(settings.LOGIN_REDIRECT_URL)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert User.objects.count() == 1


def test_password_set_after_sign_up_rejects_a_weak_one_in_french(
    client: Any, smtp_server: Any
) -> None:
    _code_road(client, "faible@example.com", smtp_server)
    response = client.post(
        "/compte/password/set/", {"password1": "12345678", "password2": "12345678"}
    )
    assert response.status_code == 200
    assert "entièrement numérique" in response.content.decode()
    assert not User.objects.get(email="faible@example.com").has_usable_password()
    response = client.post("/compte/password/set/", {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    client.post("/compte/logout/")
    assert login(client, "faible@example.com").status_code == 302


def test_sign_up_with_a_taken_address_signs_its_owner_in(
    client: Any, reader: Any, smtp_server: Any
) -> None:
    # Formerly "Un autre utilisateur utilise déjà cette adresse e-mail." (a
    # 200 where a new address got a redirect): the address had an account.
    sent = client.post(
        "/compte/signup/",
        {"email": reader.email, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert sent.status_code == 302
    assert "Un autre utilisateur" not in client.get(sent["Location"]).content.decode()
    response = _code_road(client, reader.email, smtp_server)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reader.pk)
    assert User.objects.filter(email=reader.email).count() == 1


def test_wrong_password_is_refused_in_french(client: Any, reader: Any) -> None:
    response = login(client, reader.email, "pas-le-bon")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in response.content.decode()


def test_login_honours_a_safe_next_and_ignores_another_host(client: Any, reader: Any) -> None:
    response = client.post(
        "/compte/login/?next=/recherche/", {"login": reader.email, "password": PASSWORD}
    )
    assert response["Location"] == "/recherche/"
    client.post("/compte/logout/")
    response = client.post(
        "/compte/login/",
        {"login": reader.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == resolve_url(settings.LOGIN_REDIRECT_URL)


def test_adapter_login_redirect_uses_a_safe_next(rf: Any, reader: Any) -> None:
    from allauth.core import context

    from lede.accounts.adapter import AccountAdapter

    request = rf.get("/compte/login/code/confirm/", {"next": "/recherche/?q=doha"})
    request.user = reader
    with context.request_context(request):
        assert AccountAdapter(request).get_login_redirect_url(request) == "/recherche/?q=doha"
    request = rf.get("/compte/login/code/confirm/", {"next": "//evil.example/"})
    request.user = reader
    with context.request_context(request):
        assert AccountAdapter(request).get_login_redirect_url(request) == "/compte/"


def test_session_key_is_rotated_on_log_in(client: Any, reader: Any) -> None:
    session = client.session
    session["seen"] = True
    session.save()
    before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before
    assert login(client, reader.email).status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after and after != before
    assert client.session["_auth_user_id"] == str(reader.pk)


def test_forged_session_cookie_is_anonymous(client: Any, reader: Any) -> None:
    client.cookies[settings.SESSION_COOKIE_NAME] = "forged" + "a" * 26
    response = client.get("/compte/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")
    # A genuine session whose auth hash was tampered with is anonymous too.
    client.force_login(reader)
    session = client.session
    session["_auth_user_hash"] = "0" * 64
    session.save()
    response = client.get("/compte/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")


def test_login_by_code(client: Any, reader: Any, smtp_server: Any) -> None:
    response = client.post("/compte/login/code/", {"email": reader.email})
    assert response.status_code == 302
    assert response["Location"] == "/compte/login/code/confirm/"
    page = client.get("/compte/login/code/confirm/")
    assert "Saisir le code de connexion" in page.content.decode()
    [message] = smtp_server.wait_for(1)
    assert message.subject == "Votre code de connexion"
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", message.body("plain"), re.MULTILINE)
    assert code, message.body("plain")

    response = client.post("/compte/login/code/confirm/", {"code": code.group(1)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reader.pk)


def test_login_by_code_with_a_wrong_code_stays_anonymous(client: Any, reader: Any) -> None:
    client.post("/compte/login/code/", {"email": reader.email})
    response = client.post("/compte/login/code/confirm/", {"code": "XXXXXX"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_by_code_for_an_unknown_address_looks_the_same(
    client: Any, reader: Any, smtp_server: Any
) -> None:
    known = client.post("/compte/login/code/", {"email": reader.email})
    other = client.__class__()
    unknown = other.post("/compte/login/code/", {"email": "personne@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    smtp_server.wait_for(2)
    [to_unknown] = smtp_server.to("personne@example.com")
    assert to_unknown.subject == "Aucun compte à cette adresse"
    assert "/compte/signup/" in to_unknown.body("plain") and "<html" in to_unknown.body("html")


def test_change_password(client: Any, reader: Any, smtp_server: Any, settings: Any) -> None:
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    client.force_login(reader)
    response = client.post(
        "/compte/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "Nouveau-Souk-2027!",
            "password2": "Nouveau-Souk-2027!",
        },
    )
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password("Nouveau-Souk-2027!")
    # Still logged in (ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE is off) …
    assert client.get("/compte/").status_code == 200
    # … and told by e-mail, in French, with both parts.
    [notice] = smtp_server.wait_for(1)
    assert notice.subject == "Votre mot de passe a été changé"
    assert "Votre mot de passe a été changé." in notice.body("plain")
    assert "Votre mot de passe a été changé." in notice.body("html")


def test_change_password_with_a_wrong_current_password(client: Any, reader: Any) -> None:
    client.force_login(reader)
    response = client.post(
        "/compte/password/change/",
        {
            "oldpassword": "faux",
            "password1": "Nouveau-Souk-2027!",
            "password2": "Nouveau-Souk-2027!",
        },
    )
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)


def test_change_email_is_verified_before_it_applies(
    client: Any, reader: Any, smtp_server: Any, settings: Any
) -> None:
    from allauth.account.models import EmailAddress

    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    client.force_login(reader)
    response = client.post("/compte/email/", {"email": "neuve@example.com", "action_add": ""})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.email == "lectrice@example.com"  # unchanged until verified
    smtp_server.wait_for(1)
    [confirmation] = smtp_server.to("neuve@example.com")
    assert confirmation.subject == "Confirmez votre adresse e-mail"
    page = client.get("/compte/email/").content.decode()
    assert "neuve@example.com" in page and "en attente de vérification" in page

    url = first_url(confirmation.body("plain"))
    assert f'href="{url}"' in confirmation.body("html")
    path = url.split("testserver", 1)[1]
    assert client.get(path).status_code == 200  # confirmation page, POST to confirm
    assert client.post(path).status_code == 302
    reader.refresh_from_db()
    assert reader.email == "neuve@example.com"
    assert EmailAddress.objects.get(user=reader, email="neuve@example.com").verified
    assert not EmailAddress.objects.filter(user=reader, email="lectrice@example.com").exists()
    # The old address is told.
    smtp_server.wait_for(2)
    [told] = smtp_server.to("lectrice@example.com")
    assert told.subject == "Votre adresse e-mail a été changée"
