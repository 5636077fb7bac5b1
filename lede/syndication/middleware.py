"""TDMRep HTTP headers (``tdm-reservation``, ``tdm-policy``) on every response
with content (not on errors), except the operators' endpoints (health,
readiness, metrics), which must not read the settings nor the database."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from . import rights


class TDMRepMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 400 or request.path in settings.LEDE_TDM_SKIP_PATHS:
            return response  # errors carry no content to reserve
        for name, value in rights.tdm_headers(rights.current()).items():
            response.headers.setdefault(name, value)
        return response
