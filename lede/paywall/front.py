"""The article fast path, answered on the event loop before Django's handler.

The fast path (fastpath.py) answers most article requests from cached data,
but on the road through Django's ASGI handler it still pays for everything
around it: a trip to a request thread and back, the request signals, a
blocking Redis call that holds that thread. Measured on one stack node (2
granian workers, 2 cores), that road served a subscriber's article at about
40 % of what a trivial Django view with no middleware serves under WSGI
(bench/RESULTS.md, "The Python path"). The ASGI handler (lede/core/asgi.py)
therefore offers each sync request to this front first:

1. the request Django would build (the handler's ``create_request``);
2. the keys the fast path would read (``ArticleFastPathMiddleware.plan``),
   read in one MGET through redis.asyncio: the loop serves other requests
   while Redis answers;
3. the fast path's own ``answer`` with ``on_loop=True``: the same snapshot,
   reader, pure paywall decision and ``serving.respond`` as both other
   roads, and the real ``process_response`` of every middleware below it;
   anything that would need another read (a session or profile not in the
   cache, a variant not in this process's memory, a metered article, whose
   meter is read and counted apart) returns ``None`` and the
   request takes the road through Django's handler, which reads it and keeps
   it for next time;
4. the response then goes through the real middleware above the fast path
   (request id, metrics and log line, security headers, TDMRep…), built as
   Django builds its chain, with the fast path's answer at its core: both
   halves of the headers come from the middleware themselves, as on the
   other roads.

Nothing here decides anything: no access rule, no header, no cache key of
its own. What the front skips is Django's request plumbing: the
``request_started``/``request_finished`` signals (their receivers close
database connections and reset the URLconf; the front touches neither) and
the thread. Nothing on this road waits on the network but the one MGET,
except a middleware refreshing a per-process copy (TDMRep's rights, one
Redis read every few seconds per process); a middleware whose cache is cold
and goes to the database raises ``SynchronousOnlyOperation`` on the loop,
and that request, like one raising anything else here, takes the thread
road, which reads and keeps what was missing
(lede/paywall/tests/test_front.py runs the front with the database and the
sync cache forbidden).

Off (``None`` from ``ArticleFront.build``) when the fast path is off, or when
the default cache is neither Lede's Redis backend nor an in-memory one (no
way to read it without blocking the loop).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import MiddlewareNotUsed, SynchronousOnlyOperation
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.module_loading import import_string

from lede.core.cache import RedisCache

from .fastpath import SELF, ArticleFastPathMiddleware

logger = logging.getLogger(__name__)

GetMany = Callable[[list[str]], Awaitable[dict[str, Any]]]

# Where the front's answer waits for the middleware above the fast path.
ANSWER_ATTRIBUTE = "_lede_front_answer"


def _answer_of(request: HttpRequest) -> HttpResponseBase:
    response: HttpResponseBase = getattr(request, ANSWER_ATTRIBUTE)
    return response


def outer_chain(middleware: list[str]) -> Callable[[HttpRequest], Any]:
    """The middleware ``middleware`` (those above the fast path), built as
    Django's ``BaseHandler.load_middleware`` builds the sync chain around a
    core that returns the front's answer, but without turning exceptions into
    error pages: an exception here sends the request to Django's handler
    (``ArticleFront.__call__``)."""
    handler: Callable[[HttpRequest], Any] = _answer_of
    for path in reversed(middleware):
        factory = import_string(path)
        try:
            handler = factory(handler)
        except MiddlewareNotUsed:
            continue
    return handler


def _reader_for_default_cache() -> GetMany | None:
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        return backend.get_many_on_loop
    if isinstance(backend, LocMemCache):
        local = backend

        async def get_many(keys: list[str]) -> dict[str, Any]:
            return local.get_many(keys)  # in this process's memory: no wait

        return get_many
    return None


class ArticleFront:
    def __init__(self, fast: ArticleFastPathMiddleware, get_many: GetMany) -> None:
        self.fast = fast
        self.get_many = get_many
        chain = list(settings.MIDDLEWARE)
        self.outer = outer_chain(chain[: chain.index(SELF)])

    @classmethod
    def build(cls) -> ArticleFront | None:
        if SELF not in settings.MIDDLEWARE:
            return None
        get_many = _reader_for_default_cache()
        if get_many is None:
            return None
        try:
            fast = ArticleFastPathMiddleware(_never)
        except MiddlewareNotUsed:
            return None  # a middleware below cannot be borrowed (check E001)
        return cls(fast, get_many)

    async def __call__(self, request: HttpRequest) -> HttpResponseBase | None:
        """The whole response for ``request``, or ``None`` for the road
        through Django's handler (which then logs the request's duration from
        the start noted here)."""
        if not self.fast._eligible(request):
            return None
        # The request's start for its log line and metrics (observability's
        # middleware runs after the answer here).
        request.lede_started = time.perf_counter()  # type: ignore[attr-defined]
        try:
            plan = self.fast.plan(request)
            if plan is None:
                return None
            found = await self.get_many(plan.wanted)
            answer = self.fast.answer(request, plan, found, on_loop=True)
            if answer is None:
                return None
            setattr(request, ANSWER_ATTRIBUTE, answer)
            response: HttpResponseBase = self.outer(request)  # a sync chain: never awaitable
        except SynchronousOnlyOperation:
            # A middleware's cache was cold and it went to the database
            # (TDMRep's rights after a restart): the thread road reads it and
            # keeps it for the next requests.
            return None
        except Exception:  # the thread road answers, or reports the error itself
            logger.warning("article front: the thread road answers instead", exc_info=True)
            return None
        return response


def _never(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    raise AssertionError("the front only borrows the fast path's answer")


def build() -> ArticleFront | None:
    """``LEDE_ASGI_FRONT``'s factory."""
    return ArticleFront.build()
