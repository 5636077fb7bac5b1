"""The API's errors: a stable code, a French message, a 4xx (never a 500 for bad
input). Every error body is ``{"error": {"code": …, "message": …}}``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema


class ErrorDetail(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorDetail


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


def bad_parameter(message: str) -> ApiError:
    return ApiError(400, "invalid_parameter", message)


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("Cet élément n’existe pas ou ne vous est pas accessible."))


#: Responses every endpoint may give, documented in the OpenAPI schema.
COMMON_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    429: ErrorOut,
}
