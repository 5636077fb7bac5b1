from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from lede.core.testing import factories as f


@pytest.fixture
def desk(db: Any) -> dict[str, Any]:
    """Two sections (one nested) and a photo, enough for the live feed."""
    monde = f.make_section("International")
    proche = f.make_section("Afrique du Nord", parent=monde)
    maroc = f.make_section("Maroc")
    photo = f.make_image("Rabat", caption="La place au matin", credit="Nadia Idrissi / AFP")
    return {"monde": monde, "proche": proche, "maroc": maroc, "photo": photo}


@pytest.fixture
def asgi_app() -> Iterator[ASGIHandler]:
    """Django's real ASGI handler, keeping the test's database connection open
    (as Django's test client does) so the test transaction survives requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield ASGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class SSEClient:
    """A minimal HTTP client speaking ASGI to the app: one streamed response."""

    def __init__(
        self,
        app: Any,
        path: str,
        query: str = "",
        headers: list[tuple[bytes, bytes]] | None = None,
        client: tuple[str, int] = ("127.0.0.1", 40000),
    ) -> None:
        self.app = app
        self.path = path
        self.query = query
        self.client = client
        self.headers = [(b"host", b"testserver"), *(headers or [])]
        self.receive_queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.send_queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.buffer = b""
        self.status = 0
        self.response_headers: dict[str, str] = {}
        self.task: asyncio.Task[Any] | None = None
        self.finished = False

    async def connect(self, timeout: float = 10) -> SSEClient:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": self.query.encode(),
            "root_path": "",
            "headers": self.headers,
            "client": self.client,
            "server": ("testserver", 80),
        }
        await self.receive_queue.put({"type": "http.request", "body": b"", "more_body": False})
        self.task = asyncio.create_task(
            self.app(scope, self.receive_queue.get, self.send_queue.put)
        )
        start = await asyncio.wait_for(self.send_queue.get(), timeout)
        assert start["type"] == "http.response.start"
        self.status = start["status"]
        self.response_headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        # Django sends the headers before it iterates the stream, and the stream
        # joins the hub on its first iteration: wait for its first bytes (kept
        # in the buffer) so that what a test publishes next cannot race it.
        if self.status == 200:
            while not self.buffer and not self.finished:
                await self._read(timeout)
        return self

    async def _read(self, timeout: float) -> bool:
        message = await asyncio.wait_for(self.send_queue.get(), timeout)
        self.buffer += message.get("body", b"")
        if not message.get("more_body", False):
            self.finished = True
        return not self.finished

    async def next_block(self, timeout: float = 10) -> str:
        """The next raw SSE block (event, comment or retry), without its blank line."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while b"\n\n" not in self.buffer:
            if self.finished:
                raise EOFError("stream ended")
            await self._read(max(0.001, deadline - loop.time()))
        block, self.buffer = self.buffer.split(b"\n\n", 1)
        return block.decode()

    async def next_event(self, timeout: float = 10) -> dict[str, Any]:
        """The next real event (comments and retry lines skipped)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            block = await self.next_block(max(0.001, deadline - loop.time()))
            event = parse_block(block)
            if "event" in event or "data" in event:
                return event

    async def body(self, timeout: float = 10) -> bytes:
        while not self.finished:
            await self._read(timeout)
        return self.buffer

    async def disconnect(self, timeout: float = 10) -> None:
        await self.receive_queue.put({"type": "http.disconnect"})
        if self.task is not None:
            await asyncio.wait_for(self.task, timeout)


def parse_block(block: str) -> dict[str, Any]:
    event: dict[str, Any] = {}
    for line in block.split("\n"):
        if not line or line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "id":
            event["id"] = int(value)
        elif name == "event":
            event["event"] = value
        elif name == "data":
            event["data"] = json.loads(value)
        elif name == "retry":
            event["retry"] = int(value)
    return event


class OwnRedis:
    """A private redis-server on a free loopback port (never the machine's)."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    if not (shutil.which("redis-server") or os.path.exists("/usr/bin/redis-server")):
        pytest.skip("redis-server is not installed")
    server = OwnRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()
