"""Django's Redis cache backend, with its connections shared by the process.

Django keeps one cache object per thread, and its Redis client makes a new
connection pool per cache object and a new ``redis.Redis`` client (which
builds a table of 170 response callbacks) on every operation. Under ASGI,
where each request runs in a thread of its own, that means a new TCP
connection to Redis per request; under WSGI, ~0.15 ms of set-up per cache
call. Measured on the article fast path (bench/RESULTS.md).

This backend keeps one pool and one client per server (and options) for the
whole process. redis-py's pools and clients are thread-safe, and a pool
notices a fork and starts afresh in the child. Written by hand because the
alternative, django-redis, brings its own client API and settings for what
is a twenty-line change here.
"""

from __future__ import annotations

import random
import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

_shared: dict[tuple[str, str], tuple[Any, Any]] = {}
_lock = threading.Lock()


class SharedRedisCacheClient(DjangoRedisCacheClient):
    # Set by Django's __init__ (not in its type stubs).
    _servers: list[str]
    _pool_options: dict[str, Any]
    _pool_class: Any
    _client: Any

    def _server(self, write: bool) -> str:
        # As Django does: write to the first server, read from the others.
        if write or len(self._servers) == 1:
            return self._servers[0]
        return random.choice(self._servers[1:])  # noqa: S311 - load spreading, not security

    def _shared_pool_and_client(self, write: bool) -> tuple[Any, Any]:
        server = self._server(write)
        key = (server, repr(sorted(self._pool_options.items())))
        found = _shared.get(key)
        if found is None:
            with _lock:
                found = _shared.get(key)
                if found is None:
                    pool = self._pool_class.from_url(server, **self._pool_options)
                    found = _shared[key] = (pool, self._client(connection_pool=pool))
        return found

    def _get_connection_pool(self, write: bool) -> Any:
        return self._shared_pool_and_client(write)[0]

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        return self._shared_pool_and_client(write)[1]


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedRedisCacheClient
