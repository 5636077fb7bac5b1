"""The ASGI handler lends each request a thread from a pool (lede/core/asgi.py)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.signals import request_finished, request_started
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config import urls as root_urls
from lede.core.asgi import ExecutorPool, LedeASGIHandler


async def _get(
    app: Any,
    path: str,
    method: str = "GET",
    body: bytes = b"",
    *,
    host: bytes = b"testserver",
    query: bytes = b"",
) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", host)],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []
    received = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if received.is_set():
            await asyncio.sleep(3600)  # no disconnect while the response is sent
        received.set()
        return {"type": "http.request", "body": body, "more_body": False}

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
    async def scenario() -> None:
        await LedeASGIHandler()({"type": "websocket"}, None, None)

    with pytest.raises(ValueError, match="only handle ASGI/HTTP"):
        _run(scenario)


# --- Sync pages in one trip to their thread --------------------------------


@csrf_exempt
def _echo(request: HttpRequest) -> HttpResponse:
    _trail.append(("view", threading.current_thread().name))
    return HttpResponse(b"got " + request.body, content_type="text/plain")


def _download(request: HttpRequest) -> StreamingHttpResponse:
    def chunks() -> Iterator[bytes]:
        for part in (b"un ", b"deux ", b"trois"):
            _trail.append(("chunk", threading.current_thread().name))
            yield part

    return StreamingHttpResponse(chunks(), content_type="text/plain")


async def _async_page(request: HttpRequest) -> HttpResponse:
    _trail.append(("async view", threading.current_thread().name))
    return HttpResponse(b"async")


_trail: list[tuple[str, str]] = []
urlpatterns = [
    path("t/echo/", _echo),
    path("t/download/", _download),
    path("t/async/", _async_page, name="async-page"),
    *root_urls.urlpatterns,
]


class CountingPool(ExecutorPool):
    """Counts the calls each request sends to its thread."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def take(self) -> ThreadPoolExecutor:
        executor = super().take()
        pool = self
        submit = executor.submit

        def counted(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            pool.calls += 1
            return submit(fn, *args, **kwargs)

        executor.submit = counted  # type: ignore[method-assign]
        return executor


@pytest.fixture
def trail(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    settings.ROOT_URLCONF = __name__
    # These views use no database; the rights headers (which read the
    # publisher's settings) are tested in lede/syndication.
    settings.LEDE_TDM_SKIP_PATHS = [
        *settings.LEDE_TDM_SKIP_PATHS,
        "/t/echo/",
        "/t/download/",
        "/t/async/",
    ]
    monkeypatch.setattr("lede.core.asgi.ASYNC_URL_NAMES", ("livefeed:stream", "async-page"))
    _trail.clear()

    def record(signal: str) -> Any:
        def receiver(**kwargs: Any) -> None:
            _trail.append((signal, threading.current_thread().name))

        return receiver

    started, finished = record("started"), record("finished")
    request_started.connect(started)
    request_finished.connect(finished)
    try:
        yield _trail
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)


def test_a_sync_page_is_one_trip_to_its_thread(trail: list[tuple[str, str]]) -> None:
    pool = CountingPool()
    app = LedeASGIHandler(pool)

    async def scenario() -> None:
        assert await _get(app, "/t/echo/", method="POST", body=b"corps") == (200, b"got corps")

    _run(scenario)
    assert pool.calls == 1  # signals, middleware, view and close: one trip
    assert [step for step, _thread in trail] == ["started", "view", "finished"]
    assert all(thread.startswith("lede-request") for _step, thread in trail)


def test_a_streamed_sync_response_runs_on_the_request_thread(
    trail: list[tuple[str, str]],
) -> None:
    app = LedeASGIHandler()

    async def scenario() -> None:
        assert await _get(app, "/t/download/") == (200, b"un deux trois")

    _run(scenario)
    # Closed (request_finished) after the last chunk, not before the first.
    assert [step for step, _thread in trail] == ["started", *["chunk"] * 3, "finished"]
    assert len({thread for _step, thread in trail}) == 1
    assert trail[0][1].startswith("lede-request")


def test_async_views_keep_djangos_async_path(trail: list[tuple[str, str]]) -> None:
    app = LedeASGIHandler()
    loop_thread: list[str] = []

    async def scenario() -> None:
        loop_thread.append(threading.current_thread().name)
        assert await _get(app, "/t/async/") == (200, b"async")

    _run(scenario)
    assert [step for step, _thread in trail] == ["started", "async view", "finished"]
    assert trail[1][1] == loop_thread[0]  # on the event loop, not sent to a thread


def test_every_async_view_is_listed_for_the_async_path() -> None:
    """A view written async and missing from ASYNC_URL_NAMES would still work,
    through the sync chain and a loop of its own per request: slow, and for a
    stream, a thread held. The list must follow the URLconf."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from lede.core.asgi import ASYNC_URL_NAMES

    found: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and asyncio.iscoroutinefunction(pattern.callback):
                found.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    assert found == set(ASYNC_URL_NAMES)


@pytest.mark.django_db(transaction=True)  # the request's own thread reads the database
def test_bad_requests_on_the_one_trip_path_get_a_4xx_never_a_500() -> None:
    app = LedeASGIHandler()
    results: dict[str, int] = {}

    async def scenario() -> None:
        results["host"], _ = await _get(app, "/", host=b"pirate.example")
        results["query"], _ = await _get(app, "/recherche/", query=b"q=%FF%FE%00")
        results["nul"], _ = await _get(app, "/%00/")
        results["page"], _ = await _get(app, "/rubrique/", query=b"page=%00")

    _run(scenario)
    assert results == {"host": 400, "query": 200, "nul": 404, "page": 404}, results
