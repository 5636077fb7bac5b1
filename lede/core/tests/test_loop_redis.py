"""The event loop's Redis reader (lede/core/loop_redis.py), against the
machine's real Redis and against servers that misbehave on purpose."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis

from lede.core.loop_redis import LoopReader, _command

REDIS = "redis://127.0.0.1:6379/15"


def _run(scenario: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """On a fresh loop in a thread of its own (Playwright may have left a
    loop on the main thread)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-loop") as driver:
        return driver.submit(lambda: asyncio.run(scenario())).result()


@pytest.fixture
def keys() -> Any:
    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.ConnectionError:  # pragma: no cover - the machine and CI run Redis
        pytest.fail("these tests need the Redis server at 127.0.0.1:6379")
    prefix = f"loop-reader-test:{uuid.uuid4().hex}:"
    yield client, prefix
    for key in client.scan_iter(prefix + "*"):
        client.delete(key)


def test_mget_reads_values_in_order_and_misses_as_none(keys: Any) -> None:
    client, prefix = keys
    client.set(prefix + "a", b"un")
    client.set(prefix + "c", "trois é".encode())
    reader = LoopReader(REDIS, connect_seconds=1, reply_seconds=1)

    async def scenario() -> Any:
        return await reader.mget([prefix + "a", prefix + "b", prefix + "c"])

    assert _run(scenario) == [b"un", None, "trois é".encode()]


def test_the_database_of_the_url_is_selected(keys: Any) -> None:
    client, prefix = keys
    client.set(prefix + "here", b"15")
    elsewhere = LoopReader("redis://127.0.0.1:6379/14", connect_seconds=1, reply_seconds=1)
    here = LoopReader(REDIS, connect_seconds=1, reply_seconds=1)

    async def scenario() -> Any:
        return await elsewhere.mget([prefix + "here"]), await here.mget([prefix + "here"])

    assert _run(scenario) == ([None], [b"15"])


def test_concurrent_reads_share_one_connection_and_each_gets_its_own_reply(keys: Any) -> None:
    client, prefix = keys
    for n in range(200):
        client.set(f"{prefix}{n}", str(n))
    reader = LoopReader(REDIS, connect_seconds=1, reply_seconds=5)

    made = []
    connect = reader._connect

    async def counting_connect(loop: asyncio.AbstractEventLoop) -> Any:
        made.append(loop)
        return await connect(loop)

    reader._connect = counting_connect  # type: ignore[method-assign]

    async def scenario() -> Any:
        return await asyncio.gather(*(reader.mget([f"{prefix}{n}"]) for n in range(200)))

    assert _run(scenario) == [[str(n).encode()] for n in range(200)]
    assert len(made) == 1  # 200 callers at once, one connection made


async def _server(handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Any]) -> Any:
    return await asyncio.start_server(handle, "127.0.0.1", 0)


def test_a_server_that_never_answers_fails_the_call_within_the_reply_time() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1 << 16)
        await asyncio.Event().wait()  # never answers

    async def scenario() -> Any:
        server = await _server(silent)
        port = server.sockets[0].getsockname()[1]
        loop_reader = LoopReader(
            f"redis://127.0.0.1:{port}/0", connect_seconds=1, reply_seconds=0.2
        )
        try:
            async with asyncio.timeout(10):  # a deadline, not a measure
                with pytest.raises(ConnectionError, match="did not answer"):
                    await loop_reader.mget(["x"])
        finally:
            server.close()

    _run(scenario)


def test_a_lost_connection_fails_its_calls_and_the_next_call_reconnects(keys: Any) -> None:
    client, prefix = keys
    client.set(prefix + "k", b"v")
    reader = LoopReader(REDIS, connect_seconds=1, reply_seconds=30)
    name = f"loop-reader-{uuid.uuid4().hex}"

    async def scenario() -> Any:
        assert await reader.mget([prefix + "k"]) == [b"v"]
        loop = asyncio.get_running_loop()
        connection = next(iter(reader._connections.values()))[1]
        await connection.call(loop, _command("CLIENT", "SETNAME", name))
        # A call waiting on the server (a blocking pop) when Redis drops the
        # connection, as a restart would.
        waiting = connection.call(loop, _command("BLPOP", prefix + "nothing", "20"))
        killed = [e["id"] for e in client.client_list() if e.get("name") == name]
        assert len(killed) == 1
        client.client_kill_filter(_id=killed[0])
        with pytest.raises(ConnectionError):
            async with asyncio.timeout(10):  # a deadline, not a measure
                await waiting
        assert connection.broken
        return await reader.mget([prefix + "k"])

    assert _run(scenario) == [b"v"]


def test_no_server_is_a_connection_error() -> None:
    async def scenario() -> Any:
        server = await _server(lambda r, w: None)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        reader = LoopReader(f"redis://127.0.0.1:{port}/0", connect_seconds=1, reply_seconds=1)
        with pytest.raises(ConnectionError):
            await reader.mget(["x"])

    _run(scenario)
