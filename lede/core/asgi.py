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
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext
from django.core.handlers.asgi import ASGIHandler

# Idle executors kept for the next requests; more are made when more requests
# run at once (SSE streams hold theirs while they last) and the extra ones
# are shut down when they come back.
MAX_IDLE = 64


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
        super().__init__()
        self.executors = pool or ExecutorPool()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)  # Django refuses it
            return
        executor = self.executors.take()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self.executors.give_back(executor)
