"""Django's ASGI handler, reusing the threads that run each request's sync code.

Django runs a request's sync code (most middleware, the views) in a thread of
its own, through asgiref's ``ThreadSensitiveContext``: by default a new
single-thread executor per request, plus a thread to join it afterwards. On
a page answered in well under a millisecond (an article from the paywall's
fast path) those two threads cost more than the page: 990 requests/s under
ASGI against 2,641 under WSGI on the same machine (bench/RESULTS.md).

asgiref lets the caller bring the executor (``ThreadSensitiveContext(executor=
...)``; the caller owns it, it is not shut down on exit). This handler keeps
idle single-thread executors and lends one to each request for its whole
life: the guarantees are Django's (one thread per request, never shared by
two requests at once; a request's sync calls all on that thread), only the
thread is reused afterwards, as a WSGI server reuses its threads.

Sync pages in one hop. Even with reused threads, Django's ASGI path costs a
sync page several trips between the event loop and the request's thread (the
request_started signal, each run of sync middleware, the view, closing the
response), plus two tasks per request to watch for a disconnect. Every view
here is sync except the live feed's stream, so a request for any other path
runs the whole sync middleware chain (loaded a second time, in sync mode, as
the WSGI handler loads it) in one trip to its thread, as a WSGI server would
run it; only the body is read and the response written on the event loop.
The async views (``ASYNC_URL_NAMES``) keep Django's async path unchanged,
with a deadline on each send (``LEDE_SSE_SEND_TIMEOUT``,
lede/core/send_deadline.py): a reader that stops reading is cut.
Measured in bench/RESULTS.md (2026-11-26, "ASGI: sync pages in one hop").

A front before the thread. ``LEDE_ASGI_FRONT`` names a callable offered
every sync GET or HEAD first, on the event loop, with the request Django
built (lede/paywall/front.py: the article fast path with one asynchronous
Redis read). What it declines goes on to the request's thread as above,
with the same request object.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse, set_script_prefix
from django.utils import translation
from django.utils.module_loading import import_string

from lede.core.send_deadline import SendDeadline

# Idle executors kept for the next requests; more are made when more requests
# run at once (SSE streams hold theirs while they last) and the extra ones
# are shut down when they come back.
MAX_IDLE = 64

_UNSET = object()

# The front's signature (LEDE_ASGI_FRONT): the whole response, or None.
Front = Callable[[HttpRequest], Awaitable[HttpResponseBase | None]]

# The views written async (they stream): served through Django's async path.
ASYNC_URL_NAMES = ("livefeed:stream",)


class ExecutorPool:
    def __init__(self, max_idle: int = MAX_IDLE) -> None:
        self.max_idle = max_idle
        self._idle: list[ThreadPoolExecutor] = []
        self._lock = threading.Lock()

    def take(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="lede-request")

    def give_back(self, executor: ThreadPoolExecutor) -> None:
        with self._lock:
            if len(self._idle) < self.max_idle:
                self._idle.append(executor)
                return
        executor.shutdown(wait=False)

    @property
    def idle(self) -> int:
        return len(self._idle)


class LedeASGIHandler(ASGIHandler):
    def __init__(self, pool: ExecutorPool | None = None) -> None:
        super().__init__()  # the async middleware chain, for ASYNC_URL_NAMES
        self.executors = pool or ExecutorPool()
        self.sync_chain = BaseHandler()
        self.sync_chain.load_middleware(is_async=False)
        self._async_paths: frozenset[str] | None = None
        self._front: object = _UNSET

    def is_async_path(self, path: str) -> bool:
        if self._async_paths is None:  # URLconf not loadable at import time
            # Every edition's address of each stream (/newsroom/flux/ and
            # /ar/newsroom/flux/): i18n_patterns reverse per active language.
            paths: set[str] = set()
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    paths.update(reverse(name) for name in ASYNC_URL_NAMES)
            self._async_paths = frozenset(paths)
        return path in self._async_paths

    @property
    def front(self) -> Front | None:
        """``LEDE_ASGI_FRONT``: a factory (dotted path) of an async callable
        offered each sync request first, on the event loop, with the request
        Django built; it returns the whole response or ``None`` (then the
        request takes the road through the handler). Built at the first
        request, when the apps and the URLconf are ready."""
        if self._front is _UNSET:
            path = getattr(settings, "LEDE_ASGI_FRONT", None)
            self._front = import_string(path)() if path else None
        return cast("Front | None", self._front)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)  # Django refuses it
            return
        if self.is_async_path(scope["path"]):
            # A stream whose reader stopped reading is cut, not held for ever.
            deadline = SendDeadline(scope, receive, send, float(settings.LEDE_SSE_SEND_TIMEOUT))
            executor = self.executors.take()
            try:
                async with ThreadSensitiveContext(executor=executor):
                    await self.handle(scope, deadline.receive, deadline.send)
            finally:
                self.executors.give_back(executor)
            await deadline.finish()
        else:
            await self.handle_sync(scope, receive, send)

    async def handle_sync(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            request = None
            front = self.front
            if front is not None and scope["method"] in ("GET", "HEAD"):
                set_script_prefix(get_script_prefix(scope))
                request, _error = self.create_request(scope, body_file)
                if request is not None:
                    answer = await front(request)
                    if answer is not None:
                        await self.send_response(answer, send)
                        return
            executor = self.executors.take()
            try:
                await self.respond_on_thread(scope, body_file, request, send, executor)
            finally:
                self.executors.give_back(executor)
        finally:
            body_file.close()

    async def respond_on_thread(
        self,
        scope: dict[str, Any],
        body_file: Any,
        request: HttpRequest | None,
        send: Any,
        executor: ThreadPoolExecutor,
    ) -> None:
        # What sync_to_async would do (the caller's context vars, the
        # request's thread), without its bookkeeping: subscriber article
        # 1,374 -> 1,509-1,535 req/s (bench/RESULTS.md).
        context = contextvars.copy_context()
        response = await asyncio.get_running_loop().run_in_executor(
            executor, context.run, self.respond, scope, body_file, request
        )
        if not response.streaming:
            await self.send_response(response, send)
            return
        # A streaming response's sync iterator and its close() run on the
        # request's thread too, through Django's sync_to_async.
        async with ThreadSensitiveContext(executor=executor):
            try:
                await self.send_response(response, send)
            finally:
                await sync_to_async(response.close, thread_sensitive=True)()

    async def send_response(self, response: HttpResponseBase, send: Any) -> None:
        """Django's, with a shorter road for a response whose body is in
        memory and small (every page): the headers encoded in one pass and
        the body in one message, as Django sends it when it fits one chunk.
        Streaming and larger responses go through Django's own."""
        if response.streaming or not isinstance(response, HttpResponse):
            await super().send_response(response, send)
            return
        body = response.content
        if len(body) > self.chunk_size:
            await super().send_response(response, send)
            return
        headers = [
            (name.encode("ascii"), value.encode("latin1"))
            for name, value in response.headers.items()
        ]
        for cookie in response.cookies.values():
            headers.append((b"Set-Cookie", cookie.output(header="").encode("ascii").strip()))
        await send(
            {"type": "http.response.start", "status": response.status_code, "headers": headers}
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def respond(
        self, scope: dict[str, Any], body_file: Any, request: HttpRequest | None = None
    ) -> HttpResponseBase:
        """The request's sync part, on its thread: what WSGIHandler.__call__
        does. ``request``: the one the front already built and declined."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        response = None
        if request is None:
            request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.sync_chain.get_response(request)
            response._handler_class = self.__class__  # type: ignore[attr-defined]
            if isinstance(response, FileResponse):  # as Django's run_get_response
                response.block_size = self.chunk_size
        assert response is not None
        if not response.streaming:
            # The body is in memory: close now (request_finished, which
            # returns the database connection) rather than in a second trip.
            response.close()
        return response
