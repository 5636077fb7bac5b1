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

When Redis is unreachable the site keeps serving: a read is a miss, a write
is dropped, and pages are rendered from the database, slower but whole (the
article fast path, the listing cache and cached_db sessions all fall back to
their store). After a failure the backend does not try Redis again for
``RETRY_AFTER`` seconds, so a dead host costs one connect time-out per process
per interval, not one per cache call. Invalidations that could not reach
Redis (``incr`` of a generation key, ``delete``) are kept and replayed on the
first call that reaches it again: a Redis that was only unreachable, and kept
its data, must not go on serving what was published or changed meanwhile.
``check()`` asks Redis itself, for /readyz. Written by hand: Django's backend
has no such mode, and django-redis's ``IGNORE_EXCEPTIONS`` neither skips a dead
host nor replays invalidations.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from . import process_state
from .loop_redis import LoopReader

logger = logging.getLogger("lede.cache")

_shared: dict[tuple[str, str], tuple[Any, Any]] = {}
_lock = threading.Lock()

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_AFTER = 2.0  # seconds without trying Redis after a failure
MAX_PENDING = 1000  # invalidations kept for replay (beyond: the oldest go)


class Outage:
    """Whether a Redis server is reachable, shared by the process's threads,
    and the invalidations that did not reach it."""

    def __init__(self) -> None:
        self.down_until = 0.0
        self.pending: dict[tuple[str, str], None] = {}  # (op, key), in order
        self.lock = threading.Lock()

    def skipping(self) -> bool:
        return time.monotonic() < self.down_until

    def failed(self, exc: BaseException) -> None:
        with self.lock:
            first = self.down_until == 0.0
            self.down_until = time.monotonic() + RETRY_AFTER
        if first:
            logger.warning("Redis unreachable (%s): cache reads miss, writes dropped", exc)
        from lede.core.observability.metrics import record_cache_error

        record_cache_error()

    def remember(self, op: str, key: str) -> None:
        with self.lock:
            self.pending[(op, key)] = None
            while len(self.pending) > MAX_PENDING:
                del self.pending[next(iter(self.pending))]

    def recover(self, client: SharedRedisCacheClient) -> bool:
        """The retry interval is over: replay what was missed, before anything
        is read. False if Redis is still unreachable."""
        with self.lock:
            if self.down_until == 0.0:
                return True
            self.down_until = 0.0
            pending, self.pending = list(self.pending), {}
        if pending:
            logger.warning("Redis reachable again: replaying %d invalidations", len(pending))
        for done, (op, key) in enumerate(pending):
            try:
                if op == "incr":
                    DjangoRedisCacheClient.incr(client, key, 1)
                else:
                    DjangoRedisCacheClient.delete(client, key)
            except ValueError:
                pass  # the key is gone (Redis restarted empty): nothing stale
            except UNREACHABLE as exc:
                for left in pending[done:]:
                    self.remember(*left)
                self.failed(exc)
                return False
        return True


_outages: dict[str, Outage] = {}

F = TypeVar("F", bound=Callable[..., Any])


def _tolerant(when_down: Callable[..., Any]) -> Callable[[F], F]:
    """Run a cache operation, or answer ``when_down(client, *args)`` if Redis
    is (or was very recently) unreachable."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapper(self: SharedRedisCacheClient, *args: Any) -> Any:
            outage = self.outage
            if outage.down_until and (outage.skipping() or not outage.recover(self)):
                return when_down(self, *args)
            try:
                return method(self, *args)
            except UNREACHABLE as exc:
                outage.failed(exc)
                return when_down(self, *args)

        return wrapper  # type: ignore[return-value]

    return decorate


def _miss(client: Any, key: Any, default: Any) -> Any:
    return default


def _nothing(client: Any, *args: Any) -> Any:
    return None


def _false(client: Any, *args: Any) -> bool:
    return False


def _no_keys(client: Any, keys: Any) -> dict[Any, Any]:
    return {}


def _remember_incr(client: SharedRedisCacheClient, key: str, delta: int) -> int:
    client.outage.remember("incr", key)
    return 0


def _remember_delete(client: SharedRedisCacheClient, key: str) -> bool:
    client.outage.remember("delete", key)
    return False


def _remember_deletes(client: SharedRedisCacheClient, keys: list[str]) -> None:
    for key in keys:
        client.outage.remember("delete", key)


class SharedRedisCacheClient(DjangoRedisCacheClient):
    # Set by Django's __init__ (not in its type stubs).
    _servers: list[str]
    _pool_options: dict[str, Any]
    _pool_class: Any
    _client: Any
    _serializer: Any

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

    @functools.cached_property
    def outage(self) -> Outage:
        server = self._servers[0]
        found = _outages.get(server)
        if found is None:
            with _lock:
                found = _outages.setdefault(server, Outage())
        return found

    def check(self) -> None:
        """Raise unless Redis answers now (for /readyz; never tolerant)."""
        self.get_client(write=True).ping()

    add = _tolerant(_false)(DjangoRedisCacheClient.add)
    get = _tolerant(_miss)(DjangoRedisCacheClient.get)
    set = _tolerant(_nothing)(DjangoRedisCacheClient.set)
    touch = _tolerant(_false)(DjangoRedisCacheClient.touch)
    delete = _tolerant(_remember_delete)(DjangoRedisCacheClient.delete)
    get_many = _tolerant(_no_keys)(DjangoRedisCacheClient.get_many)
    has_key = _tolerant(_false)(DjangoRedisCacheClient.has_key)
    incr = _tolerant(_remember_incr)(DjangoRedisCacheClient.incr)
    set_many = _tolerant(_nothing)(DjangoRedisCacheClient.set_many)
    delete_many = _tolerant(_remember_deletes)(DjangoRedisCacheClient.delete_many)
    clear = _tolerant(_false)(DjangoRedisCacheClient.clear)


# The event loop's readers (get_many_on_loop), one per server.
_loop_readers: dict[str, LoopReader] = {}

# Values read on the loop that decode to a frozen dataclass (an article's
# snapshot: the same bytes for every reader of the article until it changes),
# by their bytes: decoded once per process rather than on every request
# (three dataclasses rebuilt each time, about a twentieth of a subscriber's
# article on the front). Immutable, so sharing the object is safe; anything
# else (a session, a profile, a list) is decoded on each read.
MAX_DECODED = 256
_decoded_values: dict[bytes, Any] = {}
process_state.register("lede.core.cache.decoded_values", _decoded_values.clear)


def _frozen(value: Any) -> bool:
    params = getattr(type(value), "__dataclass_params__", None)
    return bool(params is not None and params.frozen)


def _decoded(raw: bytes, loads: Callable[[bytes], Any]) -> Any:
    value = _decoded_values.get(raw)
    if value is None:
        value = loads(raw)
        if _frozen(value):
            if len(_decoded_values) >= MAX_DECODED:
                _decoded_values.clear()
            _decoded_values[raw] = value
    return value


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedRedisCacheClient

    @property
    def shared_client(self) -> SharedRedisCacheClient:
        return cast(SharedRedisCacheClient, self._cache)

    def _loop_reader(self) -> LoopReader:
        client = self.shared_client
        server = client._server(write=False)
        found = _loop_readers.get(server)
        if found is None:
            # The time-outs of the process's sync pool (settings' OPTIONS).
            options = client._pool_options
            found = _loop_readers.setdefault(
                server,
                LoopReader(
                    server,
                    connect_seconds=float(options.get("socket_connect_timeout") or 1.0),
                    reply_seconds=float(options.get("socket_timeout") or 1.0),
                ),
            )
        return found

    async def get_many_on_loop(self, keys: list[str]) -> dict[str, Any]:
        """``get_many`` for code running on the event loop (the ASGI front of
        lede/paywall/front.py): one MGET through the loop's own connection
        (lede/core/loop_redis.py), so the loop serves other requests while
        Redis answers. Django's own ``aget_many``
        runs the sync call in a thread, the hop this exists to avoid. While
        Redis is unreachable (or was, a moment ago) it reads nothing and
        returns ``{}``: the caller then takes the sync road, which knows the
        outage rules (misses, replayed invalidations)."""
        client = self.shared_client
        outage = client.outage
        if outage.down_until:
            return {}
        made = [self.make_key(key) for key in keys]
        try:
            values = await self._loop_reader().mget(made)
        except ConnectionError as exc:
            outage.failed(exc)
            return {}
        loads = client._serializer.loads
        return {
            key: _decoded(value, loads)
            for key, value in zip(keys, values, strict=True)
            if value is not None
        }

    def check(self) -> None:
        self.shared_client.check()
