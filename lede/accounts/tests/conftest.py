from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache

from .helpers import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_cache(settings: Any) -> Iterator[None]:
    """allauth's rate limits and one-time codes live in the cache: give every
    test its own local-memory cache so that no test throttles another."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"accounts-tests-{uuid.uuid4().hex}",
        }
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _registries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hooks registered by a test stay in that test."""
    from lede.accounts import services

    monkeypatch.setattr(services, "_data_exporters", dict(services._data_exporters))
    monkeypatch.setattr(services, "_retention_checks", list(services._retention_checks))
    monkeypatch.setattr(services, "_deletion_hooks", list(services._deletion_hooks))


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    from allauth.account.models import EmailAddress

    from lede.accounts.models import User

    def make(
        email: str = "lectrice@example.com",
        password: str | None = PASSWORD,
        *,
        verified: bool = True,
        **extra: Any,
    ) -> User:
        user = User.objects.create_user(email=email, password=password, **extra)
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
        return user

    return make


@pytest.fixture
def reader(make_user: Callable[..., Any]) -> Any:
    return make_user()
