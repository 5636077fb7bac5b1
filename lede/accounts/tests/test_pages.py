"""Every account page: the site's shell, French, one <h1>, labelled fields,
usable without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)

from .helpers import PASSWORD, audit

pytestmark = pytest.mark.django_db

ENGLISH = ("Sign In", "Sign Up", "Sign Out", "Password Reset", "Email Address", "Menu:")


def check_page(response: Any, status: int = 200) -> str:
    assert response.status_code == status, response.content.decode()[:300]
    html = response.content.decode()
    page = audit(html)
    assert page.html_lang == "fr"
    assert page.h1 == 1, html
    assert not page.unlabelled(), page.unlabelled()
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert "lede/site.css" in html  # one stylesheet for every reader page
    assert '<meta name="robots" content="noindex, nofollow">' in html
    for word in ENGLISH:
        assert word not in html, word
    return html


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/compte/login/", "Se connecter"),
        ("/compte/signup/", "Créer un compte"),
        ("/compte/password/reset/", "Mot de passe oublié ?"),
        ("/compte/password/reset/done/", "Vérifiez votre boîte e-mail"),
        ("/compte/password/reset/key/done/", "Mot de passe modifié"),
        ("/compte/login/code/", "Recevoir un code de connexion"),
        ("/compte/confirm-email/", "Vérifiez votre adresse e-mail"),
        ("/compte/confirm-email/pas-une-cle/", "Confirmer l’adresse e-mail"),
    ],
)
def test_entrance_pages(client: Any, url: str, heading: str) -> None:
    html = check_page(client.get(url))
    assert heading in html or heading.replace("&#x27;", "'") in html


def test_log_in_page_has_the_expected_links(client: Any) -> None:
    html = check_page(client.get("/compte/login/"))
    assert 'href="/compte/password/reset/"' in html and "Mot de passe oublié ?" in html
    assert "Recevoir un code de connexion par e-mail" in html
    assert 'href="/compte/login/code/"' in html
    assert 'href="/compte/signup/"' in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_log_in_code_confirmation_page(client: Any, reader: Any, settings: Any) -> None:
    client.post("/compte/login/code/", {"email": reader.email})
    html = check_page(client.get("/compte/login/code/confirm/"))
    assert reader.email in html and "Annuler" in html
    assert "Recevoir un nouveau code" in html  # resend is on in base settings

    settings.ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = False
    html = check_page(client.get("/compte/login/code/confirm/"))
    assert "Recevoir un nouveau code" not in html


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/compte/", "Mon compte"),
        ("/compte/logout/", "Se déconnecter"),
        ("/compte/email/", "Adresse e-mail"),
        ("/compte/password/change/", "Changer de mot de passe"),
        ("/compte/2fa/", "Double authentification"),
        ("/compte/reauthenticate/", "Confirmer l'accès"),
        ("/compte/donnees/", "Télécharger mes données"),
        ("/compte/supprimer/", "Supprimer mon compte"),
    ],
)
def test_manage_pages(client: Any, reader: Any, url: str, heading: str) -> None:
    client.force_login(reader)
    html = check_page(client.get(url))
    assert heading in html


def test_logout_is_a_post_with_confirmation(client: Any, reader: Any) -> None:
    client.force_login(reader)
    html = check_page(client.get("/compte/logout/"))
    assert 'method="post" action="/compte/logout/"' in html
    assert "_auth_user_id" in client.session  # GET did not log out


def test_totp_activation_pages_work_without_javascript(client: Any, reader: Any) -> None:
    client.force_login(reader)
    # Activation asks for the password first (re-authentication).
    response = client.get("/compte/2fa/totp/activate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/reauthenticate/")
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response["Location"] == "/compte/2fa/totp/activate/"

    html = check_page(client.get("/compte/2fa/totp/activate/"))
    assert "Activer l’application d’authentification" in html or (
        "Activer l’application d’authentification" in html
    )
    assert 'alt="Code QR' in html
    secret = client.session["mfa.totp.secret"]
    assert secret in html

    wrong = client.post("/compte/2fa/totp/activate/", {"code": "000000"})
    check_page(wrong)
    code = format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))
    response = client.post("/compte/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302
    # Recovery codes are shown next, then the index says TOTP is on.
    html = check_page(client.get(response["Location"]))
    assert "Codes de récupération" in html or "Codes de secours" in html
    html = check_page(client.get("/compte/2fa/"))
    assert "Désactiver" in html
    check_page(client.get("/compte/2fa/recovery-codes/generate/"))

    html = check_page(client.get("/compte/2fa/totp/deactivate/"))
    response = client.post("/compte/2fa/totp/deactivate/")
    assert response.status_code == 302
    from allauth.mfa.models import Authenticator

    assert not Authenticator.objects.filter(user=reader).exists()


def test_mfa_log_in_step_page(client: Any, reader: Any) -> None:
    TOTP.activate(reader, generate_totp_secret())
    response = client.post("/compte/login/", {"login": reader.email, "password": PASSWORD})
    assert response["Location"] == "/compte/2fa/authenticate/"
    check_page(client.get("/compte/2fa/authenticate/"))


def test_too_many_requests_page_is_french(client: Any, settings: Any) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    client.post("/compte/login/", {"login": "a@example.com", "password": "x"})
    check_page(client.post("/compte/login/", {"login": "a@example.com", "password": "x"}), 429)
