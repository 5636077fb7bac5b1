"""Hooks for a gunicorn configuration file in multiprocess mode::

    from lede.core.observability.gunicorn import child_exit, on_starting  # noqa: F401

``on_starting`` empties ``PROMETHEUS_MULTIPROC_DIR`` (values of a previous run
must not be added to this one's); ``child_exit`` forgets a dead worker's live
gauges at once (the scrape would otherwise do it, see
:func:`lede.core.observability.metrics.reap_dead_processes`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from prometheus_client import multiprocess


def on_starting(server: Any) -> None:
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        return
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
