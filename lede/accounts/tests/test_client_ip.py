"""Log-in rate limits key on the address the paywall believes: X-Forwarded-For
only from LEDE_TRUSTED_PROXIES (lede/core/network.py), never from allauth's
own proxy count. Both throttles hold whatever a client writes in the header:
per address (30 log-in POSTs, 10 failures a minute) and per account (5
failures in 5 minutes)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from allauth.account.adapter import get_adapter
from django.test import Client, RequestFactory
from freezegun import freeze_time

from .helpers import PASSWORD, login

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
VARNISH = "127.0.0.1"


def _random_address(rng: random.Random) -> str:
    return ".".join(str(rng.randrange(1, 255)) for _ in range(4))


def _random_email(rng: random.Random) -> str:
    return f"inconnu-{rng.randrange(10**9)}@example.com"


def test_the_adapter_asks_the_paywalls_rule_not_allauths_proxy_count(settings: Any) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="10.1.2.3, 10.9.9.9"
    )
    # allauth's own setting would take the header's last hop from anyone.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.LEDE_TRUSTED_PROXIES = []
    assert get_adapter().get_client_ip(request) == ATTACKER
    # From a trusted proxy: the rightmost address that is not a proxy.
    settings.LEDE_TRUSTED_PROXIES = ["203.0.113.0/24", "10.9.9.0/24"]
    assert get_adapter().get_client_ip(request) == "10.1.2.3"


def test_failed_log_ins_with_a_changing_forwarded_for_are_throttled_per_address(
    reader: Any, settings: Any
) -> None:
    """One socket, random accounts, a new X-Forwarded-For on every try."""
    settings.LEDE_TRUSTED_PROXIES = []
    rng = random.Random(12)
    attacker = Client(REMOTE_ADDR=ATTACKER)
    with freeze_time("2026-03-02 10:00:00"):
        codes = []
        for _ in range(10):
            response = login(
                attacker, _random_email(rng), "x", HTTP_X_FORWARDED_FOR=_random_address(rng)
            )
            codes.append(response.status_code)
        # Ten failures from the address: the right password no longer gets in.
        response = login(attacker, reader.email, HTTP_X_FORWARDED_FOR=_random_address(rng))
        assert response.status_code == 200
        assert "_auth_user_id" not in attacker.session
        for _ in range(25):
            response = login(
                attacker, _random_email(rng), "x", HTTP_X_FORWARDED_FOR=_random_address(rng)
            )
            codes.append(response.status_code)
    # 30 log-in POSTs a minute per address (the 11th above was one of them).
    assert codes == [200] * 29 + [429] * 6


def test_behind_a_trusted_proxy_each_reader_has_their_own_limit(reader: Any, settings: Any) -> None:
    """Varnish (trusted) appends the peer it saw; what the client wrote before
    it is not believed, and readers behind the same proxy are not one address."""
    settings.LEDE_TRUSTED_PROXIES = ["127.0.0.1/32"]
    rng = random.Random(34)
    via_varnish = Client(REMOTE_ADDR=VARNISH)
    with freeze_time("2026-03-02 10:00:00"):
        codes = [
            login(
                via_varnish,
                _random_email(rng),
                "x",
                HTTP_X_FORWARDED_FOR=f"{_random_address(rng)}, {ATTACKER}",
            ).status_code
            for _ in range(35)
        ]
        assert codes == [200] * 30 + [429] * 5
        # Another reader through the same Varnish logs in at once.
        response = login(
            Client(REMOTE_ADDR=VARNISH), reader.email, HTTP_X_FORWARDED_FOR="198.51.100.20"
        )
        assert response.status_code == 302


def test_failures_on_one_account_from_many_addresses_lock_that_account(
    reader: Any, settings: Any
) -> None:
    """The per-account limit still holds when every try comes from elsewhere
    (real sockets, or a trusted proxy's view)."""
    settings.LEDE_TRUSTED_PROXIES = ["127.0.0.1/32"]
    with freeze_time("2026-03-02 10:00:00"):
        for i in range(5):
            response = login(Client(REMOTE_ADDR=f"198.51.100.{i + 1}"), reader.email, "faux")
            assert response.status_code == 200
        for i in range(3):
            response = login(
                Client(REMOTE_ADDR=VARNISH), reader.email, "faux",
                HTTP_X_FORWARDED_FOR=f"192.0.2.{i + 1}",
            )  # fmt: skip
            assert response.status_code == 200
        # Even the right password, from a new address, waits.
        fresh = Client(REMOTE_ADDR="192.0.2.200")
        response = login(fresh, reader.email, PASSWORD)
        assert response.status_code == 200
        assert "_auth_user_id" not in fresh.session
    with freeze_time("2026-03-02 10:06:00"):
        assert login(fresh, reader.email, PASSWORD).status_code == 302
