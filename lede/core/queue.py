"""The task queue: which backend runs Lede's background tasks, how deep the
queue is, whether a worker is alive, and how a task whose worker died runs again.

Processes
---------
Production (``config.settings.production`` with ``REDIS_URL`` or
``LEDE_QUEUE_REDIS_URL`` set): django-tasks' RQ backend (:class:`RQBackend`
below) on django-rq's ``default`` queue, run by a separate worker process::

    python manage.py rqworker default --with-scheduler        # WORKER_COMMAND

plus the scheduler process, which enqueues the periodic tasks, the worker
heartbeat and reaps abandoned jobs (see ``run_scheduler``)::

    python manage.py run_scheduler                              # SCHEDULER_COMMAND

Run as many workers as wanted (each one forks a work horse per job); one
scheduler is enough (two are harmless: every periodic task is idempotent).
The embedded default (``make demo``, no ``REDIS_URL``) keeps django-tasks-db's
database backend, worker ``python manage.py db_worker`` (DB_WORKER_COMMAND).

No lost task
------------
rq (3.0 is installed) keeps a job that is running in the queue's
``StartedJobRegistry``, scored with the expiry of the execution's heartbeat:
the worker renews it every 30 s with a 60 s margin while its work horse runs.
A worker killed with SIGKILL (OOM killer, power loss) renews nothing: once the
score is in the past, ``StartedJobRegistry.cleanup()`` calls the job's failure
callback with ``AbandonedJobError`` and then re-enqueues the job *if it has
retries left*, otherwise moves it to the ``FailedJobRegistry``.
django-tasks-rq creates its jobs without retries, so out of the box an
abandoned task is lost (failed, never run again), and rq's own workers run
that cleanup only every 10 minutes. Lede therefore:

1. gives every job ``Retry(max=LEDE_TASK_ABANDONED_RERUNS)`` when it is
   created (:class:`RetryingQueue`, configured as the django-rq queue class);
2. spends those retries only on abandonment: :class:`Job` never retries a
   task that raised, so failures behave as with the database backend (a bug
   is not run three times); a job that keeps killing its worker ends in the
   failed registry after the reruns (no endless crash loop);
3. reaps from the scheduler, every tick (:func:`queue_reap_abandoned`): the
   cleanup runs as soon as the heartbeat has expired (about 90 s after the
   kill), and jobs left in rq's intermediate queue by a worker killed between
   dequeuing and starting a job (over a minute there) go back to the queue.

A task can therefore run more than once (at least once delivery): every task
must be idempotent, which Lede's are (each guards its effect in the database:
claims by conditional UPDATE, unique keys, provider event ids, an advisory
lock for scheduled publishing). Two things to know when watching tasks: an
abandoned job that is run again first reports ``task_finished`` as FAILED
(django-tasks-rq's failure callback, called by rq's cleanup) and later as
SUCCESSFUL; a worker whose main process alone is killed (``kill -9 <pid>``)
leaves its work horse (its own process group) to finish the job in flight.
systemd's default KillMode=control-group kills both.

The database backend of the demo has no such recovery: a ``db_worker``
killed mid-task leaves its row RUNNING; the periodic tasks are enqueued again
at the next tick anyway.

Worker heartbeat
----------------
:func:`worker_heartbeat_age` is the age of the last run of the
``lede.core.tasks.heartbeat`` task, which the scheduler enqueues every tick
with the highest priority (at the front of the queue). A fresh heartbeat
proves the whole chain: scheduler → queue → worker → shared cache. rq's
worker registry would only prove that a worker process pings Redis (an idle
rq worker does so every ~7 minutes with default settings), not that jobs run.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils.module_loading import import_string
from django_rq.queues import DjangoRQ
from django_tasks import task_backends
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks_rq.backend import Job as TasksJob
from django_tasks_rq.backend import RQBackend as TasksRQBackend
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq.job import JobStatus, Retry

from lede.core.caching import keys

logger = logging.getLogger(__name__)

WORKER_COMMAND = ["python", "manage.py", "rqworker", "default", "--with-scheduler"]
DB_WORKER_COMMAND = ["python", "manage.py", "db_worker"]
SCHEDULER_COMMAND = ["python", "manage.py", "run_scheduler"]

HEARTBEAT_CACHE_KEY = keys.WORKER_HEARTBEAT_KEY
HEARTBEAT_TASK = "lede.core.tasks.heartbeat"
# rq's intermediate queue: a job older than this there lost its worker.
INTERMEDIATE_GRACE_SECONDS = 60


def abandoned_reruns() -> int:
    return int(getattr(settings, "LEDE_TASK_ABANDONED_RERUNS", 3))


class RetryingQueue(DjangoRQ):
    """django-rq's queue, giving every job a budget of reruns for when its
    worker dies (see the module docstring)."""

    def create_job(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("retry") is None and abandoned_reruns() > 0:
            kwargs["retry"] = Retry(max=abandoned_reruns())
        return super().create_job(*args, **kwargs)


class Job(TasksJob):
    """django-tasks-rq's job, whose retries are kept for abandonment only: a
    task that raises fails at once (rq checks ``should_retry`` only on the
    exception path; its registry cleanup looks at ``retries_left``)."""

    @property
    def should_retry(self) -> bool:
        return False


class RQBackend(TasksRQBackend):
    """django-tasks-rq's backend. Its enqueue honours the highest priority
    (the job goes to the front of the queue) and ignores the others, so a
    priority is accepted instead of refused (the heartbeat uses it).

    When the queue's Redis cannot be reached (restarting, down), a task is
    spooled in the database instead (:func:`queue_drain_spool`), in the
    caller's transaction: web requests enqueue tasks too (Wagtail's reference
    index on every save, cache purges, webhooks), and an editor publishing
    during a Redis restart must not get a 500 nor lose the task."""

    supports_priority = True

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        try:
            return super().enqueue(task, args, kwargs)
        except (RedisConnectionError, RedisTimeoutError):
            if not _spooling.get():
                raise
            logger.warning("queue: Redis unreachable, %s spooled in the database", task.module_path)
            row = _spool()._task_to_db_task(task, args, kwargs)
            # Spooled, not queued: the result is READY under this backend's
            # name, with the row's id (get_result() does not know it).
            return TaskResult(
                task=task,
                id=str(row.pk),
                status=TaskResultStatus.READY,
                enqueued_at=None,
                started_at=None,
                last_attempted_at=None,
                finished_at=None,
                args=args,
                kwargs=kwargs,
                backend=self.alias,
                errors=[],
                worker_ids=[],
            )


# --- The spool: tasks enqueued while the queue's Redis was away --------------

#: The backend name of the spooled rows (django-tasks-db's table, which the
#: embedded default uses as its queue; no db_worker runs in production).
SPOOL_BACKEND = "lede-spool"
_spooling: ContextVar[bool] = ContextVar("lede_queue_spooling", default=True)
_spool_backend: Any = None


def _spool() -> Any:
    global _spool_backend
    if _spool_backend is None:
        # Imported here, not at the top: this module is the task backend
        # Django loads while reading settings, before the app registry is
        # ready, and django_tasks_db's backend imports its models (no import
        # circle is hidden by it). ``_task_to_db_task`` (used above) is that
        # backend's own row builder, a private method: an upgrade of
        # django-tasks-db that renames it fails
        # tests/stack/test_livefeed_redis.py and lede/core/tests/test_queue.py.
        from django_tasks_db.backend import DatabaseBackend

        _spool_backend = DatabaseBackend(SPOOL_BACKEND, {})
    return _spool_backend


@contextmanager
def no_spool() -> Iterator[None]:
    """Enqueue without the spool: an unreachable Redis raises (the scheduler's
    periodic tasks come again at its next tick; spooling them would pile up
    copies)."""
    token = _spooling.set(False)
    try:
        yield
    finally:
        _spooling.reset(token)


def queue_drain_spool(limit: int = 500) -> int:
    """Move the spooled tasks to the queue, oldest first; return how many.

    Run by the scheduler each tick. Each row is locked, enqueued, then deleted
    in one transaction: a crash in between enqueues it twice at worst (tasks
    are idempotent, see the module docstring). Stops at the first failure
    (Redis still away)."""
    # Models: imported once the apps are loaded (see _spool).
    from django_tasks_db.models import DBTaskResult, get_date_max

    moved = 0
    ids = list(
        DBTaskResult.objects.filter(backend_name=SPOOL_BACKEND)
        .order_by("enqueued_at")
        .values_list("id", flat=True)[:limit]
    )
    for pk in ids:
        with transaction.atomic():
            row = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, backend_name=SPOOL_BACKEND)
                .first()
            )
            if row is None:
                continue  # drained by another scheduler
            later = None if row.run_after == get_date_max() else row.run_after
            task = import_string(row.task_path).using(
                priority=row.priority, queue_name=row.queue_name, run_after=later
            )
            with no_spool():
                task.enqueue(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
            row.delete()
        moved += 1
    return moved


# --- Introspection (metrics, /readyz) --------------------------------------


def _backend() -> Any:
    return task_backends["default"]


# Probes and metrics must answer fast, even when Redis hangs.
PROBE_SOCKET_TIMEOUT = 2.0


def _rq_queues(backend: Any, *, probe: bool = False) -> list[Any]:
    import django_rq

    queues = [django_rq.get_queue(name) for name in sorted(backend.queues)]
    if probe:
        for rq_queue in queues:  # a new client (and pool) per get_queue()
            rq_queue.connection.connection_pool.connection_kwargs.update(
                socket_connect_timeout=PROBE_SOCKET_TIMEOUT, socket_timeout=PROBE_SOCKET_TIMEOUT
            )
    return queues


def _is_db_backend(backend: Any) -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(backend, DatabaseBackend)


def queue_ping() -> None:
    """Raise if the task queue cannot be reached (Redis down, database down)."""
    backend = _backend()
    if isinstance(backend, TasksRQBackend):
        for queue in _rq_queues(backend, probe=True):
            queue.connection.ping()
    elif _is_db_backend(backend):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.only("pk").first()


def queue_depth() -> int | None:
    """Number of tasks waiting to run; None when unknown (a backend without a
    queue, or the queue unreachable: metrics must not fail with Redis)."""
    backend = _backend()
    try:
        if isinstance(backend, TasksRQBackend):
            return sum(int(queue.count) for queue in _rq_queues(backend, probe=True))
        if _is_db_backend(backend):
            from django_tasks_db.models import DBTaskResult

            return DBTaskResult.objects.ready().count()
    except Exception:  # unknown: never raise to a probe or a metrics scrape
        logger.warning("queue depth unavailable", exc_info=True)
    return None


def heartbeat_record(*, now: float | None = None) -> float:
    """Called by the worker (the heartbeat task): remember when a worker last
    ran a task."""
    stamp = time.time() if now is None else now
    cache.set(HEARTBEAT_CACHE_KEY, stamp, timeout=None)
    return stamp


def worker_heartbeat_age(*, now: float | None = None) -> float | None:
    """Seconds since a worker last ran the heartbeat task; None if it never did
    (or the cache is unreachable).

    The cache is shared by web nodes and workers in production (Redis). In the
    demo each process has its own local-memory cache, so for the database
    backend the last successful heartbeat row answers instead.
    """
    now = time.time() if now is None else now
    stamp: float | None = None
    try:
        value = cache.get(HEARTBEAT_CACHE_KEY)
        stamp = float(value) if value is not None else None
    except Exception:  # unknown: never raise to a probe or a metrics scrape
        logger.warning("worker heartbeat unavailable", exc_info=True)
    if stamp is None and _is_db_backend(_backend()):
        from django_tasks_db.models import DBTaskResult

        last = (
            DBTaskResult.objects.successful()
            .filter(task_path=HEARTBEAT_TASK, finished_at__isnull=False)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        stamp = last.timestamp() if last is not None else None
    if stamp is None:
        return None
    return max(0.0, now - stamp)


# --- Reaping abandoned jobs (run by the scheduler) -------------------------


def queue_reap_abandoned() -> int:
    """Put back in the queue the jobs whose worker died; return how many.

    Nothing to do for backends other than RQ. Runs under rq's maintenance lock
    of each queue so that it never races a worker's own registry cleanup.
    """
    backend = _backend()
    if not isinstance(backend, TasksRQBackend):
        return 0
    total = 0
    for queue in _rq_queues(backend):
        if not queue.acquire_maintenance_lock():
            continue  # a worker is cleaning this queue right now
        try:
            total += _reap_started(queue) + _reap_intermediate(queue)
        finally:
            queue.release_maintenance_lock()
    return total


def _reap_started(queue: Any) -> int:
    """Abandoned executions: rq's cleanup re-enqueues those with retries left."""
    registry = queue.started_job_registry
    now = time.time()
    expired = registry.get_expired_job_ids(now)
    rerun = 0
    for job_id in expired:
        job = queue.fetch_job(job_id)
        if job is not None and job.get_status(refresh=False) == JobStatus.STARTED:
            if job.retries_left:
                rerun += 1
            logger.warning(
                "task %s (%s) abandoned by its worker: %s",
                job_id,
                job.func_name,
                "enqueued again" if job.retries_left else "no rerun left, failed",
            )
    if expired:
        registry.cleanup(now)
    return rerun


def _reap_intermediate(queue: Any) -> int:
    """Jobs a worker moved to the intermediate queue and never started."""
    intermediate = queue.intermediate_queue
    started = queue.started_job_registry
    requeued = 0
    for job_id in intermediate.get_job_ids():
        job = queue.fetch_job(job_id)
        if job is None:
            intermediate.remove(job_id)
            continue
        if job_id in started or job.get_status(refresh=False) != JobStatus.QUEUED:
            continue  # started (the started registry's business) or finished
        if intermediate.set_first_seen(job_id):
            continue  # first sighting: a live worker may be about to start it
        first_seen = intermediate.get_first_seen(job_id)
        if first_seen is None or time.time() - first_seen.timestamp() < INTERMEDIATE_GRACE_SECONDS:
            continue
        with queue.connection.pipeline() as pipe:
            pipe.lrem(intermediate.key, 1, job_id)
            pipe.delete(intermediate.get_first_seen_key(job_id))
            queue.push_job_id(job_id, pipeline=pipe, at_front=True)
            pipe.execute()
        logger.warning("task %s (%s) stuck before its start: enqueued again", job_id, job.func_name)
        requeued += 1
    return requeued


# --- One run at a time ------------------------------------------------------


@contextmanager
def single_flight(name: str) -> Iterator[bool]:
    """Hold a PostgreSQL advisory lock named ``name`` while the block runs.

    Yields False when another process holds it: the caller skips its run (the
    next tick does it). The lock belongs to the database session, so a worker
    killed mid-run never leaves it behind. On other databases (SQLite: the
    demo and its single worker) it always yields True.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    key = zlib.crc32(f"lede:{name}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        row = cursor.fetchone()
    acquired = bool(row and row[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
