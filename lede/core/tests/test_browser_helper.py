"""The browser helper gives back the thread it borrowed: a pytest worker that
ran browser tests must still run asyncio code afterwards (CI once failed
three asyncio fences that happened to follow the browser tests)."""

from __future__ import annotations

import asyncio
import os

import pytest

from lede.core.testing.browser import chromium


def test_closing_the_browser_leaves_no_event_loop_and_no_async_allowance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    with chromium() as browser:
        assert browser.is_connected()
        assert os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] == "true"
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ
    assert asyncio.run(asyncio.sleep(0, result="libre")) == "libre"
