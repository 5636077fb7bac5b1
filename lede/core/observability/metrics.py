"""Prometheus metrics of Lede, and the small functions other apps call.

Correct under several worker processes: when ``PROMETHEUS_MULTIPROC_DIR`` is
set in the environment of the web, worker and scheduler processes (before
``prometheus_client`` is imported), every process writes its values to files
in that directory and :func:`build_registry` aggregates them at scrape time.
Without it (tests, the demo's single process) the metrics live in the default
in-process registry.

Labels are bounded: views are named (never a raw path), providers and outcomes
come from short fixed lists or from admin-configured sources.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from lede.core import queue

logger = logging.getLogger(__name__)

#: Seconds; from a cached page (a few ms) to a slow search or export.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
VARIANT_RESULTS = frozenset({"local", "shared", "miss"})
WIRE_OUTCOMES = frozenset({"imported", "updated", "skipped", "rejected"})
MAX_LABEL_LENGTH = 40
OTHER = "other"


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


if _directory := multiprocess_dir():
    # Values are files there: the directory must exist before the first metric.
    os.makedirs(_directory, exist_ok=True)

HTTP_REQUESTS = Counter(
    "lede_http_requests",
    "HTTP responses by view and status code.",
    ["view", "status"],
)
HTTP_LATENCY = Histogram(
    "lede_http_request_duration_seconds",
    "Time from the first middleware to the response (headers, for a stream), by view.",
    ["view"],
    buckets=LATENCY_BUCKETS,
)
VARIANT_LOOKUPS = Counter(
    "lede_paywall_variant_lookups",
    "Paywall variant cache lookups: found in the process (local), in the shared "
    "cache (shared), or rendered (miss).",
    ["result"],
)
CACHE_ERRORS = Counter(
    "lede_cache_errors",
    "Cache calls that found Redis unreachable and were answered without it.",
)
SSE_CONNECTIONS = Gauge(
    "lede_sse_connections",
    "Server-Sent Events streams open now.",
    # Summed over the processes alive now: a dead worker's streams are gone.
    multiprocess_mode="livesum",
)
SSE_SEND_TIMEOUTS = Counter(
    "lede_sse_send_timeouts",
    "SSE streams cut because the client took no data for LEDE_SSE_SEND_TIMEOUT "
    "seconds, by what became of the connection: reset, or not found (left to the server).",
    ["connection"],
)
WIRE_ITEMS = Counter(
    "lede_wire_items",
    "Agency items (or whole files) by provider and ingest outcome.",
    ["provider", "outcome"],
)
PAYMENT_NOTIFICATIONS = Counter(
    "lede_payment_notifications",
    "Server-to-server payment notifications and webhooks by provider and outcome.",
    ["provider", "outcome"],
)
PAYMENT_CHECKOUTS = Counter(
    "lede_payment_checkouts",
    "Checkouts started (a reader sent to a provider) by provider.",
    ["provider"],
)


def _label(value: str, default: str = "unknown") -> str:
    value = (value or "").strip()
    return value[:MAX_LABEL_LENGTH] if value else default


# --- What other apps call -----------------------------------------------------


def record_request(*, view: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(view, str(status)).inc()
    HTTP_LATENCY.labels(view).observe(seconds)


def _known(value: str, known: frozenset[str]) -> str:
    # A metric never breaks the code that records it: anything unexpected is
    # counted as "other" (a bounded label), to be noticed on the dashboard.
    value = str(value)
    return value if value in known else OTHER


def record_variant_lookup(result: str) -> None:
    """One paywall variant cache lookup: ``local``, ``shared`` or ``miss``."""
    VARIANT_LOOKUPS.labels(_known(result, VARIANT_RESULTS)).inc()


def record_cache_error() -> None:
    CACHE_ERRORS.inc()


def record_wire_item(*, provider: str, outcome: str) -> None:
    """One ingest outcome (``imported``, ``updated``, ``skipped``, ``rejected``)."""
    WIRE_ITEMS.labels(_label(provider, "none"), _known(outcome, WIRE_OUTCOMES)).inc()


def payment_notification_outcome(*, status: int, applied: bool = False) -> str:
    if applied:
        return "applied"  # money moved: an order was paid
    if 200 <= status < 300:
        return "acknowledged"  # verified; a replay, a decline or an ignored type
    if status == 503:
        return "unavailable"  # the provider will retry
    if 400 <= status < 500:
        return "rejected"  # bad signature or unknown payment
    return "error"


def record_payment_notification(*, provider: str, status: int, applied: bool = False) -> None:
    outcome = payment_notification_outcome(status=status, applied=applied)
    PAYMENT_NOTIFICATIONS.labels(_label(provider), outcome).inc()


def record_checkout(*, provider: str) -> None:
    PAYMENT_CHECKOUTS.labels(_label(provider)).inc()


def record_sse_send_timeout(*, reset: bool) -> None:
    """One stream cut by the send deadline (lede/core/send_deadline.py)."""
    SSE_SEND_TIMEOUTS.labels("reset" if reset else "not_found").inc()


async def track_sse_connection(stream: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
    """Wrap an SSE body: counted open from its first byte until it ends or the
    client goes away (cancellation and ``aclose`` both run the ``finally``)."""
    SSE_CONNECTIONS.inc()
    try:
        async for chunk in stream:
            yield chunk
    finally:
        SSE_CONNECTIONS.dec()
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()  # the wrapped generator's own clean-up (leaving the hub)


# --- Values computed at scrape time -------------------------------------------


def _read(name: str) -> float | None:
    """The value of ``lede.core.queue.<name>()``, looked up at each scrape;
    ``None`` when it fails (a scrape never fails with the queue)."""
    function: Callable[[], float | int | None] = getattr(queue, name)
    try:
        value = function()
    except Exception:
        logger.warning("metrics: lede.core.queue.%s() failed", name, exc_info=True)
        return None
    return None if value is None else float(value)


class RuntimeCollector(Collector):
    """Gauges read when Prometheus scrapes (not kept in any process)."""

    def collect(self) -> Iterable[Metric]:
        depth = _read("queue_depth")
        if depth is not None:
            family = GaugeMetricFamily(
                "lede_task_queue_depth", "Tasks waiting in the task queue, at scrape time."
            )
            family.add_metric([], depth)
            yield family
        age = _read("worker_heartbeat_age")
        if age is not None:
            family = GaugeMetricFamily(
                "lede_worker_heartbeat_age_seconds",
                "Seconds since the task worker last reported alive, at scrape time.",
            )
            family.add_metric([], age)
            yield family


class _Forward(Collector):
    """Everything a registry knows, inside another registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Metric]:
        return self.registry.collect()


_LIVE_FILE = re.compile(r"^gauge_live\w+?_(\d+)\.db$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_dead_processes(path: str) -> list[int]:
    """Forget the live gauges of processes that are gone.

    Gunicorn can call :func:`prometheus_client.multiprocess.mark_process_dead`
    from ``child_exit``; other servers (granian) have no such hook, so the
    scrape does it: a ``gauge_live*_<pid>.db`` file whose process no longer
    exists on this machine is removed. Counters of dead processes are kept
    (that is what makes them monotonic)."""
    dead: set[int] = set()
    with contextlib.suppress(FileNotFoundError):
        for name in os.listdir(path):
            match = _LIVE_FILE.match(name)
            if match and not _alive(int(match.group(1))):
                dead.add(int(match.group(1)))
    for pid in sorted(dead):
        multiprocess.mark_process_dead(pid, path)
    return sorted(dead)


def build_registry(path: str | None = None) -> CollectorRegistry:
    """A registry for one scrape: every process's values (multiprocess mode)
    or this process's, plus the gauges computed now."""
    path = path or multiprocess_dir()
    registry = CollectorRegistry()
    if path:
        if not Path(path).is_dir():
            raise RuntimeError(f"PROMETHEUS_MULTIPROC_DIR {path!r} is not a directory")
        reap_dead_processes(path)
        multiprocess.MultiProcessCollector(registry, path=path)
    else:
        registry.register(_Forward(REGISTRY))
    registry.register(RuntimeCollector())
    return registry
