"""The wire parsers are pure Python: their tests need neither Django nor a database."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_root() -> None:
    """Replaces the project-wide autouse fixture of the same name for these tests.

    That fixture needs pytest-django's ``settings``; the parser tests must also
    run with ``-p no:django`` (and touch no media anyway).
    """
