"""The account pages: "Mon compte", "Télécharger mes données", "Supprimer mon compte"."""

from __future__ import annotations

import json
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from lede.accounts import services
from lede.accounts.models import User

from .helpers import PASSWORD, audit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/compte/", "/compte/donnees/", "/compte/supprimer/"])
def test_account_pages_need_a_log_in(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/compte/login/?next={url}")


def test_home_shows_the_account(client: Any, make_user: Any) -> None:
    user = make_user(verified=True)
    client.force_login(user)
    response = client.get("/compte/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]
    html = response.content.decode()
    for text in (
        "Mon compte",
        user.email,
        "vérifiée",
        'href="/compte/email/"',
        'href="/compte/password/change/"',
        'href="/compte/2fa/"',
        'href="/compte/donnees/"',
        'href="/compte/supprimer/"',
        "Mon abonnement",
        'href="/offres/"',
    ):
        assert text in html, text
    assert "Renvoyer l’e-mail de vérification" not in html
    page = audit(html)
    assert page.h1 == 1
    assert page.html_lang == "fr"


def test_home_offers_to_resend_verification(client: Any, make_user: Any, smtp_server: Any) -> None:
    user = make_user(verified=False)
    client.force_login(user)
    html = client.get("/compte/").content.decode()
    assert "non vérifiée" in html
    assert "Renvoyer l’e-mail de vérification" in html
    response = client.post("/compte/email/", {"email": user.email, "action_send": ""})
    assert response.status_code == 302
    [sent] = smtp_server.wait_for(1)
    assert sent.rcpt_tos == [user.email]
    assert sent.subject == "Confirmez votre adresse e-mail"
    assert "/compte/confirm-email/" in sent.body("plain")
    assert "/compte/confirm-email/" in sent.body("html")


def test_home_works_for_a_user_without_address_rows(client: Any) -> None:
    # e.g. created with createsuperuser
    user = User.objects.create_user(email="admin@example.com", password=PASSWORD)
    client.force_login(user)
    assert client.get("/compte/").status_code == 200


def test_data_export_get_explains_post_downloads(client: Any, reader: Any) -> None:
    services.data_exporter_register("subscriptions", lambda u: {"plan": "Mensuel"})
    client.force_login(reader)
    page = client.get("/compte/donnees/")
    assert page.status_code == 200
    assert "Télécharger mes données" in page.content.decode()
    assert audit(page.content.decode()).h1 == 1

    response = client.post("/compte/donnees/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-')
    data = json.loads(response.content)
    assert data["account"]["email"] == reader.email
    assert data["account"]["date_joined"]
    assert data["email_addresses"][0]["verified"] is True
    assert data["apps"]["subscriptions"] == {"plan": "Mensuel"}


def test_data_export_rejects_other_methods(client: Any, reader: Any) -> None:
    client.force_login(reader)
    assert client.put("/compte/donnees/").status_code == 405


def test_delete_page_asks_for_password_and_checkbox(client: Any, reader: Any) -> None:
    client.force_login(reader)
    html = client.get("/compte/supprimer/").content.decode()
    page = audit(html)
    assert page.h1 == 1
    assert not page.unlabelled()
    assert 'name="password"' in html and 'name="confirm"' in html

    response = client.post("/compte/supprimer/", {"password": "faux", "confirm": "on"})
    assert response.status_code == 400
    assert "Ce mot de passe n’est pas le bon." in response.content.decode()
    response = client.post("/compte/supprimer/", {"password": PASSWORD})
    assert response.status_code == 400
    assert "Cochez la case pour confirmer la suppression." in response.content.decode()
    assert User.objects.filter(pk=reader.pk, is_active=True).exists()


def test_delete_account_without_retention(client: Any, reader: Any) -> None:
    other_device = Client()
    other_device.force_login(reader)
    client.force_login(reader)
    response = client.post("/compte/supprimer/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/compte/supprime/"
    assert not User.objects.filter(pk=reader.pk).exists()
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "Votre compte et vos données ont été supprimés." in page
    # Every other session has ended too.
    assert other_device.get("/compte/").status_code == 302


def test_delete_account_with_a_retention_hook(client: Any, reader: Any) -> None:
    services.retention_check_register(lambda u: True)  # e.g. invoices exist
    other_device = Client()
    other_device.force_login(reader)
    client.force_login(reader)
    response = client.post("/compte/supprimer/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    kept = User.objects.get(pk=reader.pk)
    assert kept.email == f"deleted-{reader.pk}@invalid"
    assert not kept.is_active and not kept.has_usable_password()
    assert not EmailAddress.objects.filter(user_id=reader.pk).exists()
    page = client.get(response["Location"]).content.decode()
    assert "sous forme anonyme" in page
    assert other_device.get("/compte/").status_code == 302
    # The old credentials no longer open anything.
    response = client.post("/compte/login/", {"login": reader.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_password_guessing_on_the_delete_form_is_throttled(client: Any, reader: Any) -> None:
    client.force_login(reader)
    for _ in range(10):
        client.post("/compte/supprimer/", {"password": "faux", "confirm": "on"})
    response = client.post("/compte/supprimer/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 400
    assert "Trop de tentatives" in response.content.decode()
    assert User.objects.filter(pk=reader.pk, is_active=True).exists()


def test_delete_without_a_password_asks_to_set_one(client: Any) -> None:
    user = User.objects.create_user(email="code@example.com", password=None)
    client.force_login(user)
    response = client.get("/compte/supprimer/")
    assert response.status_code == 200
    assert 'href="/compte/password/set/"' in response.content.decode()
    assert client.post("/compte/supprimer/", {"confirm": "on"}).status_code == 200
    assert User.objects.filter(pk=user.pk).exists()
