"""The store of article variants: a per-process LRU in front of the shared cache.

An article's two renderings (``full`` and ``locked``, lede.paywall.serving)
are stored under ``keys.variant_key``, which names everything the HTML
depends on (revision, access settings, host, scheme, chrome generation): the
HTML stored under a key never changes, so a local copy can only be as stale
as the shared entry, and no invalidation ever has to find one.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache

from lede.core import process_state
from lede.core.observability.metrics import record_variant_lookup


class LocalVariants:
    """A small per-process LRU whose entries also expire after ``ttl`` seconds.

    Hand-written (30 lines, one lock) rather than a dependency: the standard
    library's lru_cache cannot express "not found" or expiry, and this is the
    only such cache of the project.
    """

    def __init__(self, max_entries: int, ttl: float) -> None:
        self.max_entries = max_entries
        self.ttl = ttl
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: str, html: str) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + self.ttl, html)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


local_variants = LocalVariants(
    max_entries=settings.LEDE_VARIANT_LOCAL_ENTRIES,
    ttl=settings.LEDE_VARIANT_LOCAL_SECONDS,
)
process_state.register("lede.core.caching.variants.local_variants", local_variants.clear)


def enabled() -> bool:
    """``LEDE_VARIANT_CACHE_ENABLED``: off, every article is rendered afresh
    (and the fast path, which only serves stored variants, stands aside)."""
    return bool(settings.LEDE_VARIANT_CACHE_ENABLED)


def get(key: str) -> str | None:
    html = local_variants.get(key)
    if html is not None:
        record_variant_lookup("local")
        return html
    html = cache.get(key)
    if html is not None:
        record_variant_lookup("shared")
        local_variants.put(key, html)
        return str(html)
    record_variant_lookup("miss")
    return None


def put(key: str, html: str) -> None:
    cache.set(key, html, timeout=settings.LEDE_VARIANT_CACHE_SECONDS)
    local_variants.put(key, html)
