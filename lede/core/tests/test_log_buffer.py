"""The request log's batching handler (lede/core/observability/logs.py)."""

from __future__ import annotations

import io
import logging
import threading

from lede.core.observability.logs import BufferedStreamHandler


class Stream(io.StringIO):
    """Counts the writes and tells when one comes."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0
        self.written = threading.Event()

    def write(self, text: str) -> int:
        self.writes += 1
        result = super().write(text)
        self.written.set()
        return result


def _logger(handler: logging.Handler, name: str) -> logging.Logger:
    logger = logging.getLogger(f"lede.tests.buffer.{name}")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_info_lines_go_out_together_and_a_warning_at_once() -> None:
    stream = Stream()
    handler = BufferedStreamHandler(stream, buffer_bytes=10_000, flush_seconds=60)
    logger = _logger(handler, "batch")
    for n in range(50):
        logger.info("ligne %d", n)
    assert stream.getvalue() == ""  # waiting: neither full nor old enough
    logger.warning("attention")
    lines = stream.getvalue().splitlines()
    assert lines == [f"ligne {n}" for n in range(50)] + ["attention"]
    assert stream.writes == 1


def test_a_full_buffer_is_written() -> None:
    stream = Stream()
    handler = BufferedStreamHandler(stream, buffer_bytes=100, flush_seconds=60)
    logger = _logger(handler, "full")
    for n in range(30):
        logger.info("ligne numéro %02d", n)
    assert 0 < stream.writes < 30
    handler.close()
    assert stream.getvalue().splitlines() == [f"ligne numéro {n:02d}" for n in range(30)]


def test_a_quiet_line_goes_out_within_the_flush_time() -> None:
    stream = Stream()
    handler = BufferedStreamHandler(stream, buffer_bytes=10_000, flush_seconds=0.05)
    logger = _logger(handler, "quiet")
    logger.info("seule")
    assert stream.written.wait(10)  # a deadline, not a measure
    assert stream.getvalue() == "seule\n"
    handler.close()


def test_zero_bytes_writes_each_line_as_it_comes() -> None:
    stream = Stream()
    handler = BufferedStreamHandler(stream, buffer_bytes=0)
    logger = _logger(handler, "plain")
    logger.info("un")
    logger.info("deux")
    assert stream.getvalue() == "un\ndeux\n" and stream.writes == 2
