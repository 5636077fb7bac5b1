"""Every account e-mail is French, with a text and an HTML part."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:18767"
NB = "\u00a0"

ENGLISH = ("Hello", "Thank you", "You're receiving", "Please", "Click", "password reset")

TEMPLATES: dict[str, dict[str, Any]] = {
    "account/email/email_confirmation_signup": {
        "activate_url": "http://testserver/compte/confirm-email/KEY/",
        "key": "KEY",
    },
    "account/email/email_confirmation": {
        "activate_url": "http://testserver/compte/confirm-email/KEY/",
        "key": "KEY",
    },
    "account/email/password_reset_key": {
        "password_reset_url": "http://testserver/compte/password/reset/key/1-abc/"
    },
    "account/email/password_reset_code": {"code": "ABC123"},
    "account/email/login_code": {"code": "ABC123"},
    "account/email/unknown_account": {"signup_url": "http://testserver/compte/signup/"},
    "account/email/signup_code": {"code": "AB12-CD34", "email": "amal@example.com"},
    "account/email/account_already_exists": {
        "password_reset_url": "http://testserver/compte/password/reset/",
    },
    "account/email/email_changed": {"from_email": "a@example.com", "to_email": "b@example.com"},
    "account/email/email_confirm": {},
    "account/email/email_deleted": {"deleted_email": "a@example.com"},
    "account/email/password_changed": {},
    "account/email/password_set": {},
    "account/email/password_reset": {},
    "mfa/email/totp_activated": {},
    "mfa/email/totp_deactivated": {},
    "mfa/email/recovery_codes_generated": {},
    "mfa/email/webauthn_added": {},
    "mfa/email/webauthn_removed": {},
}


def _links(body: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", body)


def test_sign_up_code_mail_over_smtp(client: Any, smtp_server: Any, settings: Any) -> None:
    settings.LEDE_BASE_URL = BASE
    client.post("/compte/signup/", {"email": "amal@example.com"})
    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == ["amal@example.com"]
    assert b"=?utf-8?" in received.raw.split(b"\n\n", 1)[0].lower() or b"=?UTF-8?" in received.raw
    assert received.subject == "Votre code pour créer votre compte"
    text, html = received.body("plain"), received.body("html")
    assert text.startswith(f"Le{NB}Quotidien\n{BASE}/")  # the layout's masthead
    assert "Bonjour," in text
    assert "Voici votre code pour créer votre compte" in text
    assert "amal@example.com" in text
    assert '<html lang="fr"' in html
    assert "Voici votre code pour créer votre compte" in html
    assert f"Le{NB}Quotidien" in html and "Le Quotidien" not in html
    for body in (text, html):
        assert "'" not in re.sub(r"<[^>]*>", "", body)  # typographic apostrophes only
        for word in ENGLISH:
            assert word not in body
        for link in _links(body):
            assert link.startswith(BASE + "/"), link
            assert ":8000" not in link and "localhost" not in link


def test_added_address_verification_mail_and_link(
    client: Any, reader: Any, smtp_server: Any, settings: Any
) -> None:
    settings.LEDE_BASE_URL = BASE
    client.force_login(reader)
    client.post("/compte/email/", {"email": "amal@example.com", "action_add": ""})
    smtp_server.wait_for(1)
    [received] = smtp_server.to("amal@example.com")
    url = next(u for u in _links(received.body("plain")) if "/compte/confirm-email/" in u)
    assert url.startswith(BASE + "/compte/confirm-email/")
    assert f'href="{url}"' in received.body("html")
    # The link verifies the address (after a POST: no verification on GET).
    from allauth.account.models import EmailAddress

    path = url.removeprefix(BASE)
    assert not EmailAddress.objects.get(email="amal@example.com").verified
    assert client.get(path).status_code == 200
    client.post(path)
    assert EmailAddress.objects.get(email="amal@example.com").verified


@pytest.mark.parametrize("prefix", sorted(TEMPLATES))
def test_every_account_mail_goes_out_french_with_text_and_html(
    rf: Any, reader: Any, prefix: str, settings: Any, smtp_server: Any
) -> None:
    from allauth.account.adapter import get_adapter
    from allauth.core import context

    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    settings.LEDE_BASE_URL = BASE
    request = rf.get("/compte/", REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="Firefox/140")
    request.user = reader
    with context.request_context(request):
        adapter: Any = get_adapter(request)
        ctx = {
            "user": reader,
            "timestamp": timezone.now(),
            "ip": "198.51.100.4",
            "user_agent": "Firefox/140",
            **TEMPLATES[prefix],
        }
        adapter.send_mail(prefix, reader.email, ctx)
    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == [reader.email]
    subject, text, html = received.subject, received.body("plain"), received.body("html")
    assert subject and "\n" not in subject
    assert text.startswith(f"Le{NB}Quotidien\n") and "Bonjour," in text
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert "Bonjour," in html and f"Le{NB}Quotidien" in html
    for word in ENGLISH:
        assert word not in subject
        assert word not in text
        assert word not in html
    for value in TEMPLATES[prefix].values():
        if isinstance(value, str) and value.startswith("http"):
            # allauth's links are moved onto the site's one address
            rebased = BASE + value.removeprefix("http://testserver")
            assert rebased in text and f'href="{rebased}"' in html
        elif isinstance(value, str) and value.startswith(("ABC", "a@", "b@")):
            assert value in text and value in html
    for body in (text, html):
        for link in _links(body):
            assert link.startswith(BASE + "/"), link
    if (
        "notification" in prefix
        or prefix.startswith("mfa/")
        or prefix.endswith(("_changed", "_confirm", "_deleted", "_set", "/password_reset"))
    ):
        assert "198.51.100.4" in text and "Firefox/140" in html
        assert " à " in text and " H " in text  # 02.03.2026 à 10 H 00


@pytest.mark.parametrize(
    "prefix",
    [
        "account/email/email_confirmation_signup",
        "account/email/login_code",
        "account/email/password_reset_key",
    ],
)
def test_account_mails_carry_the_publisher_legal_identity(
    rf: Any, reader: Any, prefix: str, settings: Any, smtp_server: Any
) -> None:
    """Like the payment e-mails, account e-mails name the publisher in full in
    their footer: core's mail layout gets it from the source subscriptions
    registers at ready() (core does not import subscriptions)."""
    from allauth.account.adapter import get_adapter
    from allauth.core import context
    from wagtail.models import Site

    from lede.subscriptions.models import BillingSettings

    billing = BillingSettings.for_site(Site.objects.get(is_default_site=True))
    billing.legal_name = "Médias du Bouregreg SARL"
    billing.address = "18, rue Oued Ziz\n10090 Rabat"
    billing.ice = "002145873000061"
    billing.save()
    settings.LEDE_BASE_URL = BASE
    request = rf.get("/compte/")
    request.user = reader
    with context.request_context(request):
        get_adapter(request).send_mail(prefix, reader.email, {"user": reader, **TEMPLATES[prefix]})
    [received] = smtp_server.wait_for(1)
    for part in ("plain", "html"):
        body = received.body(part)
        assert "Médias du Bouregreg SARL — 18, rue Oued Ziz, 10090 Rabat" in body, body
        assert "ICE\u00a0002145873000061" in body


def test_account_mail_footer_without_a_registered_identity(
    rf: Any, reader: Any, smtp_server: Any
) -> None:
    """With no source registered (core alone), the footer simply has no legal
    line: nothing breaks."""
    from allauth.account.adapter import get_adapter
    from allauth.core import context

    from lede.core import mail

    request = rf.get("/compte/")
    request.user = reader
    saved = mail._legal_identity_source
    mail.register_legal_identity(None)
    try:
        with context.request_context(request):
            get_adapter(request).send_mail(
                "account/email/login_code", reader.email, {"user": reader, "code": "ABC123"}
            )
    finally:
        mail.register_legal_identity(saved)
    [received] = smtp_server.wait_for(1)
    assert "ABC123" in received.body("plain") and "ICE" not in received.body("plain")
