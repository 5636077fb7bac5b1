from __future__ import annotations

from typing import Any

import pytest

from lede.subscriptions import testing


@pytest.fixture(autouse=True)
def _payment_settings(settings: Any) -> None:
    testing.apply_test_settings(settings)


@pytest.fixture
def catalogue(db: Any) -> dict[str, Any]:
    return testing.catalogue()


@pytest.fixture
def reader(db: Any) -> Any:
    return testing.make_reader()


@pytest.fixture
def reader_client(client: Any, reader: Any) -> Any:
    client.force_login(reader)
    return client
