"""Faults on the application's stream: Redis restarted during a live event."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from lede.livefeed import services
from lede.livefeed.broker import current_hub

from .conftest import SSEClient

pytestmark = pytest.mark.django_db


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


def test_redis_restarted_during_a_live_event(
    asgi_app: Any,
    desk: dict[str, Any],
    settings: Any,
    own_redis: OwnRedis,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Readers keep getting dispatches while Redis is away (the hub's own
    polling), and the hub subscribes again when Redis is back."""
    settings.REDIS_URL = own_redis.url
    settings.LEDE_SSE_CHANNEL = f"lede:livefeed:test:{uuid.uuid4().hex}"
    settings.LEDE_SSE_POLL_INTERVAL = 0.2

    def publish(headline: str) -> Any:
        with django_capture_on_commit_callbacks(execute=True):  # notify() fails quietly
            return services.dispatch_publish(headline=headline, body="Texte.")

    async def scenario() -> None:
        client = await SSEClient(asgi_app, "/newsroom/flux/").connect()
        await client.next_block()
        hub = current_hub()
        assert hub is not None
        await asyncio.wait_for(hub.redis_ready.wait(), 10)

        await sync_to_async(own_redis.stop)()
        during = await sync_to_async(publish)("Pendant la panne de Redis")
        event = await client.next_event(timeout=15)
        assert event["data"]["dispatch"] == during.pk

        loop = asyncio.get_running_loop()
        deadline = loop.time() + 15
        while hub.redis_ready.is_set():  # the listener has seen Redis go
            assert loop.time() < deadline, "the hub never noticed Redis was gone"
            await asyncio.sleep(0.05)
        await sync_to_async(own_redis.start)()
        await asyncio.wait_for(hub.redis_ready.wait(), 30)  # subscribed again
        after = await sync_to_async(publish)("Après la panne")
        event = await client.next_event(timeout=15)
        assert event["data"]["dispatch"] == after.pk
        await client.disconnect()

    async_to_sync(scenario)()
