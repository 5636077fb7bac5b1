"""The ASGI handler lends each request a thread from a pool (lede/core/asgi.py)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from asgiref.sync import async_to_sync
from django.core.signals import request_started

from lede.core.asgi import ExecutorPool, LedeASGIHandler


async def _get(app: Any, path: str) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []
    received = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if received.is_set():
            await asyncio.sleep(3600)  # no disconnect while the response is sent
        received.set()
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


def _run(scenario: Any) -> None:
    """Run an async scenario from a thread of its own: the browser tests'
    Playwright leaves an event loop set on the main thread."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-driver") as driver:
        driver.submit(async_to_sync(scenario)).result()


def test_requests_reuse_threads_and_never_share_one_at_a_time() -> None:
    threads: list[threading.Thread] = []

    def record(**kwargs: Any) -> None:
        threads.append(threading.current_thread())

    request_started.connect(record)
    pool = ExecutorPool(max_idle=2)
    app = LedeASGIHandler(pool)
    try:

        async def scenario() -> None:
            for _ in range(3):  # one after the other: the same thread
                assert await _get(app, "/healthz") == (200, b'{"status": "ok"}')
            # Four at once: four threads, of which two are kept afterwards.
            results = await asyncio.gather(*(_get(app, "/healthz") for _ in range(4)))
            assert [status for status, _body in results] == [200] * 4

        _run(scenario)
    finally:
        request_started.disconnect(record)
    assert len(threads) == 7
    assert all(thread.name.startswith("lede-request") for thread in threads)
    assert len(set(threads[:3])) == 1
    assert len(set(threads[3:])) == 4  # never two requests on one thread at once
    assert pool.idle == 2


def test_other_scopes_are_refused_as_django_does() -> None:
    import pytest

    async def scenario() -> None:
        await LedeASGIHandler()({"type": "websocket"}, None, None)

    with pytest.raises(ValueError, match="only handle ASGI/HTTP"):
        _run(scenario)
