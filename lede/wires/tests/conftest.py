"""Fixtures of the wire tests.

The parser tests are pure Python: they must also run with ``-p no:django``, so
the project-wide autouse fixtures that need pytest-django are replaced here by
versions that do nothing without it. The database tests ask for ``wire_media``.
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _media_root() -> None:
    """Replaces the project-wide autouse fixture of the same name for these tests.

    That fixture needs pytest-django's ``settings``; the parser tests must also
    run with ``-p no:django`` (and touch no media anyway).
    """


@pytest.fixture(autouse=True)
def _clear_cache(request: pytest.FixtureRequest) -> None:
    """The project-wide cache clearing, only when Django is loaded."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    from django.conf import settings
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture
def wire_media(settings: Any, tmp_path: Any) -> Any:
    """Media (stored agency photos, imported images) in the test's own folder, and
    folder polling without the settle delay. For the database tests only."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.LEDE_WIRE_SETTLE_SECONDS = 0
    return settings
