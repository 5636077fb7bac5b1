"""Every account e-mail is French, with a text and an HTML part."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from .helpers import first_url, html_part

pytestmark = pytest.mark.django_db

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


def test_sign_up_code_mail_is_french_with_text_and_html(client: Any, mailoutbox: list[Any]) -> None:
    client.post("/compte/signup/", {"email": "amal@example.com"})
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["amal@example.com"]
    assert message.subject == "Votre code pour créer votre compte"
    assert message.body.startswith("Bonjour,")
    assert "Voici votre code pour créer votre compte" in message.body
    assert "amal@example.com" in message.body

    html = html_part(message)
    assert '<html lang="fr"' in html
    assert "Voici votre code pour créer votre compte" in html
    for word in ENGLISH:
        assert word not in message.body and word not in html


def test_added_address_verification_mail_and_link(
    client: Any, reader: Any, mailoutbox: list[Any]
) -> None:
    client.force_login(reader)
    client.post("/compte/email/", {"email": "amal@example.com", "action_add": ""})
    message = mailoutbox[-1]
    assert message.to == ["amal@example.com"]
    url = first_url(message.body)
    assert "/compte/confirm-email/" in url
    assert f'href="{url}"' in html_part(message)
    # The link verifies the address (after a POST: no verification on GET).
    from allauth.account.models import EmailAddress

    path = url.split("testserver", 1)[1]
    assert not EmailAddress.objects.get(email="amal@example.com").verified
    assert client.get(path).status_code == 200
    client.post(path)
    assert EmailAddress.objects.get(email="amal@example.com").verified


@pytest.mark.parametrize("prefix", sorted(TEMPLATES))
def test_every_account_mail_has_french_text_and_html(
    rf: Any, reader: Any, prefix: str, settings: Any
) -> None:
    from allauth.account.adapter import get_adapter
    from allauth.core import context

    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    request = rf.get("/compte/", REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="Firefox/140")
    request.user = reader
    with context.request_context(request):
        adapter: Any = get_adapter(request)
        ctx = {
            "user": reader,
            "email": reader.email,
            "timestamp": timezone.now(),
            "ip": "198.51.100.4",
            "user_agent": "Firefox/140",
            **TEMPLATES[prefix],
        }
        # What send_mail() adds, then allauth's own rendering.
        from lede.core.selectors import publication_settings

        publication = publication_settings(request)
        ctx.update({"publication": publication, "site_name": publication.name})
        ctx.setdefault("site_url", "http://testserver/")
        message = adapter.render_mail(prefix, reader.email, ctx)

    assert message.subject and "\n" not in message.subject
    assert message.body.startswith("Bonjour,")
    html = html_part(message)
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert "Bonjour," in html
    for word in ENGLISH:
        assert word not in message.subject
        assert word not in message.body
        assert word not in html
    for value in TEMPLATES[prefix].values():
        if isinstance(value, str) and value.startswith(("http", "ABC", "a@", "b@")):
            assert value in message.body
            assert value in html
    if (
        "notification" in prefix
        or prefix.startswith("mfa/")
        or prefix.endswith(("_changed", "_confirm", "_deleted", "_set", "/password_reset"))
    ):
        assert "198.51.100.4" in message.body and "Firefox/140" in html
        assert " à " in message.body and " H " in message.body  # 02.03.2026 à 10 H 00
