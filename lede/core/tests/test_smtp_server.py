from __future__ import annotations

from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives, send_mail


def test_a_message_goes_over_smtp_and_arrives_parsed(smtp_server: Any) -> None:
    message = EmailMultiAlternatives(
        "Votre reçu – 60 DH",
        "Bonjour,\nmerci pour votre abonnement.",
        "Le Quotidien <abonnements@demo.example>",
        ["lectrice@demo.example"],
    )
    message.attach_alternative("<p>Merci pour votre abonnement.</p>", "text/html")
    message.send()

    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == ["lectrice@demo.example"]
    assert received.subject == "Votre reçu – 60 DH"
    assert "merci pour votre abonnement" in received.body("plain")
    assert "<p>Merci" in received.body("html")
    assert smtp_server.to("lectrice@demo.example") == [received]


def test_waiting_for_a_message_that_never_comes_fails(smtp_server: Any) -> None:
    send_mail("Un", "texte", "a@demo.example", ["b@demo.example"])
    with pytest.raises(AssertionError, match="expected 2"):
        smtp_server.wait_for(2, timeout=0.5)
