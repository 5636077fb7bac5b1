"""The "kill the worker in the middle of a batch" scenario, reusable.

``worker_kill_scenario`` enqueues a batch of probe tasks
(lede/core/testing/tasks.py) through the default task backend, waits until one
of them is known to be in flight, kills the worker with the caller's
``kill_worker``, starts another with ``start_worker``, and waits until the
batch has drained, reaping abandoned jobs as the scheduler does every tick.
The caller asserts on the report: lede/core/tests/test_worker_kill.py runs it
against a worker subprocess; a full-stack test can pass callables that kill
and restart the stack's worker (by its PID file, its systemd unit, …), as long
as the test process enqueues into the stack's queue and reads its database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

from lede.core.queue import queue_depth, queue_reap_abandoned

from .tasks import (
    ProbeCounts,
    probe,
    probe_batch_start,
    probe_counts,
    probe_in_flight,
    probe_key,
    probe_tables_create,
)


@dataclass
class WorkerKillReport:
    tasks: int
    batch: str
    in_flight_key: str  # the task running when the worker was killed
    in_flight_after_kill: bool  # still without effect once the worker was dead
    effects_at_kill: int
    depth_at_kill: int | None
    drained: bool
    seconds_to_drain: float  # from the restart
    reaped: int  # jobs put back in the queue by the reaper
    counts: ProbeCounts


def wait_until(condition: Callable[[], bool], *, timeout: float, poll: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return condition()


def worker_kill_scenario(
    *,
    kill_worker: Callable[[], None],
    start_worker: Callable[[], None],
    count: int = 1000,
    slow_first_run: float = 3.0,
    reap: Callable[[], int] = queue_reap_abandoned,
    depth: Callable[[], int | None] = queue_depth,
    timeout: float = 300.0,
) -> WorkerKillReport:
    """Run the scenario with a worker already running; see the module docstring."""
    probe_tables_create()
    batch = uuid.uuid4().hex[:12]
    probe_batch_start(batch)
    slow_index = count * 3 // 10
    slow_key = probe_key(batch, slow_index)
    for index in range(count):
        probe.enqueue(probe_key(batch, index), slow_first_run if index == slow_index else 0.0)
    if not wait_until(lambda: probe_in_flight(slow_key), timeout=timeout):
        raise AssertionError(f"the task {slow_key} never started: is a worker running?")
    kill_worker()
    in_flight_after_kill = probe_in_flight(slow_key)
    effects_at_kill = probe_counts(batch).effects
    depth_at_kill = depth()
    start_worker()
    started = time.monotonic()
    reaped = 0
    drained = False
    while time.monotonic() - started < timeout:
        reaped += reap()  # the scheduler's job, every tick
        if probe_counts(batch).effects == count and depth() == 0:
            drained = True
            break
        time.sleep(0.5)
    return WorkerKillReport(
        tasks=count,
        batch=batch,
        in_flight_key=slow_key,
        in_flight_after_kill=in_flight_after_kill,
        effects_at_kill=effects_at_kill,
        depth_at_kill=depth_at_kill,
        drained=drained,
        seconds_to_drain=round(time.monotonic() - started, 1),
        reaped=reaped,
        counts=probe_counts(batch),
    )


# --- A worker subprocess (the local version of the scenario) ---------------


def rq_worker_start(
    *, env: Mapping[str, str], log: IO[bytes] | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start ``manage.py rqworker default --with-scheduler`` (the production
    worker command) in a session of its own (stop it with process_tree_kill)."""
    from lede.core.queue import WORKER_COMMAND

    command = [sys.executable, *WORKER_COMMAND[1:]]
    return subprocess.Popen(  # noqa: S603 - our own interpreter and command
        command,
        cwd=str(cwd or settings.BASE_DIR),
        env=dict(env),
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _descendants(pid: int) -> list[int]:
    """Child processes of ``pid``, recursively (Linux /proc)."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            pids = [int(child) for child in children.read_text().split()]
        except (OSError, ValueError):
            continue
        for child in pids:
            found += [child, *_descendants(child)]
    return found


def process_tree_kill(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Kill a worker and everything it started at once, as a crash or systemd
    (KillMode=control-group) would: rq's work horse puts itself in a process
    group of its own (``os.setpgrp()``), so killing the worker's group alone
    would let the job in flight finish."""
    targets = [process.pid, *_descendants(process.pid)]
    for pid in targets:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
    process.wait(timeout=30)


def redis_url_with_db(url: str, db: int) -> str:
    """``url`` (``redis://host:port[/n]``) pointed at database ``db``."""
    base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url.rstrip("/")
    return f"{base}/{db}"
