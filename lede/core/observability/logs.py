"""Logging pieces named in ``settings.LOGGING``: the request id filter and the
JSON formatter (python-json-logger). ``LOG_FORMAT`` picks ``json`` (production
default) or ``text`` (development and tests)."""

from __future__ import annotations

import logging
import os
import threading
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


class BufferedStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A ``StreamHandler`` that writes its lines in batches: when
    ``buffer_bytes`` are waiting, when a record of level WARNING or above
    comes (it goes out at once, with whatever waited before it), or
    ``flush_seconds`` after the first waiting line, whichever comes first.

    Every request writes a log line, and with the plain handler every line is
    a system call: measured on a stack node answering a subscriber's article
    from the fast path's front, the request line cost 15 % of the worker's
    CPU (0.54 against 0.44-0.47 ms a request without it), most of it the
    write. nginx buffers its access log the same way (``access_log …
    buffer=32k flush=1s``). The standard library has nothing that batches
    the writes themselves: ``logging.handlers.MemoryHandler`` keeps records
    and hands them to its target one by one, one write each.

    What a crash loses: at most ``flush_seconds`` of INFO lines (a warning or
    an error is never held). A forked child starts with an empty buffer (the
    parent writes what it held) and its own flushing thread."""

    def __init__(
        self, stream: Any = None, buffer_bytes: int = 32768, flush_seconds: float = 0.5
    ) -> None:
        super().__init__(stream)
        self.buffer_bytes = buffer_bytes
        self.flush_seconds = flush_seconds
        self._waiting: list[str] = []
        self._size = 0
        self._flusher_pid = 0
        self._wake = threading.Event()
        os.register_at_fork(after_in_child=self._forget_parents_lines)

    def _forget_parents_lines(self) -> None:
        self._waiting, self._size, self._flusher_pid = [], 0, 0
        self._wake = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + self.terminator
        except Exception:  # noqa: BLE001 - logging's own rule: report, never raise
            self.handleError(record)
            return
        if self.buffer_bytes <= 0:
            self._write(line)
            return
        with self.lock:  # type: ignore[union-attr]
            self._waiting.append(line)
            self._size += len(line)
            if record.levelno >= logging.WARNING or self._size >= self.buffer_bytes:
                self._write_waiting()
                return
        if self._flusher_pid != os.getpid():
            self._start_flusher()

    def _start_flusher(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            if self._flusher_pid == os.getpid():
                return
            self._flusher_pid = os.getpid()
        thread = threading.Thread(target=self._flush_periodically, name="log-flusher", daemon=True)
        thread.start()

    def _flush_periodically(self) -> None:
        while not self._wake.wait(self.flush_seconds):
            self.flush()

    def _write_waiting(self) -> None:
        if self._waiting:
            text = "".join(self._waiting)
            self._waiting, self._size = [], 0
            self._write(text)

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except Exception:  # noqa: BLE001 - logging's own rule: report, never raise
            self.handleError(
                logging.makeLogRecord(
                    {"msg": "log lines lost: %d characters", "args": (len(text),)}
                )
            )

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            self._write_waiting()

    def close(self) -> None:
        self._wake.set()
        self.flush()
        super().close()


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
