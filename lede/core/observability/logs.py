"""Logging pieces named in ``settings.LOGGING``: the request id filter and the
JSON formatter (python-json-logger). ``LOG_FORMAT`` picks ``json`` (production
default) or ``text`` (development and tests)."""

from __future__ import annotations

import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from .context import get_request_id, get_task_id

REQUEST_LOGGER = "lede.request"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = ("levelname", "name", "message", "request_id", "task_id")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` and ``task_id`` ("-" when none) to every record the
    handler sees, whichever logger it came from."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = get_request_id() or "-"
        if getattr(record, "task_id", None) is None:
            record.task_id = get_task_id() or "-"
        return True


def json_formatter(**kwargs: Any) -> JsonFormatter:
    """One JSON object per line; fields passed with ``extra=`` are kept."""
    options: dict[str, Any] = {
        "rename_fields": {"levelname": "level", "name": "logger"},
        "timestamp": "time",  # ISO 8601, UTC
    }
    options.update(kwargs)
    return JsonFormatter(list(JSON_FIELDS), **options)


request_logger = logging.getLogger(REQUEST_LOGGER)


def log_request(
    *, method: str, path: str, status: int, duration_ms: float, view: str, request_id: str
) -> None:
    """The one line per request."""
    if not request_logger.isEnabledFor(logging.INFO):
        return
    request_logger.info(
        "%s %s %s %.1fms",
        method,
        path,
        status,
        duration_ms,
        extra={
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round(duration_ms, 2),
            "view": view,
            "request_id": request_id,
        },
    )
