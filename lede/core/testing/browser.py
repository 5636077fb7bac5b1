"""Debian's Chromium through Playwright, for browser tests.

Playwright's sync API keeps an event loop running in the calling thread for
as long as it is open, and Django's ORM refuses synchronous calls in such a
thread unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set. Both must end with the
tests that need the browser: a loop left running for the rest of a pytest
worker makes every later ``asyncio.run``/``async_to_sync`` in that worker fail
("cannot be called from a running event loop"), and the variable would hide
real async-safety errors. So browsers are opened per module, never per
session, through :func:`chromium`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("LEDE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip (fail in CI) when Debian's Chromium is missing."""
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return
    if os.environ.get("CI"):
        pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing")
    pytest.skip(f"Debian's Chromium is not installed ({CHROMIUM}): apt-get install chromium")


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium browser; the event loop and the async-unsafe
    allowance last exactly as long as the ``with`` block."""
    require_chromium()
    from playwright.sync_api import sync_playwright  # heavy, and only for browser tests

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
