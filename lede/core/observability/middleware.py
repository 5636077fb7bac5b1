"""The outermost middleware: request id, request metrics, the request log line.

First in ``MIDDLEWARE`` so that it also sees what earlier middleware answer on
their own (the article fast path answers before URL resolution and names
itself with ``request.metrics_view``). Sync and async capable: under ASGI it
adds no thread hop.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from lede.core.middleware import HybridMiddleware

from . import metrics
from .context import HEADER, request_id_from_header, request_id_var
from .logs import log_request

UNMATCHED = "unmatched"
STATIC = "static"  # answered by WhiteNoise before URL resolution
#: URL arguments that are secrets (password reset and e-mail confirmation keys):
#: the request log shows ``<key>`` instead.
SECRET_URL_ARGUMENTS = ("key", "token")


def view_label(request: HttpRequest, response: HttpResponseBase | None = None) -> str:
    """A bounded name for what answered: never the raw path."""
    named = getattr(request, "metrics_view", None)
    if named:
        return str(named)
    # Wagtail caches its routing on the request: the page type is cheap to get.
    route = getattr(request, "_wagtail_route_for_request", None)
    if route:
        return type(route[0]).__name__
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match.url_name or UNMATCHED
    if response is not None and type(response).__name__ == "WhiteNoiseFileResponse":
        return STATIC
    return UNMATCHED


def loggable_path(request: HttpRequest) -> str:
    """The path without its query string, and without secrets in it."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None and match.kwargs:
        for name in SECRET_URL_ARGUMENTS:
            value = match.kwargs.get(name)
            if value:
                path = path.replace(str(value), f"<{name}>")
    return path


class RequestObservabilityMiddleware(HybridMiddleware):
    def handle(
        self, request: HttpRequest, get_response: Callable[[HttpRequest], Any]
    ) -> HttpResponseBase:
        request_id, token, start = self._begin(request)
        try:
            response: HttpResponseBase = get_response(request)
            self._end(request, response, request_id, start)
            return response
        finally:
            request_id_var.reset(token)

    async def ahandle(self, request: HttpRequest) -> HttpResponseBase:
        request_id, token, start = self._begin(request)
        try:
            get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = self.get_response
            response = await get_response(request)
            self._end(request, response, request_id, start)
            return response
        finally:
            request_id_var.reset(token)

    @staticmethod
    def _begin(request: HttpRequest) -> tuple[str, Any, float]:
        request_id = request_id_from_header(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id  # type: ignore[attr-defined]
        # The ASGI front (lede/paywall/front.py) answers before this runs and
        # says when the request started.
        start = getattr(request, "lede_started", None) or time.perf_counter()
        return request_id, request_id_var.set(request_id), start

    @staticmethod
    def _end(
        request: HttpRequest, response: HttpResponseBase, request_id: str, start: float
    ) -> None:
        seconds = time.perf_counter() - start
        view = view_label(request, response)
        response[HEADER] = request_id
        metrics.record_request(view=view, status=response.status_code, seconds=seconds)
        log_request(
            method=request.method or "",
            path=loggable_path(request),
            status=response.status_code,
            duration_ms=seconds * 1000,
            view=view,
            request_id=request_id,
        )
