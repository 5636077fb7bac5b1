"""The task queue: depth, worker heartbeat, the scheduler's tick, reaping
abandoned RQ jobs, one run at a time."""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from lede.core import queue
from lede.core.tasks import heartbeat
from lede.core.testing.tasks import (
    probe,
    probe_batch_start,
    probe_counts,
    probe_fail,
    probe_tables_create,
    probe_tables_drop,
)
from lede.core.testing.worker_kill import redis_url_with_db

pytestmark = pytest.mark.django_db

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
RQ_BACKEND = {"default": {"BACKEND": "lede.core.queue.RQBackend", "QUEUES": ["default"]}}


def _use_rq(settings: Any, url: str) -> None:
    settings.RQ_QUEUES = {
        "default": {
            "URL": url,
            "DEFAULT_TIMEOUT": 30,
            "QUEUE_CLASS": "lede.core.queue.RetryingQueue",
        }
    }
    settings.RQ = {"JOB_CLASS": "lede.core.queue.Job"}
    settings.TASKS = RQ_BACKEND


# --- Database backend (the demo) and the immediate backend (tests) ----------


def test_depth_and_heartbeat_on_the_database_backend(settings: Any) -> None:
    settings.TASKS = DB_BACKEND
    assert queue.queue_depth() == 0
    assert queue.worker_heartbeat_age() is None
    heartbeat.enqueue()
    heartbeat.enqueue()
    assert queue.queue_depth() == 2
    assert queue.worker_heartbeat_age() is None  # enqueued is not run
    # What db_worker does with each row (it cannot run inside a test's
    # transaction: it closes the database connection between tasks).
    from django_tasks_db.models import DBTaskResult

    for row in DBTaskResult.objects.ready():
        row.claim("test-worker")
        row.set_successful(row.task.call())
    assert queue.queue_depth() == 0
    age = queue.worker_heartbeat_age()
    assert age is not None and age < 30
    # The demo's web process does not share the worker's local-memory cache:
    # the last successful heartbeat row answers.
    cache.clear()
    age = queue.worker_heartbeat_age()
    assert age is not None and age < 30


def test_depth_is_unknown_without_a_queue() -> None:
    assert queue.queue_depth() is None  # the immediate backend of the tests


def test_heartbeat_age_counts_from_the_last_run() -> None:
    assert queue.worker_heartbeat_age() is None
    queue.heartbeat_record(now=1000.0)
    assert queue.worker_heartbeat_age(now=1042.5) == 42.5
    heartbeat.enqueue()  # runs at once here
    age = queue.worker_heartbeat_age()
    assert age is not None and age < 5


def test_the_heartbeat_jumps_the_queue(settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_BACKEND
    probe.enqueue("prio:1")
    heartbeat.enqueue()
    first = DBTaskResult.objects.ready().first()
    assert first is not None and first.task_path == queue.HEARTBEAT_TASK


def test_scheduler_tick_enqueues_the_heartbeat_and_survives_a_failing_enqueue(
    monkeypatch: Any,
) -> None:
    from types import SimpleNamespace

    from lede.wires import tasks as wire_tasks

    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("queue down")

    monkeypatch.setattr(wire_tasks, "wire_sources_poll", SimpleNamespace(enqueue=down))
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert "enqueued lede.core.tasks.heartbeat" in out.getvalue()
    assert "enqueued lede.subscriptions.tasks.renew_due_subscriptions" in out.getvalue()
    assert "wire_sources_poll" not in out.getvalue()
    age = queue.worker_heartbeat_age()
    assert age is not None and age < 5


def test_an_unreachable_redis_queue(settings: Any) -> None:
    _use_rq(settings, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    with pytest.raises(Exception, match=r"(?i)connect"):
        queue.queue_ping()
    assert queue.queue_depth() is None


def test_a_hanging_redis_does_not_hang_the_probe(settings: Any) -> None:
    """A Redis that accepts connections and never answers (a partition, a
    stuck server): the probe times out instead of holding /readyz."""
    import socket
    import threading

    from redis.exceptions import TimeoutError as RedisTimeout

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)  # connections complete, nothing is ever read or answered
    port = server.getsockname()[1]
    # Without the probe's timeout the ping would wait forever: close the
    # listener after 20 s so that such a failure shows as another error.
    closer = threading.Timer(20, server.close)
    closer.start()
    try:
        _use_rq(settings, f"redis://127.0.0.1:{port}/0")
        with pytest.raises(RedisTimeout):
            queue.queue_ping()
        assert queue.queue_depth() is None
    finally:
        closer.cancel()
        server.close()


# --- One run at a time -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_single_flight_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are a PostgreSQL feature (SQLite: always granted)")
    key = zlib.crc32(b"lede:test")
    other = connection.copy()  # another session, as another worker's

    def other_takes_the_lock() -> bool:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            return bool(cursor.fetchone()[0])

    try:
        with queue.single_flight("test") as mine:
            assert mine
            assert not other_takes_the_lock()
        assert other_takes_the_lock()  # released at the end of the block
        with queue.single_flight("test") as mine:
            assert not mine  # held elsewhere: this run is skipped
    finally:
        other.close()  # a dead session's lock goes with it


def test_single_flight_elsewhere_always_runs() -> None:
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    with queue.single_flight("test") as mine:
        assert mine


# --- RQ: reruns for abandoned jobs only (needs Redis, database 7) ------------

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture
def rq7(settings: Any) -> Iterator[Any]:
    from redis import Redis

    url = redis_url_with_db(REDIS_URL, 7)
    redis = Redis.from_url(url)
    redis.flushdb()
    _use_rq(settings, url)
    import django_rq

    try:
        yield django_rq.get_queue("default")
    finally:
        redis.flushdb()
        redis.close()


def _abandon(rq_queue: Any, job_id: str) -> None:
    """What a worker killed mid-job leaves: the job STARTED, out of the queue,
    in the started registry with a heartbeat that has expired."""
    from rq.job import JobStatus

    rq_queue.remove(job_id)
    job = rq_queue.fetch_job(job_id)
    job.set_status(JobStatus.STARTED)
    registry = rq_queue.started_job_registry
    rq_queue.connection.zadd(registry.key, {f"{job_id}:dead-execution": time.time() - 5})


@pytest.mark.redis
def test_jobs_get_reruns_and_an_abandoned_one_runs_again(rq7: Any, settings: Any) -> None:
    from rq.job import JobStatus

    result = heartbeat.enqueue()
    job = rq7.fetch_job(result.id)
    assert job.retries_left == settings.LEDE_TASK_ABANDONED_RERUNS == 3
    assert job.should_retry is False  # a task that raises is not run again
    assert queue.queue_depth() == 1
    _abandon(rq7, result.id)
    assert queue.queue_depth() == 0
    assert queue.queue_reap_abandoned() == 1
    job = rq7.fetch_job(result.id)
    assert job.get_status() == JobStatus.QUEUED
    assert job.retries_left == 2
    assert rq7.job_ids == [result.id]
    assert rq7.started_job_registry.count == 0
    assert queue.queue_reap_abandoned() == 0  # nothing more to do


@pytest.mark.redis
def test_a_job_that_keeps_killing_its_worker_ends_failed(rq7: Any) -> None:
    result = heartbeat.enqueue()
    job = rq7.fetch_job(result.id)
    job.retries_left = 0
    job.save()
    _abandon(rq7, result.id)
    assert queue.queue_reap_abandoned() == 0
    assert rq7.job_ids == []
    assert result.id in rq7.failed_job_registry.get_job_ids()


@pytest.mark.redis
def test_a_live_job_is_left_alone(rq7: Any) -> None:
    result = heartbeat.enqueue()
    _abandon(rq7, result.id)
    registry = rq7.started_job_registry
    rq7.connection.zadd(registry.key, {f"{result.id}:dead-execution": time.time() + 60})
    assert queue.queue_reap_abandoned() == 0
    assert rq7.job_ids == []


@pytest.mark.redis
def test_a_job_stuck_in_the_intermediate_queue_goes_back(rq7: Any) -> None:
    result = heartbeat.enqueue()
    rq7.remove(result.id)
    intermediate = rq7.intermediate_queue
    rq7.connection.rpush(intermediate.key, result.id)
    assert queue.queue_reap_abandoned() == 0  # first sighting: maybe a live worker
    assert queue.queue_reap_abandoned() == 0  # not a minute yet
    rq7.connection.set(intermediate.get_first_seen_key(result.id), time.time() - 120)
    assert queue.queue_reap_abandoned() == 1
    assert rq7.job_ids == [result.id]
    assert intermediate.get_job_ids() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.redis
def test_a_real_worker_runs_tasks_and_does_not_rerun_a_failure(rq7: Any) -> None:
    from rq.job import JobStatus
    from rq.worker import SimpleWorker

    probe_tables_create()
    try:
        probe_batch_start("w")
        ok = probe.enqueue("w:1")
        bad = probe_fail.enqueue("w:2")
        heartbeat.enqueue()
        worker = SimpleWorker([rq7], connection=rq7.connection, job_class=queue.Job)
        worker.work(burst=True)
        assert rq7.fetch_job(ok.id).get_status() == JobStatus.FINISHED
        assert rq7.fetch_job(bad.id).get_status() == JobStatus.FAILED
        assert rq7.job_ids == []
        counts = probe_counts("w")
        assert counts.effects == 1 and counts.total == 1
        assert counts.executions == 2  # the failing task ran once, not four times
        age = queue.worker_heartbeat_age()
        assert age is not None and age < 30
        assert queue.queue_depth() == 0
    finally:
        probe_tables_drop()


# --- The spool: tasks enqueued while the queue's Redis is away ---------------


def _spooled() -> list[Any]:
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.filter(backend_name=queue.SPOOL_BACKEND))


def test_a_task_enqueued_while_redis_is_away_is_spooled(settings: Any) -> None:
    """A web request that enqueues a task (Wagtail's reference index on every
    save) while Redis restarts: no error, the task waits in the database."""
    _use_rq(settings, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    heartbeat.enqueue()
    [row] = _spooled()
    assert row.task_path == queue.HEARTBEAT_TASK
    # Still away: draining leaves it there (the scheduler logs and goes on).
    with pytest.raises(Exception, match=r"(?i)connect"):
        queue.queue_drain_spool()
    assert len(_spooled()) == 1
    # The scheduler's own periodic tasks are not spooled: its next tick
    # enqueues them again.
    with queue.no_spool(), pytest.raises(Exception, match=r"(?i)connect"):
        heartbeat.enqueue()
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert "enqueued lede" not in out.getvalue()
    assert len(_spooled()) == 1


@pytest.mark.redis
def test_the_scheduler_moves_the_spooled_tasks_to_the_queue(rq7: Any, settings: Any) -> None:
    url = settings.RQ_QUEUES["default"]["URL"]
    _use_rq(settings, "redis://127.0.0.1:1/0")
    heartbeat.enqueue()
    heartbeat.using(priority=-10).enqueue()
    assert len(_spooled()) == 2
    _use_rq(settings, url)  # Redis is back
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert "enqueued 2 task(s) spooled while Redis was away" in out.getvalue()
    assert _spooled() == []
    # The two spooled heartbeats and the tick's own.
    assert [job.func_name for job in rq7.get_jobs()].count(queue.HEARTBEAT_TASK) == 3


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_drops_a_broken_database_connection_between_ticks(
    monkeypatch: Any,
) -> None:
    """PostgreSQL restarted (or the connection cut) between two ticks: the
    next tick opens a new connection instead of failing on the dead one."""
    from lede.core.management.commands import run_scheduler

    closed: list[bool] = []
    monkeypatch.setattr(run_scheduler, "close_old_connections", lambda: closed.append(True))
    call_command("run_scheduler", "--once", stdout=StringIO())
    assert closed == [True]
