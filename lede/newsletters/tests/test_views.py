"""The readers' road: sign up on the home page, confirm, receive la-matinale
through `manage.py newsletter_send`, unsubscribe in one POST, receive
nothing on the next send — against a real SMTP server."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from lede.newsletters.models import LinkClick, Newsletter, Subscription

from .helpers import send_with_counted_links

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


def _signup(client: Client, email: str, **extra: Any) -> Any:
    return client.post(
        "/lettres/inscription/",
        {"email": email, "consent": "1", "source": "/"},
        **{**ORIGIN, **extra},
    )


def test_the_home_page_carries_the_form(matinale: Newsletter, client: Client) -> None:
    html = client.get("/").content.decode()
    assert 'action="/lettres/inscription/"' in html
    assert "csrfmiddlewaretoken" not in html.split("newsletter-signup")[1].split("</form>")[0]


def test_signup_answers_alike_and_checks_the_origin(matinale: Newsletter, client: Client) -> None:
    first = _signup(client, "nouvelle@example.ma")
    second = _signup(client, "nouvelle@example.ma")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert "no-store" in first["Cache-Control"]
    assert Subscription.objects.get().status == Subscription.Status.PENDING
    # From another site, without consent, with a bad address.
    other = client.post(
        "/lettres/inscription/",
        {"email": "x@example.ma", "consent": "1"},
        HTTP_ORIGIN="https://evil.example",
    )
    assert other.status_code == 403 and "depuis notre site" in other.content.decode()
    nothing = client.post("/lettres/inscription/", {"email": "x@example.ma", "consent": "1"})
    assert nothing.status_code == 403
    no_consent = client.post(
        "/lettres/inscription/", {"email": "x@example.ma"}, HTTP_ORIGIN="http://testserver"
    )
    assert no_consent.status_code == 400 and "consentement" in no_consent.content.decode()
    bad = _signup(client, "pas-une-adresse")
    assert bad.status_code == 400 and "adresse e-mail valide" in bad.content.decode()


def test_signup_floods_are_throttled(settings: Any, matinale: Newsletter, client: Client) -> None:
    settings.LEDE_NEWSLETTER_SIGNUPS_PER_ADDRESS = 2
    assert _signup(client, "flood@example.ma").status_code == 200
    assert _signup(client, "flood@example.ma").status_code == 200
    third = _signup(client, "flood@example.ma")
    assert third.status_code == 429 and "Trop de demandes" in third.content.decode()
    settings.LEDE_NEWSLETTER_SIGNUPS_PER_IP = 3
    assert _signup(client, "other@example.ma").status_code == 429


def test_bad_tokens_get_a_french_400(matinale: Newsletter, client: Client) -> None:
    for url in ("/lettres/confirmer/abc/", "/lettres/desinscription/abc/"):
        response = client.get(url)
        assert response.status_code == 400
        assert "invalide ou a expiré" in response.content.decode()
    assert client.post("/lettres/desinscription/abc/").status_code == 400


def test_sign_up_confirm_receive_unsubscribe_receive_nothing(
    matinale: Newsletter, client: Client, smtp_server: Any
) -> None:
    from django.core.management import call_command

    assert _signup(client, "lectrice@example.ma").status_code == 200
    (confirmation,) = smtp_server.wait_for(1)
    link = re.search(r"http://testserver(/lettres/confirmer/\S+/)", confirmation.body("plain"))
    assert link
    assert client.get(link.group(1)).status_code == 200
    assert Subscription.objects.get().status == Subscription.Status.PENDING
    assert client.post(link.group(1)).status_code == 200
    assert Subscription.objects.get().status == Subscription.Status.CONFIRMED
    smtp_server.clear()

    from io import StringIO

    out = StringIO()
    call_command("newsletter_send", "la-matinale", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "sent 1, skipped 0, failed 0"
    (edition,) = smtp_server.wait_for(1)
    assert edition.rcpt_tos == ["lectrice@example.ma"]
    assert edition.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.search(
        r"<http://testserver(/lettres/desinscription/[^>]+/)>",
        str(edition.message["List-Unsubscribe"]),
    )
    assert unsubscribe
    # RFC 8058: one POST, no session, no CSRF token.
    one_click = Client(enforce_csrf_checks=True).post(
        unsubscribe.group(1), {"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200
    assert Subscription.objects.get().status == Subscription.Status.UNSUBSCRIBED
    smtp_server.clear()
    from lede.core.testing import factories as f
    from lede.editorial.models import SectionPage

    f.make_article(SectionPage.objects.first(), "Une nouvelle après la désinscription")
    out = StringIO()
    call_command("newsletter_send", "la-matinale", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "sent 0, skipped 0, failed 0"
    assert smtp_server.messages == []
    assert len(mail.outbox) == 0


def test_counted_links_redirect_and_count_nobody(
    settings: Any, matinale: Newsletter, client: Client
) -> None:

    edition, links = send_with_counted_links(settings, matinale)
    assert links
    response = client.get(links[0])
    assert response.status_code == 302 and response["Location"].startswith("http://testserver/")
    client.get(links[0])
    click = LinkClick.objects.get()
    assert click.count == 2 and click.edition_id == edition.pk
    assert client.get("/lettres/clic/forged/").status_code == 404


def test_the_arabic_edition_names_the_newsletter_in_arabic(
    client: Client, matinale: Newsletter
) -> None:
    """Newsletter names and descriptions have their Arabic column
    (lede/core/translated.py): the Arabic edition shows it, the French one
    the French; an empty Arabic column falls back on the French."""
    matinale.name_ar = "الصباحية"
    matinale.description_ar = "أهم الأخبار كل صباح."
    matinale.save()
    arabic = client.get(f"/ar/lettres/{matinale.slug}/").content.decode()
    assert "الصباحية" in arabic and "أهم الأخبار كل صباح." in arabic
    french = client.get(f"/lettres/{matinale.slug}/").content.decode()
    assert "الصباحية" not in french and matinale.name in french
    matinale.name_ar = ""
    matinale.save()
    assert matinale.name in client.get(f"/ar/lettres/{matinale.slug}/").content.decode()
