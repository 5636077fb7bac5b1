"""Faults on the application's stream: Redis restarted during a live event."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from lede.livefeed import services
from lede.livefeed.broker import current_hub

from .conftest import OwnRedis, SSEClient

pytestmark = pytest.mark.django_db


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
