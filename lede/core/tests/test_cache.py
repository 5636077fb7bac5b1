"""The Redis cache backend shares its connections across threads, and keeps
the site serving when Redis is unreachable."""

from __future__ import annotations

import asyncio
import os
import selectors
import shutil
import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import redis

from lede.core import cache as cache_module
from lede.core import process_state
from lede.core.cache import RedisCache

REDIS_URL = os.environ.get("REDIS_URL", "")


def _url() -> str:
    base = REDIS_URL.rsplit("/", 1)[0] if REDIS_URL.count("/") > 2 else REDIS_URL.rstrip("/")
    return f"{base}/7"


@pytest.mark.redis  # uses database 7 of REDIS_URL
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


@pytest.mark.redis  # uses database 7 of REDIS_URL
def test_other_servers_or_options_get_their_own_pool() -> None:
    one = RedisCache(_url(), {})._cache.get_client(write=True)
    two = RedisCache(_url(), {"OPTIONS": {"socket_timeout": 3}})._cache.get_client(write=True)
    assert one is not two
    assert one.connection_pool is not two.connection_pool


# --- Redis unreachable: the cache misses, the site keeps serving ---------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cache(port: int) -> RedisCache:
    return RedisCache(
        f"redis://127.0.0.1:{port}/0",
        {
            "KEY_PREFIX": "lede-outage-test",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    )


@pytest.fixture
def fresh_outages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "_outages", {})


def test_unreachable_redis_reads_miss_and_writes_are_dropped(
    fresh_outages: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = _cache(_free_port())  # nothing listens there
    errors_before = _cache_errors()
    assert cache.get("absent", "défaut") == "défaut"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("a") is False
    assert cache.add("a", 1) is False
    cache.set("a", 1)
    cache.set_many({"a": 1, "b": 2})
    assert cache.incr("generation") == 0
    assert cache.delete("stale") is False
    cache.delete_many(["old-1", "old-2"])
    pending = [op for op, _key in cache.shared_client.outage.pending]
    assert pending == ["incr", "delete", "delete", "delete"]
    with pytest.raises(redis.exceptions.ConnectionError):
        cache.check()  # /readyz is told the truth
    # Redis was tried once; for RETRY_AFTER seconds no call tries again.
    assert _cache_errors() == errors_before + 1
    tried: list[bool] = []

    def connect(write: bool) -> tuple[None, None]:
        tried.append(write)
        return None, None

    monkeypatch.setattr(cache._cache, "_shared_pool_and_client", connect)
    assert cache.get("absent") is None
    assert tried == []


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_invalidations_missed_during_an_outage_are_replayed(
    fresh_outages: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A Redis that stops answering and comes back with its data must not keep
    what was invalidated meanwhile (a generation bump, a deleted key)."""
    # The outage's clock is the test's: the retry interval ends when the test says.
    now = [time.monotonic()]
    monkeypatch.setattr(cache_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    port = _free_port()
    server = _redis_server(port, tmp_path)
    try:
        cache = _cache(port)
        cache.set("generation", 5, timeout=None)
        cache.set("stale", "ancien", timeout=None)
        server.send_signal(signal.SIGSTOP)  # alive, data kept, not answering
        try:
            cache.incr("generation")
            cache.delete("stale")
            assert cache.get("generation") is None  # skipped: a miss
        finally:
            server.send_signal(signal.SIGCONT)
        # Answering again: a PING on a connection of its own, waited for.
        probe = redis.Redis(port=port, socket_timeout=10)
        assert probe.ping()
        probe.close()
        now[0] += cache_module.RETRY_AFTER  # the retry interval is over
        assert cache.get("generation") == 6  # the bump was replayed
        assert cache.get("stale") is None
        assert cache.shared_client.outage.pending == {}
    finally:
        server.kill()
        server.wait(timeout=10)


def _redis_server(port: int, directory: Path) -> subprocess.Popen[bytes]:
    """A redis-server of the test's own, returned once its log says it accepts
    connections (or failing after 30 s); the rest of its log is drained by a thread."""
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    assert server.stdout is not None
    log = b""
    deadline = time.monotonic() + 30
    with selectors.DefaultSelector() as selector:
        selector.register(server.stdout, selectors.EVENT_READ)
        while b"Ready to accept connections" not in log:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                server.kill()
                raise TimeoutError("redis-server did not start within 30 s")
            # Unbuffered: what select saw is what is read, nothing waits in a buffer.
            chunk = os.read(server.stdout.fileno(), 65536)
            if not chunk:
                raise RuntimeError(f"redis-server exited ({server.wait()}): {log!r}")
            log += chunk
    threading.Thread(target=server.stdout.read, daemon=True).start()
    return server


def _cache_errors() -> float:
    from lede.core.observability.metrics import CACHE_ERRORS

    return float(CACHE_ERRORS._value.get())


@pytest.mark.django_db
def test_pages_are_served_from_the_database_when_redis_is_down(
    fresh_outages: None, settings: Any, client: Any
) -> None:
    """The production profile's cache and sessions on a Redis that is down:
    readers still get whole pages, a subscriber still reads, only slower."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from lede.core.testing import factories as f
    from lede.paywall.models import AccessGrant

    settings.CACHES = {
        "default": {
            "BACKEND": "lede.core.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    section = f.make_section("Économie")
    body = [("paragraph", f"<p>Le début, partie {i}.</p>") for i in range(4)]
    body.append(("paragraph", "<p>Le texte réservé aux abonnés, en entier.</p>"))
    article = f.make_article(section, "Le port s'agrandit", body=body, access_level="subscribers")
    for _ in range(2):  # a miss, then what would have been the cached copy
        response = client.get(article.url)
        assert response.status_code == 200
        assert b"Le port s'agrandit" in response.content
        assert b"Le texte r\xc3\xa9serv\xc3\xa9 aux abonn\xc3\xa9s" not in response.content
    assert client.get("/").status_code == 200
    assert client.get(section.url).status_code == 200
    user = get_user_model().objects.create_user("abonne@example.ma", "mot-de-passe-2026")
    AccessGrant.objects.create(user=user, starts_at=timezone.now() - timedelta(days=1))
    client.force_login(user)  # the session is kept in the database
    response = client.get(article.url)
    assert response.status_code == 200
    assert b"Le texte r\xc3\xa9serv\xc3\xa9 aux abonn\xc3\xa9s" in response.content
    assert client.get("/readyz").status_code == 503


def test_the_loop_read_misses_while_redis_is_unreachable(fresh_outages: None) -> None:
    """``get_many_on_loop`` (the article front's read) answers nothing when
    Redis is unreachable, records the outage like the sync calls, and then
    does not try Redis at all until the sync road has seen it back."""
    cache = _cache(_free_port())  # nothing listens there
    errors_before = _cache_errors()

    def read() -> dict[str, Any]:
        with ThreadPoolExecutor(max_workers=1) as driver:
            return driver.submit(lambda: asyncio.run(cache.get_many_on_loop(["a", "b"]))).result()

    assert read() == {}
    assert cache.shared_client.outage.down_until > 0
    assert _cache_errors() == errors_before + 1
    assert read() == {}  # not tried again meanwhile
    assert _cache_errors() == errors_before + 1


@dataclass(frozen=True)
class _Frozen:
    title: str
    ids: frozenset[int]


@pytest.mark.redis  # uses database 7 of REDIS_URL
def test_the_loop_read_decodes_a_frozen_value_once_and_anything_else_each_time() -> None:
    cache = RedisCache(_url(), {"KEY_PREFIX": "lede-decoded-test"})
    cache.set("snap", _Frozen("Les oasis", frozenset({1, 2})))
    cache.set("session", {"_auth_user_id": "7"})

    def read() -> dict[str, Any]:
        with ThreadPoolExecutor(max_workers=1) as driver:
            return driver.submit(
                lambda: asyncio.run(cache.get_many_on_loop(["snap", "session"]))
            ).result()

    first, second = read(), read()
    assert first["snap"] == _Frozen("Les oasis", frozenset({1, 2}))
    assert second["snap"] is first["snap"]  # the same bytes: decoded once
    assert second["session"] == first["session"] and second["session"] is not first["session"]
    cache.set("snap", _Frozen("Les oasis, suite", frozenset({1})))
    assert read()["snap"] == _Frozen("Les oasis, suite", frozenset({1}))  # new bytes, new value
    process_state.reset_all()
    assert not cache_module._decoded_values
    cache.delete_many(["snap", "session"])
