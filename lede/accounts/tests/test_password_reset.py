"""Password reset ("Mot de passe oublié ?"): single-use links that expire in an hour, a clear
French answer (and a way to ask again) for dead links, and no enumeration."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from freezegun import freeze_time

from .helpers import PASSWORD, first_url, last_mail, login

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Oasis-Nouvelle-2027!"
DEAD_LINK = "Ce lien n’est plus valable"


def request_link(client: Any, email: str) -> str:
    response = client.post("/compte/password/reset/", {"email": email})
    assert response.status_code == 302
    message = last_mail()
    assert message.to == [email]
    return first_url(message.body).split("testserver", 1)[1]


def use_link(client: Any, path: str, password: str = NEW_PASSWORD) -> Any:
    response = client.get(path)
    assert response.status_code == 302, response.content.decode()[:500]
    form_path = response["Location"]
    assert form_path.endswith("-set-password/")  # the key leaves the URL
    page = client.get(form_path)
    assert page.status_code == 200
    assert "Choisir un nouveau mot de passe" in page.content.decode()
    return client.post(form_path, {"password1": password, "password2": password})


def assert_dead_link_page(response: Any) -> None:
    assert response.status_code == 400
    html = response.content.decode()
    assert DEAD_LINK in html
    assert "a déjà été utilisé, a expiré" in html
    assert 'href="/compte/password/reset/"' in html  # ask again
    assert "Demander un nouveau lien" in html


def test_reset_mail_is_french_with_text_and_html(
    client: Any, reader: Any, smtp_server: Any
) -> None:
    client.post("/compte/password/reset/", {"email": reader.email})
    [message] = smtp_server.wait_for(1)
    assert message.rcpt_tos == [reader.email]
    assert message.subject == "Choisissez un nouveau mot de passe"
    text, html = message.body("plain"), message.body("html")
    assert "valable une heure et ne fonctionne qu’une fois" in text
    assert "Choisir un nouveau mot de passe" in html
    link = first_url(text)
    assert "/compte/password/reset/key/" in link and f'href="{link}"' in html


def test_reset_link_works_once(client: Any, reader: Any) -> None:
    path = request_link(client, reader.email)
    response = use_link(client, path)
    assert response.status_code == 302
    assert response["Location"] == "/compte/password/reset/key/done/"
    done = client.get(response["Location"])
    assert "Mot de passe modifié" in done.content.decode()
    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)
    assert login(client, reader.email, NEW_PASSWORD).status_code == 302

    # The same link, a second time: refused, with a way to ask again.
    client.post("/compte/logout/")
    assert_dead_link_page(client.get(path))
    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)


def test_reset_link_is_invalidated_by_a_password_change(client: Any, reader: Any) -> None:
    path = request_link(client, reader.email)
    reader.set_password("Autre-Chose-2027!")
    reader.save()
    assert_dead_link_page(client.get(path))


def test_reset_link_expires_after_an_hour(client: Any, reader: Any, settings: Any) -> None:
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    sent_at = timezone.now()
    with freeze_time(sent_at):
        path = request_link(client, reader.email)
    with freeze_time(sent_at + timedelta(minutes=59)):
        assert client.get(path).status_code == 302  # still good just before
    client.session.flush()
    with freeze_time(sent_at + timedelta(seconds=3601)):
        assert_dead_link_page(client.get(path))
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)


def test_reset_link_expires_while_the_form_is_open(client: Any, reader: Any) -> None:
    sent_at = timezone.now()
    with freeze_time(sent_at):
        path = request_link(client, reader.email)
        form_path = client.get(path)["Location"]
    with freeze_time(sent_at + timedelta(hours=2)):
        response = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert_dead_link_page(response)
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)


@pytest.mark.parametrize(
    "alter",
    [
        lambda p: p[:-3] + ("a" if p[-3] != "a" else "b") + p[-2:],  # one character of the key
        lambda p: p.replace("/key/", "/key/9"),  # another user id
        lambda p: p.rstrip("/").rsplit("-", 1)[0] + "/",  # key cut short
        lambda p: p.rstrip("/") + "%00%27%3Cscript%3E/",  # junk appended
        lambda p: "/compte/password/reset/key/zz-set-password/",  # no key in the session
    ],
    ids=["key-char", "user-id", "truncated", "junk", "no-session-key"],
)
def test_altered_reset_link_is_refused(client: Any, reader: Any, alter: Any) -> None:
    path = request_link(client, reader.email)
    other = client.__class__()
    response = other.get(alter(path))
    assert_dead_link_page(response)
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)


def test_posting_to_an_altered_link_is_refused(client: Any, reader: Any) -> None:
    path = request_link(client, reader.email)
    bad = path[:-3] + ("a" if path[-3] != "a" else "b") + path[-2:]
    response = client.post(bad, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert_dead_link_page(response)
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)


def test_unknown_address_gets_the_same_answer(client: Any, reader: Any, smtp_server: Any) -> None:
    known = client.post("/compte/password/reset/", {"email": reader.email})
    other = client.__class__()
    unknown = other.post("/compte/password/reset/", {"email": "inconnu@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/compte/password/reset/done/"

    known_page = client.get(known["Location"])
    unknown_page = other.get(unknown["Location"])
    assert known_page.status_code == unknown_page.status_code == 200

    def main(html: bytes) -> str:
        text = html.decode()
        return text[text.index("<main") : text.index("</main>")]

    assert main(known_page.content) == main(unknown_page.content)
    # The address owner is told there is no account: nobody else learns it.
    smtp_server.wait_for(2)
    [told] = smtp_server.to("inconnu@example.com")
    assert told.subject == "Aucun compte à cette adresse"
    assert "/compte/signup/" in told.body("plain") and "<html" in told.body("html")


def test_reset_form_errors_are_not_500(client: Any) -> None:
    response = client.post("/compte/password/reset/", {"email": "pas-une-adresse"})
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in response.content.decode()
