"""Operations middleware: fail fast when the database is down, and mark reader
traffic for the read replica.

Both go near the top of ``MIDDLEWARE``, before anything that may query the
database (the article fast path, sessions, authentication).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template import loader
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

from lede.core import db_router

logger = logging.getLogger("lede.database")

DATABASE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
_MARK = "_lede_database_error"

GetResponse = Callable[[HttpRequest], Any]


def _is_database_error(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_ERRORS)


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 page. Renders without the database: no context processors,
    nothing but settings and static files."""
    message = _("Service momentanément indisponible")
    accept = request.headers.get("Accept", "")
    response: HttpResponse
    if request.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    ):
        response = JsonResponse({"detail": message}, status=503)
    else:
        try:
            body = loader.get_template("503.html").render(
                {
                    "publication_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
                    "retry_url": request.get_full_path(),
                }
            )
        except Exception:
            logger.exception("The 503 template could not be rendered")
            body = f"<!DOCTYPE html><title>{message}</title><h1>{message}</h1>"
        response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True)
    # Logged once at WARNING by the middleware (or at ERROR by Django when the
    # error came from another middleware): not again as "Service Unavailable".
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _mark_request(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """``got_request_exception`` receiver: remembers that the uncaught
    exception behind the coming 500 was a database error. Exceptions raised
    inside other middleware never reach ``process_exception``; Django turns
    them into a 500 response on the spot, which
    :class:`DatabaseUnavailableMiddleware` then replaces."""
    exc = sys.exc_info()[1]
    if request is not None and _is_database_error(exc):
        setattr(request, _MARK, exc)


got_request_exception.connect(_mark_request, dispatch_uid="lede.core.middleware.mark_db_error")


class HybridMiddleware:
    """Middleware that works in sync and async chains alike: subclasses write
    ``handle`` (sync) and ``ahandle`` (async)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        return self.handle(request, self.get_response)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        return await self.ahandle(request)

    def handle(self, request: HttpRequest, get_response: GetResponse) -> HttpResponseBase:
        raise NotImplementedError

    async def ahandle(self, request: HttpRequest) -> HttpResponseBase:
        raise NotImplementedError


class DatabaseUnavailableMiddleware(HybridMiddleware):
    """A French 503 page ("Service momentanément indisponible", Retry-After,
    never cached) instead of a 500 or a hung worker when PostgreSQL cannot be
    reached or drops the connection.

    * Views: ``process_exception`` catches ``OperationalError`` and
      ``InterfaceError`` and logs them once, at WARNING.
    * Other middleware (sessions, authentication, the article fast path):
      Django has already turned the exception into a 500 (and logged it);
      the receiver above marks the request, and the 500 is replaced here.

    Place it before every middleware that may touch the database. Recovery
    needs nothing from here: ``CONN_HEALTH_CHECKS`` and Django's end-of-request
    cleanup drop the broken connection, and the next request opens a new one.
    """

    def handle(self, request: HttpRequest, get_response: GetResponse) -> HttpResponseBase:
        return self._replace(request, get_response(request))

    async def ahandle(self, request: HttpRequest) -> HttpResponseBase:
        return self._replace(request, await self.get_response(request))

    def _replace(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if response.status_code == 500 and getattr(request, _MARK, None) is not None:
            return database_unavailable_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _is_database_error(exception):
            return None
        logger.warning(
            "Database unavailable, answering 503 for %s %s: %s: %s%s",
            request.method,
            request.path,
            exception.__class__.__name__,
            str(exception).strip().splitlines()[0] if str(exception).strip() else "",
            _pool_stats(),
        )
        return database_unavailable_response(request)


def _pool_stats() -> str:
    """The connection pool's counters, when there is one: a pool that is
    full of connections lent and never given back shows here."""
    from django.db import connection

    pool = getattr(connection, "pool", None)
    if pool is None:
        return ""
    try:
        stats = pool.get_stats()
    except Exception:  # noqa: BLE001 - diagnostics only
        return ""
    return " (pool: " + ", ".join(f"{k}={v}" for k, v in sorted(stats.items())) + ")"


# --- Read replica ------------------------------------------------------------

PIN_COOKIE = "lede_primary"
READ_METHODS = frozenset({"GET", "HEAD"})
DEFAULT_PRIMARY_PREFIXES = ("/admin/", "/django-admin/")


def replica_allowed_for(request: HttpRequest) -> bool:
    """Reader traffic: GET/HEAD outside the admins, from a client not pinned to
    the primary by a recent write."""
    if request.method not in READ_METHODS:
        return False
    prefixes = tuple(getattr(settings, "LEDE_PRIMARY_ONLY_PREFIXES", DEFAULT_PRIMARY_PREFIXES))
    if request.path_info.startswith(prefixes):
        return False
    return PIN_COOKIE not in request.COOKIES


class ReplicaRoutingMiddleware(HybridMiddleware):
    """Sets the routing state of :mod:`lede.core.db_router` for the request.

    After a request that is not a GET/HEAD has written, the response carries a
    short-lived cookie that keeps the same client on the primary for
    ``LEDE_REPLICA_PIN_SECONDS`` (default 10): the page a form redirects to
    shows what was just saved even if the replica lags. GET responses never
    get the cookie, so cacheable pages stay cacheable.
    """

    def handle(self, request: HttpRequest, get_response: GetResponse) -> HttpResponseBase:
        with db_router.reader_traffic(replica_allowed=replica_allowed_for(request)) as state:
            response = get_response(request)
        return self._pin(request, response, state)

    async def ahandle(self, request: HttpRequest) -> HttpResponseBase:
        with db_router.reader_traffic(replica_allowed=replica_allowed_for(request)) as state:
            response = await self.get_response(request)
        return self._pin(request, response, state)

    def _pin(
        self, request: HttpRequest, response: HttpResponseBase, state: db_router.RoutingState
    ) -> HttpResponseBase:
        if state.wrote and request.method not in READ_METHODS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=int(getattr(settings, "LEDE_REPLICA_PIN_SECONDS", 10)),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


__all__ = [
    "DatabaseUnavailableMiddleware",
    "ReplicaRoutingMiddleware",
    "database_unavailable_response",
]
