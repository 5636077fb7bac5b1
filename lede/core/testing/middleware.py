"""Middleware the tests put below the article fast path (settings.MIDDLEWARE)
to prove both roads answer with the same headers."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.deprecation import MiddlewareMixin

#: What the test security middleware sets.
SECURITY_HEADER = ("Permissions-Policy", "geolocation=(), camera=()")
CALL_ONLY_HEADER = ("X-Test-Call-Only", "1")


class SecurityHeaderMiddleware(MiddlewareMixin):
    """A security header added the usual way, in process_response."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response.headers.setdefault(*SECURITY_HEADER)
        return response


class CallOnlyHeaderMiddleware:
    """A header added by a middleware that only has ``__call__``: its
    response half cannot be borrowed by the fast path."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(*CALL_ONLY_HEADER)
        return response
