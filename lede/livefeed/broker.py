"""Fan-out of live feed events to the SSE streams of this process.

The :class:`FeedEvent` table is the source of truth; the broker only says
"something new was committed". Each server process runs one :class:`Hub` (per
event loop) while at least one SSE stream is open:

* it reads the new events from the database (one query per wake-up, whatever
  the number of readers), renders them once, and puts them on the queue of
  every subscribed stream;
* it wakes up when this process commits a change (:func:`notify`), when a
  message arrives on the Redis channel (``REDIS_URL`` set: another process
  committed a change), and every ``LEDE_SSE_POLL_INTERVAL`` seconds anyway
  (0.25 s; 5 s with Redis), so a change made by a management command or a
  worker without Redis still arrives within a fraction of a second;
* it sends the heartbeat (``LEDE_SSE_HEARTBEAT``, 15 s) to every stream with one
  timer;
* it stops (task cancelled, Redis connection closed) when the last stream goes.

:func:`notify` is synchronous and safe to call from any thread, with or without
an event loop: services call it from ``transaction.on_commit``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import threading
import time
import weakref
from collections.abc import Iterable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings

from lede.core import process_state

from . import events
from .events import Payload

logger = logging.getLogger(__name__)

QUEUE_SIZE = 256
#: Ids seen in this window are remembered, so a transaction that committed late
#: (a lower id arriving after a higher one, on PostgreSQL) is still delivered once.
LATE_COMMIT_WINDOW = 30.0
REDIS_READ_TIMEOUT = 0.5


def channel() -> str:
    return str(settings.LEDE_SSE_CHANNEL)


def redis_url() -> str:
    return str(settings.REDIS_URL or "")


def poll_interval() -> float:
    return float(settings.LEDE_SSE_POLL_INTERVAL)


def heartbeat_interval() -> float:
    return float(settings.LEDE_SSE_HEARTBEAT)


# --- publishing (sync, any thread) -----------------------------------------------

_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()
_hubs_lock = threading.Lock()
_redis_clients: dict[str, Any] = {}


def notify(event_ids: Iterable[int] = ()) -> None:
    """Tell every hub that events were committed (this process directly, the
    others through Redis when configured). Never raises: the events are in the
    database and the hubs' polling will find them anyway."""
    ids = [int(i) for i in event_ids]
    with _hubs_lock:
        hubs = list(_hubs.values())
    for hub in hubs:
        with contextlib.suppress(RuntimeError):  # loop closed meanwhile
            hub.loop.call_soon_threadsafe(hub.wake)
    url = redis_url()
    if url:
        try:
            _sync_redis(url).publish(channel(), json.dumps({"ids": ids}))
        except Exception:
            logger.warning("livefeed: could not publish to Redis", exc_info=True)


def _forget_clients() -> None:
    """Close the publishing clients (made again on demand) and forget the hubs
    of event loops that are closed; hubs of running loops stay, their streams
    still need them."""
    for client in list(_redis_clients.values()):
        with contextlib.suppress(Exception):
            client.close()
    _redis_clients.clear()
    with _hubs_lock:
        for loop in [loop for loop in _hubs if loop.is_closed()]:
            del _hubs[loop]


process_state.register("lede.livefeed.broker.clients", _forget_clients)


def _sync_redis(url: str) -> Any:
    client = _redis_clients.get(url)
    if client is None:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        _redis_clients[url] = client
    return client


# --- subscribing (async) ---------------------------------------------------------


class _Tick:
    """A heartbeat on a subscription's queue."""


TICK = _Tick()


class Subscription:
    """One SSE stream's place in the hub: a bounded queue of payloads.

    ``None`` on the queue means the stream fell too far behind: it should end,
    and the browser reconnects with ``Last-Event-ID`` to replay from the database.
    """

    def __init__(self, blog_id: int | None, language: str = "fr", address: str = "") -> None:
        self.blog_id = blog_id
        self.language = language
        self.address = address
        self.queue: asyncio.Queue[Payload | _Tick | None] = asyncio.Queue(maxsize=QUEUE_SIZE)

    def offer(self, payload: Payload) -> None:
        if payload.blog_id != self.blog_id:
            return
        if payload.blog_id is None and payload.language != self.language:
            return  # the other edition's feed
        try:
            self.queue.put_nowait(payload)
        except asyncio.QueueFull:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(None)

    def tick(self) -> None:
        if self.queue.empty():  # a stream with events queued needs no heartbeat
            self.queue.put_nowait(TICK)

    async def batch(self) -> list[Payload] | None:
        """Wait, then take everything queued: the payloads (an empty list for a
        heartbeat), or ``None`` if the stream was cut off."""
        items = [await self.queue.get()]
        while not self.queue.empty():
            items.append(self.queue.get_nowait())
        if any(item is None for item in items):
            return None
        return [item for item in items if item is not None and not isinstance(item, _Tick)]


class TooManyStreams(Exception):
    """This address already holds ``LEDE_SSE_MAX_PER_IP`` streams in this process."""


def max_per_address() -> int:
    return int(settings.LEDE_SSE_MAX_PER_IP)


class Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.subscribers: set[Subscription] = set()
        #: Open streams per client address (the per-IP cap).
        self.per_address: dict[str, int] = {}
        self.last_seen = 0
        self._seen: dict[int, float] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping: asyncio.Task[None] | None = None
        self._start_lock = asyncio.Lock()
        #: Set while the Redis subscription is active (diagnostics and tests).
        self.redis_ready = asyncio.Event()

    @property
    def subscriber_count(self) -> int:
        return len(self.subscribers)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def idle(self) -> bool:
        """Stopped, and done stopping (Redis and the database connection released)."""
        return not self.running and (self._stopping is None or self._stopping.done())

    def wake(self) -> None:
        self._wake.set()

    def admit(self, address: str) -> None:
        """Raise :class:`TooManyStreams` if ``address`` holds its share already."""
        cap = max_per_address()
        if address and cap and self.per_address.get(address, 0) >= cap:
            raise TooManyStreams(address)

    async def subscribe(
        self, blog_id: int | None = None, *, language: str = "fr", address: str = ""
    ) -> Subscription:
        """Join the fan-out; raises :class:`TooManyStreams` when ``address``
        already holds its share of this process's streams."""
        self.admit(address)
        sub = Subscription(blog_id, language, address)
        # Join first: whatever is committed from now on reaches this queue.
        self.subscribers.add(sub)
        if address:
            self.per_address[address] = self.per_address.get(address, 0) + 1
        try:
            await self._ensure_started()
        except BaseException:
            self.unsubscribe(sub)
            raise
        return sub

    def unsubscribe(self, sub: Subscription) -> asyncio.Task[None] | None:
        """Leave the hub; the last one out stops it. Returns the stopping task."""
        if sub in self.subscribers and sub.address:
            left = self.per_address.get(sub.address, 1) - 1
            if left > 0:
                self.per_address[sub.address] = left
            else:
                self.per_address.pop(sub.address, None)
        self.subscribers.discard(sub)
        if self.subscribers or self._task is None:
            return None
        task, self._task = self._task, None
        task.cancel()
        self._stopping = task
        return task

    async def leave(self, sub: Subscription) -> None:
        """:meth:`unsubscribe`, then wait (briefly) for the hub to be stopped."""
        task = self.unsubscribe(sub)
        if task is not None:
            await asyncio.wait([task], timeout=2)

    async def _ensure_started(self) -> None:
        if self.running:
            return
        async with self._start_lock:
            if self.running or not self.subscribers:
                return
            last, recent = await sync_to_async(events.initial_state)(LATE_COMMIT_WINDOW)
            now = time.monotonic()
            self.last_seen = last
            self._seen = {i: now for i in recent}
            self._wake.clear()
            # A fresh context: the pump must not inherit the first request's
            # thread-sensitive context (its thread goes away with the request).
            self._task = self.loop.create_task(self._pump(), context=contextvars.Context())

    async def _pump(self) -> None:
        listener = self.loop.create_task(self._listen_redis()) if redis_url() else None
        interval = poll_interval()
        heartbeat = heartbeat_interval()
        now = self.loop.time()
        next_poll, next_beat = now + interval, now + heartbeat
        try:
            while True:
                woken = False
                timeout = max(0.0, min(next_poll, next_beat) - self.loop.time())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=timeout)
                    woken = True
                now = self.loop.time()
                if woken or now >= next_poll:
                    self._wake.clear()
                    await self._fetch_and_deliver()
                    next_poll = self.loop.time() + interval
                if now >= next_beat:
                    # One timer for every stream (comment lines keep proxies from
                    # closing idle connections).
                    for sub in list(self.subscribers):
                        sub.tick()
                    next_beat = now + heartbeat
        finally:
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await listener
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sync_to_async(events.release_connection)()

    async def _fetch_and_deliver(self) -> None:
        now = time.monotonic()
        self._seen = {i: t for i, t in self._seen.items() if now - t < 2 * LATE_COMMIT_WINDOW}
        try:
            payloads, last = await sync_to_async(events.load_new)(
                self.last_seen, frozenset(self._seen), LATE_COMMIT_WINDOW
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.warning("livefeed: could not read new events", exc_info=True)
            await sync_to_async(events.release_connection)()
            return
        self.last_seen = max(self.last_seen, last)
        for payload in payloads:
            self._seen[payload.id] = now
            for sub in list(self.subscribers):
                sub.offer(payload)

    async def _listen_redis(self) -> None:
        from redis import asyncio as aioredis

        delay = 1.0
        while True:
            client = aioredis.from_url(redis_url())
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(channel())
                self.redis_ready.set()
                delay = 1.0
                self.wake()  # anything committed while we were (re)connecting
                while True:
                    # redis-py can swallow a cancellation that lands while it
                    # connects: look at the task's state between short reads.
                    _raise_if_cancelling()
                    message = await pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=REDIS_READ_TIMEOUT
                    )
                    if message is not None and message.get("type") == "message":
                        self.wake()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep polling, retry later
                logger.warning("livefeed: Redis pub/sub unavailable, retrying in %.0f s", delay)
            finally:
                self.redis_ready.clear()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


def _raise_if_cancelling() -> None:
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def get_hub() -> Hub:
    """The hub of the running event loop (created on first use)."""
    loop = asyncio.get_running_loop()
    with _hubs_lock:
        hub = _hubs.get(loop)
        if hub is None:
            hub = Hub(loop)
            _hubs[loop] = hub
    return hub


def all_hubs() -> list[Hub]:
    with _hubs_lock:
        return list(_hubs.values())


def current_hub() -> Hub | None:
    """The running loop's hub if one exists (for tests and diagnostics)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    with _hubs_lock:
        return _hubs.get(loop)
