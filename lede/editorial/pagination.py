"""Page-number pagination whose COUNT(*) is cached.

At 100,000 articles the count of a section's live articles is the slowest
query of a listing page (100–160 ms on PostgreSQL in bench/RESULTS.md). The
count is kept in the cache under a generation number that every article
publish or unpublish bumps, so a listing never shows a stale page count
after a change.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property

GENERATION_KEY = "editorial:listing-generation"
COUNT_TTL = 600


def listing_generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return int(value)


def bump_listing_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


class CachedCountPaginator(Paginator):  # type: ignore[type-arg]
    def __init__(self, object_list: Any, per_page: int, *, count_key: str, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._count_key = count_key

    @cached_property
    def count(self) -> int:
        key = f"editorial:count:{listing_generation()}:{self._count_key}"
        value = cache.get(key)
        if value is None:
            value = super().count
            cache.set(key, value, COUNT_TTL)
        return int(value)
