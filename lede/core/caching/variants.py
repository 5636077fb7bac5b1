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
from collections.abc import Callable

from cachetools import TTLCache
from django.conf import settings
from django.core.cache import cache

from lede.core import process_state
from lede.core.observability.metrics import record_variant_lookup


class LocalVariants:
    """A small per-process LRU whose entries also expire ``ttl`` seconds after
    they were stored: cachetools' ``TTLCache`` (least recently read evicted
    first, expiry on the monotonic clock), behind one lock because cachetools'
    caches are not thread-safe. ``max_entries`` 0 keeps nothing."""

    def __init__(
        self, max_entries: int, ttl: float, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_entries = max_entries
        self.ttl = ttl
        self._items: TTLCache[str, str] = TTLCache(
            maxsize=max(max_entries, 1), ttl=ttl, timer=timer
        )
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: str, html: str) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            self._items[key] = html

    def stored(self) -> list[str]:
        """The HTML held now (the leak tests read it)."""
        with self._lock:
            return list(self._items.values())

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


def get_local(key: str) -> str | None:
    """This process's copy only, never the shared cache: for the event loop
    (lede/paywall/front.py), which must not wait on the network. ``None``
    sends the request the road that reads the shared cache (and keeps the
    copy here for next time)."""
    html = local_variants.get(key)
    if html is not None:
        record_variant_lookup("local")
    return html


def put(key: str, html: str) -> None:
    cache.set(key, html, timeout=settings.LEDE_VARIANT_CACHE_SECONDS)
    local_variants.put(key, html)
