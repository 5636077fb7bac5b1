"""The fast road's response headers are the normal road's: it borrows the
real process_response of every middleware below it (fastpath.ResponseHeaders),
so a header added below (a new security header) reaches both roads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.checks import run_checks
from django.test import Client
from django.utils import timezone

from lede.accounts.models import User
from lede.core.testing.middleware import CALL_ONLY_HEADER, SECURITY_HEADER
from lede.paywall import fastpath
from lede.paywall.models import AccessGrant

pytestmark = pytest.mark.django_db

FAST = "lede.paywall.fastpath.ArticleFastPathMiddleware"
# Differ per request by design (the request's own id), or name the road.
PER_REQUEST = {"x-request-id", "x-lede-road"}


def _below_fast_path(settings: Any, middleware: str) -> None:
    chain = list(settings.MIDDLEWARE)
    chain.insert(chain.index(FAST) + 1, middleware)
    settings.MIDDLEWARE = chain


def _reader(client: Client, kind: str) -> None:
    if kind == "anonymous":
        return
    user = User.objects.create_user(f"{kind}@example.com", "pw-lecteur-2026")
    if kind == "subscriber":
        AccessGrant.objects.create(
            user=user,
            starts_at=timezone.now() - timedelta(days=1),
            ends_at=timezone.now() + timedelta(days=30),
        )
    client.force_login(user)


def _headers(response: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower() not in PER_REQUEST}


def _both_roads(client: Client, url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    Client().get(url)  # the snapshot and the variants
    client.get(url)  # the reader's profile (normal road)
    fast = client.get(url)
    assert fast.status_code == 200 and fast.get("X-Lede-Road") == "fast"
    monkeypatch.setattr(
        fastpath.ArticleFastPathMiddleware, "_eligible", staticmethod(lambda request: False)
    )
    normal = client.get(url)
    assert normal.status_code == 200 and normal.get("X-Lede-Road") is None
    return fast, normal


@pytest.mark.parametrize("kind", ["anonymous", "registered", "subscriber"])
@pytest.mark.parametrize("level", ["public", "registered", "subscribers"])
def test_both_roads_answer_with_the_same_headers(
    client: Client,
    paywalled: dict[str, Any],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    level: str,
) -> None:
    _below_fast_path(settings, "lede.core.testing.middleware.SecurityHeaderMiddleware")
    _reader(client, kind)
    fast, normal = _both_roads(client, paywalled["articles"][level].url, monkeypatch)
    assert _headers(fast) == _headers(normal)
    assert fast.content == normal.content
    assert fast.cookies.keys() == normal.cookies.keys()
    # The header of the middleware below the fast path, on both roads.
    assert fast[SECURITY_HEADER[0]] == SECURITY_HEADER[1]
    # Those the fast path used to copy by hand, now borrowed.
    for name in ("Content-Language", "X-Frame-Options", "Content-Length"):
        assert fast[name] == normal[name]
    assert "Accept-Language" in fast["Vary"] and "Cookie" in fast["Vary"]


def test_a_middleware_below_that_cannot_lend_its_headers_turns_the_fast_path_off(
    client: Client, paywalled: dict[str, Any], settings: Any
) -> None:
    """Its response half cannot be run alone: every article then takes the
    normal road (with that middleware's header), and the check says why."""
    _below_fast_path(settings, "lede.core.testing.middleware.CallOnlyHeaderMiddleware")
    errors = [e for e in run_checks() if e.id == "lede.paywall.E001"]
    assert len(errors) == 1 and "CallOnlyHeaderMiddleware" in errors[0].msg
    url = paywalled["articles"]["public"].url
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200
        assert response.get("X-Lede-Road") is None
        assert response[CALL_ONLY_HEADER[0]] == CALL_ONLY_HEADER[1]


def test_the_real_chain_lends_every_response_part() -> None:
    """The project's own middleware below the fast path all lend their
    response part (or have none): no E001 on the real settings."""
    assert fastpath.ResponseHeaders.below_fast_path().unborrowable == []
    assert not [e for e in run_checks() if e.id == "lede.paywall.E001"]
