"""Deploy checks of the proxy settings: LEDE_TRUSTED_PROXIES is the one source."""

from __future__ import annotations

from typing import Any

import pytest

from lede.core.checks import trusted_proxies


def _ids(messages: list[Any]) -> list[str]:
    return [message.id for message in messages]


def test_a_valid_proxy_list_is_clean(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLAUTH_TRUSTED_PROXY_COUNT", raising=False)
    settings.LEDE_TRUSTED_PROXIES = ["10.0.0.10/32", "127.0.0.1", "::1/128"]
    assert trusted_proxies() == []


def test_an_entry_that_is_not_a_network_is_an_error(settings: Any) -> None:
    settings.LEDE_TRUSTED_PROXIES = ["10.0.0.10/32", "varnish.internal"]
    messages = trusted_proxies()
    assert _ids(messages) == ["lede.E021"]
    assert "'varnish.internal'" in messages[0].msg


def test_allauths_proxy_count_is_reported_unused(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.LEDE_TRUSTED_PROXIES = []
    monkeypatch.setenv("ALLAUTH_TRUSTED_PROXY_COUNT", "2")
    assert _ids(trusted_proxies()) == ["lede.W021"]
