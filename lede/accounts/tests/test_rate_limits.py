"""A brute-force run against the log-in form is throttled after a handful of
tries, while the real reader can still reset the password and get back in."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.test import Client

from .helpers import first_url, frozen, last_mail, login

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
READER_IP = "198.51.100.20"


def test_a_thousand_failed_log_ins_are_throttled_and_the_reader_can_still_reset(
    reader: Any, smtp_server: Any, settings: Any
) -> None:
    # base.py's limits: 30 log-in POSTs a minute per address, 10 failures.
    assert settings.ACCOUNT_RATE_LIMITS["login"] == "30/m/ip"
    attacker = Client(REMOTE_ADDR=ATTACKER)
    statuses: Counter[int] = Counter()
    first_throttled = None
    with frozen("2026-03-02 10:00:00"):
        for attempt in range(1, 1001):
            response = attacker.post(
                "/compte/login/", {"login": reader.email, "password": f"essai-{attempt}"}
            )
            statuses[response.status_code] += 1
            if response.status_code == 429 and first_throttled is None:
                first_throttled = attempt
                page = response.content.decode()
                assert "Trop de tentatives" in page
                assert 'href="/compte/password/reset/"' in page
        assert first_throttled == 31
        assert statuses == Counter({200: 30, 429: 970})
        assert "_auth_user_id" not in attacker.session

        # The real reader, elsewhere, asks for a reset link …
        own = Client(REMOTE_ADDR=READER_IP)
        response = own.post("/compte/password/reset/", {"email": reader.email})
        assert response.status_code == 302
        path = first_url(last_mail(smtp_server).body("plain")).split("testserver", 1)[1]
        form_path = own.get(path)["Location"]
        new = "Retour-Medina-2026!"
        assert own.post(form_path, {"password1": new, "password2": new}).status_code == 302
        # … and logs in with the new password (the failure counter on the
        # address is cleared by the reset), while the attacker stays blocked.
        assert login(own, reader.email, new).status_code == 302
        assert own.session["_auth_user_id"] == str(reader.pk)
        assert login(attacker, reader.email, new).status_code == 429


def test_reset_still_answers_from_the_throttled_address(reader: Any, smtp_server: Any) -> None:
    shared = Client(REMOTE_ADDR=ATTACKER)  # e.g. a reader behind the same NAT
    with frozen("2026-03-02 10:00:00"):
        for attempt in range(40):
            shared.post("/compte/login/", {"login": reader.email, "password": f"x{attempt}"})
        assert (
            shared.post("/compte/login/", {"login": reader.email, "password": "x"}).status_code
            == 429
        )
        response = shared.post("/compte/password/reset/", {"email": reader.email})
    assert response.status_code == 302
    assert last_mail(smtp_server).rcpt_tos == [reader.email]


def test_forwarded_for_header_does_not_dodge_the_limit(reader: Any) -> None:
    # X-Forwarded-For is not trusted unless ALLAUTH_TRUSTED_PROXY_COUNT says so.
    client = Client(REMOTE_ADDR=ATTACKER)
    with frozen("2026-03-02 10:00:00"):
        codes = [
            client.post(
                "/compte/login/",
                {"login": reader.email, "password": "x"},
                HTTP_X_FORWARDED_FOR=f"10.0.{i // 250}.{i % 250}",
            ).status_code
            for i in range(40)
        ]
    assert codes.count(429) == 10


def test_login_code_requests_are_throttled_per_address(reader: Any, smtp_server: Any) -> None:
    with frozen("2026-03-02 10:00:00"):
        # Fresh sessions each time (a pending request in the same session just
        # leads back to the code form).
        codes = [
            Client(REMOTE_ADDR=ATTACKER).post("/compte/login/code/", {"email": reader.email})
            for _ in range(5)
        ]
    # 3 a minute per address: the fourth is refused, and no fourth code is sent.
    assert [r.status_code for r in codes] == [302, 302, 302, 200, 200]
    assert "Trop de tentatives" in codes[3].content.decode()
    assert len(smtp_server.messages) == 3
