from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_and_readyz(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "cache": "ok"}


def test_readyz_reports_a_broken_cache(client: Client, monkeypatch: Any) -> None:
    from django.core.cache import cache

    def broken(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "set", broken)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["cache"] == "error: ConnectionError"
