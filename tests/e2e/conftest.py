from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lede.core.testing.browser import chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module, closed with it (lede/core/testing/browser.py
    says why never per session)."""
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
