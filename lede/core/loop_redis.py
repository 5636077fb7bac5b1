"""Redis reads for the event loop: one connection per loop, requests pipelined.

The ASGI front (lede/paywall/front.py) reads a handful of keys per article
request with one MGET while the loop serves other requests. redis-py's
asyncio client does that correctly but slowly for this use: a connection
taken from a pool and given back, a lock, a retry wrapper, a time-out task
and a stream reader per command. Measured with granian (2 workers) answering
a fixed page after one MGET of seven keys: 5,100 requests/s with
``redis.asyncio``, 8,900 with this reader, against 5,800 with the sync client
blocking the loop (2026-12-07, bench/RESULTS.md "The Python path").

This is the smallest thing that does the job, written by hand because no
maintained library offers it: one connection per event loop, each command
written as soon as it is asked for, replies matched to callers in order
(Redis answers a connection's commands in the order it received them), parsed
by hiredis (which redis-py already uses). Concurrent requests thus share one
socket and their commands travel together. Read-only use: no transactions, no
pub/sub, nothing that changes the connection's state after ``SELECT``.

Failures are plain: a connection that cannot be made within the connect
time-out, or a reply that does not come within the socket time-out, or a
lost connection fails every waiting call with ``ConnectionError`` and the
connection is dropped (the next call makes a new one). The cache backend
(lede/core/cache.py) turns that into a miss and records the outage.
"""

from __future__ import annotations

import asyncio
import collections
import time
from typing import Any

import hiredis
from redis.connection import parse_url


def _command(*args: bytes | str) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else arg.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


class _Connection(asyncio.Protocol):
    def __init__(self, reply_seconds: float) -> None:
        self.reply_seconds = reply_seconds
        self.reader = hiredis.Reader()
        # (future, when asked) of every command written and not yet answered.
        self.waiting: collections.deque[tuple[asyncio.Future[Any], float]] = collections.deque()
        self.transport: asyncio.Transport | None = None
        self.watchdog: asyncio.TimerHandle | None = None
        self.broken = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while self.waiting:
            reply = self.reader.gets()
            if reply is False:
                return
            future, _asked = self.waiting.popleft()
            if future.done():
                continue  # its caller gave up
            if isinstance(reply, hiredis.ReplyError):
                future.set_exception(ConnectionError(str(reply)))
            else:
                future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.fail(exc or ConnectionError("Redis closed the connection"))

    def fail(self, exc: BaseException) -> None:
        self.broken = True
        if self.watchdog is not None:
            self.watchdog.cancel()
            self.watchdog = None
        while self.waiting:
            future, _asked = self.waiting.popleft()
            if not future.done():
                future.set_exception(ConnectionError(str(exc) or type(exc).__name__))
        if self.transport is not None:
            self.transport.abort()

    def call(self, loop: asyncio.AbstractEventLoop, payload: bytes) -> asyncio.Future[Any]:
        future = loop.create_future()
        if self.broken or self.transport is None:
            future.set_exception(ConnectionError("Redis connection lost"))
            return future
        self.waiting.append((future, time.monotonic()))
        self.transport.write(payload)
        if self.watchdog is None:
            self.watchdog = loop.call_later(self.reply_seconds, self._check, loop)
        return future

    def _check(self, loop: asyncio.AbstractEventLoop) -> None:
        """One timer for all waiting calls (cheaper than one per call): the
        oldest unanswered command past its time fails the connection."""
        self.watchdog = None
        if not self.waiting:
            return
        late = time.monotonic() - self.waiting[0][1]
        if late >= self.reply_seconds:
            self.fail(TimeoutError(f"Redis did not answer within {self.reply_seconds} s"))
            return
        self.watchdog = loop.call_later(self.reply_seconds - late, self._check, loop)


class LoopReader:
    """Reads from one Redis server (a ``redis://`` or ``unix://`` URL) for
    code on an event loop; one per process and server, usable from any loop."""

    def __init__(self, url: str, *, connect_seconds: float, reply_seconds: float) -> None:
        self.options = parse_url(url)
        self.connect_seconds = connect_seconds
        self.reply_seconds = reply_seconds
        # Per loop: its connection, or the task making it.
        self._connections: dict[int, tuple[asyncio.AbstractEventLoop, Any]] = {}

    async def _connection(self, loop: asyncio.AbstractEventLoop) -> _Connection:
        found = self._connections.get(id(loop))
        if found is not None and found[0] is loop:
            held = found[1]
            if isinstance(held, _Connection):
                if not held.broken:
                    return held
            else:
                return await asyncio.shield(held)  # being made by another caller
        making = loop.create_task(self._connect(loop))
        self._connections[id(loop)] = (loop, making)
        try:
            connection = await asyncio.shield(making)
        except BaseException:
            self._connections.pop(id(loop), None)
            raise
        self._connections[id(loop)] = (loop, connection)
        return connection

    async def _connect(self, loop: asyncio.AbstractEventLoop) -> _Connection:
        options = self.options

        def protocol() -> _Connection:
            return _Connection(self.reply_seconds)

        try:
            async with asyncio.timeout(self.connect_seconds):
                if "path" in options:
                    _t, connection = await loop.create_unix_connection(protocol, options["path"])
                else:
                    _t, connection = await loop.create_connection(
                        protocol, options.get("host", "localhost"), options.get("port", 6379)
                    )
                setup: list[bytes] = []
                if options.get("password") is not None:
                    auth = [options["username"]] if options.get("username") else []
                    setup.append(_command("AUTH", *auth, options["password"]))
                if options.get("db"):
                    setup.append(_command("SELECT", str(options["db"])))
                for payload in setup:
                    await connection.call(loop, payload)
        except TimeoutError as exc:
            raise ConnectionError(
                f"no connection to Redis within {self.connect_seconds} s"
            ) from exc
        except OSError as exc:
            raise ConnectionError(str(exc)) from exc
        return connection

    async def mget(self, keys: list[str]) -> list[bytes | None]:
        loop = asyncio.get_running_loop()
        connection = await self._connection(loop)
        reply: list[bytes | None] = await connection.call(loop, _command("MGET", *keys))
        return reply
