"""The Redis cache backend shares its connections across threads."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest

from lede.core.cache import RedisCache

REDIS_URL = os.environ.get("REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (uses its database 7)")


def _url() -> str:
    base = REDIS_URL.rsplit("/", 1)[0] if REDIS_URL.count("/") > 2 else REDIS_URL.rstrip("/")
    return f"{base}/7"


@needs_redis
def test_one_pool_and_one_client_for_every_thread() -> None:
    seen: list[tuple[Any, Any]] = []

    def use() -> None:
        # Django makes one cache object per thread: so do we here.
        cache = RedisCache(_url(), {"KEY_PREFIX": "lede-cache-test"})
        cache.set("shared", threading.get_ident(), 30)
        assert cache.get("shared") is not None
        assert cache.get_many(["shared", "absent"]).keys() == {"shared"}
        client = cache._cache.get_client(write=False)
        seen.append((client, client.connection_pool))

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8
    assert len({id(client) for client, _pool in seen}) == 1
    assert len({id(pool) for _client, pool in seen}) == 1
    # Eight threads, one after the other mostly: far fewer connections than calls.
    assert len(seen[0][1]._available_connections) + len(seen[0][1]._in_use_connections) <= 8
    RedisCache(_url(), {"KEY_PREFIX": "lede-cache-test"}).delete("shared")


@needs_redis
def test_other_servers_or_options_get_their_own_pool() -> None:
    one = RedisCache(_url(), {})._cache.get_client(write=True)
    two = RedisCache(_url(), {"OPTIONS": {"socket_timeout": 3}})._cache.get_client(write=True)
    assert one is not two
    assert one.connection_pool is not two.connection_pool
