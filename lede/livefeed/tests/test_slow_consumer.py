"""A reader that stops reading is cut off (LEDE_SSE_SEND_TIMEOUT,
lede/core/send_deadline.py): its stream's generator is closed, its slot and
its place in the hub are freed, its connection is reset, and it is logged and
counted, while the other readers keep receiving every dispatch."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from lede.core.asgi import LedeASGIHandler
from lede.core.observability import metrics
from lede.livefeed import services
from lede.livefeed.broker import current_hub

from .conftest import SSEClient

#: A dispatch body at the 2,000-character maximum (BODY_MAX_CHARS): ~3 KB frames.
LONG_BODY = ("Une longue dépêche pour remplir les tampons. " * 60)[:1990]


def _cut_count(connection: str) -> float:
    return metrics.SSE_SEND_TIMEOUTS.labels(connection)._value.get()


@pytest.fixture
def lede_app() -> Iterator[LedeASGIHandler]:
    """The handler config.asgi serves, keeping the test's database connection
    open (as Django's test client does) so the test transaction survives."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield LedeASGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class _FullBuffers(asyncio.Queue[dict[str, Any]]):
    """The server's side of a stuck connection: it takes ``capacity`` bytes of
    body, then its ``put`` (the application's ``send``) never returns."""

    def __init__(self, capacity: int) -> None:
        super().__init__()
        self.capacity = capacity
        self.taken = 0
        self.jammed = asyncio.Event()

    async def put(self, message: dict[str, Any]) -> None:
        body = message.get("body", b"")
        if self.taken + len(body) > self.capacity:
            self.jammed.set()
            await asyncio.get_running_loop().create_future()  # never done
        self.taken += len(body)
        await super().put(message)


class _NeverCloses(asyncio.Queue[dict[str, Any]]):
    """The request, then nothing: a stuck reader does not close its connection."""

    async def get(self) -> dict[str, Any]:
        if self.empty():
            await asyncio.get_running_loop().create_future()  # never done
        return await super().get()


class StuckClient(SSEClient):
    """What the application sees of a reader that stopped reading: once the
    buffers between them are full, its ``send`` never returns."""

    def __init__(self, app: Any, path: str, *, capacity: int, client: tuple[str, int]) -> None:
        super().__init__(app, path, client=client)
        self.send_queue = self.buffers = _FullBuffers(capacity)
        self.receive_queue = _NeverCloses()


@pytest.mark.django_db
def test_a_stuck_reader_is_cut_and_frees_its_slot(
    lede_app: LedeASGIHandler,
    desk: dict[str, Any],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.LEDE_SSE_POLL_INTERVAL = 30  # the publications wake the hub
    settings.LEDE_SSE_CHANNEL = f"lede:livefeed:test:{uuid.uuid4().hex}"
    settings.LEDE_SSE_SEND_TIMEOUT = 0.2
    settings.LEDE_SSE_MAX_PER_IP = 1
    before = _cut_count("not_found")

    def publish(headline: str) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return services.dispatch_publish(headline=headline, body=LONG_BODY, credit="Lede")

    async def scenario() -> None:
        stuck = StuckClient(lede_app, "/newsroom/flux/", capacity=8_000, client=("127.0.0.9", 1))
        await stuck.connect()
        reader = await SSEClient(lede_app, "/newsroom/flux/").connect()
        hub = current_hub()
        assert hub is not None and hub.subscriber_count == 2
        published = [await sync_to_async(publish)(f"Dépêche {i}") for i in range(5)]
        await asyncio.wait_for(stuck.buffers.jammed.wait(), 10)
        # Cut: the application's call returns, the generator's finally ran.
        await asyncio.wait_for(stuck.task, 10)  # type: ignore[arg-type]
        assert hub.subscriber_count == 1
        assert hub.per_address == {"127.0.0.1": 1}
        # The reader got everything, and goes on.
        got = [(await reader.next_event())["data"]["dispatch"] for _ in published]
        assert got == [d.pk for d in published]
        after = await sync_to_async(publish)("Après la coupure")
        assert (await reader.next_event())["data"]["dispatch"] == after.pk
        await reader.disconnect()

    with caplog.at_level(logging.WARNING, logger="lede.core.send_deadline"):
        async_to_sync(scenario)()
    # No socket behind this fake server: nothing to reset, the count says so.
    assert _cut_count("not_found") == before + 1
    cuts = [r.getMessage() for r in caplog.records if r.name == "lede.core.send_deadline"]
    assert cuts == [
        "SSE stream /newsroom/flux/ cut: the client took no data for 0.2 s "
        "(connection not found, left to the server)"
    ]
