"""docs/caching.md describes every cache the code registers
(lede.core.caching.keys.REGISTRY) and every invalidation event, and nothing
that no longer exists."""

from __future__ import annotations

import re
from pathlib import Path

from lede.core.caching import keys
from lede.core.caching.invalidation import Event

DOC = Path(__file__).resolve().parents[1] / "docs" / "caching.md"


def _first_cells(heading: str) -> set[str]:
    """The backticked names in the first column of the table under ``heading``."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([^`]+)` \|", section, re.MULTILINE))


def test_every_registered_cache_has_its_row() -> None:
    documented = _first_cells("## What is cached")
    registered = {entry.name for entry in keys.REGISTRY}
    assert registered - documented == set(), "caches missing from docs/caching.md"
    assert documented - registered == set(), "rows of docs/caching.md for no registered cache"


def test_every_invalidation_event_has_its_row() -> None:
    documented = _first_cells("## What clears what")
    assert documented == {event.name for event in Event}
