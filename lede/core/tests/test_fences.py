"""Fences around the code that leans on other libraries' internals.

Four pieces of lede/core rely on how Django, asgiref, psycopg_pool, rq and
django-tasks-rq work inside, not only on their documented API (why each one
exists, with its measurements: docs/performance-internals.md):

- lede/core/asgi.py (LedeASGIHandler): Django's ASGI handler with its sync
  path rewritten; it calls ASGIHandler's helpers and copies what
  ``ASGIHandler.handle``, ``run_get_response`` and ``WSGIHandler.__call__`` do;
- lede/core/send_deadline.py (with EventStreamResponse, lede/livefeed/views.py):
  ends a stuck stream through ``ASGIHandler.handle``'s own disconnect path;
- lede/core/db_pool.py: swaps psycopg_pool's private ``_check`` on the pool
  Django builds;
- lede/core/queue.py: rq's job retries, started registry, intermediate queue
  and maintenance lock, driven from the scheduler.

Each test names the assumption and the file to revisit when an upgrade breaks
it. Where Lede copies library code, a fingerprint of that code fails on any
change to it: re-read the new version against Lede's copy, port what
changed, then update the fingerprint here (``fingerprint()`` prints it).
The fast path's own fence (identical headers on both roads) lives with the
paywall's tests.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import os
import secrets
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
DOC = "docs/performance-internals.md"

ASGI = "lede/core/asgi.py"
DEADLINE = "lede/core/send_deadline.py and EventStreamResponse in lede/livefeed/views.py"
POOL = "lede/core/db_pool.py"
QUEUE = "lede/core/queue.py"


def fence(ok: object, *, assumption: str, revisit: str) -> None:
    """Fail with a message naming the broken assumption and where to look."""
    if not ok:
        pytest.fail(
            f"An upgraded library broke an assumption of {revisit}:\n  {assumption}\n"
            f"Revisit {revisit} (and its section in {DOC}) before upgrading.",
            pytrace=False,
        )


def fingerprint(obj: Any) -> str:
    """A short hash of a library function's source, to notice any change to
    code Lede copies or works around."""
    source = textwrap.dedent(inspect.getsource(obj))
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def fence_fingerprint(obj: Any, expected: str, *, what: str, revisit: str) -> None:
    got = fingerprint(obj)
    fence(
        got == expected,
        assumption=(
            f"{obj.__module__}.{obj.__qualname__} is unchanged ({what}). Its source "
            f"changed (fingerprint {got}, was {expected}): compare the new code with "
            f"{revisit}, port what changed, then put the new fingerprint in "
            "lede/core/tests/test_fences.py."
        ),
        revisit=revisit,
    )


def parameters(func: Any) -> list[str]:
    return list(inspect.signature(func).parameters)


def fence_signature(func: Any, expected: list[str], *, revisit: str) -> None:
    fence(
        callable(func) and parameters(func)[: len(expected)] == expected,
        assumption=(
            f"{getattr(func, '__qualname__', func)} takes ({', '.join(expected)}); "
            f"it now takes ({', '.join(parameters(func)) if callable(func) else 'nothing'})."
        ),
        revisit=revisit,
    )


def wait_for(condition: Callable[[], bool], *, deadline_seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + deadline_seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# --- lede/core/asgi.py: Django's ASGI handler, asgiref ----------------------


def test_asgi_handler_helpers_keep_their_shape() -> None:
    """LedeASGIHandler.handle_sync/respond call these ASGIHandler helpers
    directly instead of going through ASGIHandler.handle."""
    from django.core.handlers.asgi import ASGIHandler
    from django.core.handlers.base import BaseHandler

    for name in ("read_body", "send_response", "handle"):
        fence(
            inspect.iscoroutinefunction(getattr(ASGIHandler, name, None)),
            assumption=f"ASGIHandler.{name} is a coroutine function.",
            revisit=ASGI,
        )
    fence_signature(ASGIHandler.read_body, ["self", "receive"], revisit=ASGI)
    fence_signature(ASGIHandler.create_request, ["self", "scope", "body_file"], revisit=ASGI)
    fence_signature(ASGIHandler.send_response, ["self", "response", "send"], revisit=ASGI)
    fence_signature(ASGIHandler.handle, ["self", "scope", "receive", "send"], revisit=ASGI)
    fence(
        isinstance(getattr(ASGIHandler, "chunk_size", None), int),
        assumption="ASGIHandler.chunk_size is the block size Django gives FileResponses.",
        revisit=ASGI,
    )
    # The sync chain: loaded a second time, in sync mode, as WSGIHandler does.
    fence_signature(BaseHandler.load_middleware, ["self", "is_async"], revisit=ASGI)
    fence_signature(BaseHandler.get_response, ["self", "request"], revisit=ASGI)
    try:
        from django.core.handlers.asgi import get_script_prefix
    except ImportError:
        get_script_prefix = None  # type: ignore[assignment]
    fence(
        callable(get_script_prefix),
        assumption="django.core.handlers.asgi.get_script_prefix(scope) exists.",
        revisit=ASGI,
    )


def test_the_django_code_the_asgi_handler_copies_is_unchanged() -> None:
    """respond() does what WSGIHandler.__call__ and ASGIHandler.run_get_response
    do (script prefix, request_started, the request, the chain, _handler_class,
    FileResponse.block_size); handle_sync() replaces ASGIHandler.handle for sync
    pages. A change to any of them (a security fix, a new signal argument)
    must be ported by hand."""
    from django.core.handlers.asgi import ASGIHandler
    from django.core.handlers.wsgi import WSGIHandler

    fence_fingerprint(
        ASGIHandler.handle,
        "ab2236e287c805bf",
        what="handle_sync() is its one-trip replacement for sync pages",
        revisit=ASGI,
    )
    fence_fingerprint(
        ASGIHandler.run_get_response,
        "3e3f9e6ae0246458",
        what="respond() copies what it does to the response",
        revisit=ASGI,
    )
    fence_fingerprint(
        WSGIHandler.__call__,
        "8883fe1b2f748602",
        what="respond() runs the same steps on the request's thread",
        revisit=ASGI,
    )


def test_a_stuck_stream_still_ends_through_djangos_disconnect_path() -> None:
    """SendDeadline cuts a stream whose send waits too long by answering
    ``http.disconnect``: handle() (fingerprinted above) must still race
    listen_for_disconnect against the response, cancel the response's task
    on a disconnect and take a CancelledError during send_response as the
    client gone; send_response must still iterate ``aiter(response)`` under
    ``aclosing`` (EventStreamResponse closes its generator there). The
    behaviour itself: lede/livefeed/tests/test_slow_consumer.py."""
    from django.core.handlers.asgi import ASGIHandler

    fence_fingerprint(
        ASGIHandler.listen_for_disconnect,
        "f5cd1839116b8dde",
        what="an http.disconnect message raises RequestAborted",
        revisit=DEADLINE,
    )
    fence_fingerprint(
        ASGIHandler.send_response,
        "a018b8604a20e744",
        what="a streamed body is iterated through aclosing(aiter(response))",
        revisit=DEADLINE,
    )


def test_read_body_reports_an_early_disconnect_as_request_aborted() -> None:
    from django.core.exceptions import RequestAborted
    from django.core.handlers.asgi import ASGIHandler

    handler = ASGIHandler()

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    aborted = False
    try:
        asyncio.run(handler.read_body(receive))
    except RequestAborted:
        aborted = True
    fence(
        aborted,
        assumption="ASGIHandler.read_body raises RequestAborted when the client has gone "
        "(handle_sync then returns without running the view).",
        revisit=ASGI,
    )


def test_create_request_returns_a_request_or_an_error_response() -> None:
    """respond() sends the error response create_request gives for a request
    Django refuses before any middleware runs."""
    import io

    from django.core.handlers.asgi import ASGIHandler
    from django.http import HttpRequest, HttpResponseBase

    handler = ASGIHandler()
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
    }
    request, error = handler.create_request(scope, io.BytesIO(b""))
    fence(
        isinstance(request, HttpRequest) and error is None,
        assumption="ASGIHandler.create_request(scope, body_file) returns (request, None).",
        revisit=ASGI,
    )
    request, error = handler.create_request(dict(scope, query_string=b"\xff"), io.BytesIO(b""))
    fence(
        request is None and isinstance(error, HttpResponseBase) and error.status_code == 400,
        assumption="ASGIHandler.create_request returns (None, a 400 response) for a query "
        "string that is not UTF-8.",
        revisit=ASGI,
    )


def test_non_http_scopes_are_refused_by_djangos_handler() -> None:
    """LedeASGIHandler passes any scope but "http" to Django's __call__, which
    refuses it (Lede serves no websocket)."""
    from django.core.handlers.asgi import ASGIHandler

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: Any) -> None:
        return None

    refused = False
    try:
        asyncio.run(ASGIHandler()({"type": "websocket"}, receive, send))
    except ValueError:
        refused = True
    fence(
        refused,
        assumption="Django's ASGIHandler raises ValueError for a non-HTTP scope. If it "
        "now serves one, decide what LedeASGIHandler does with it.",
        revisit=ASGI,
    )


def test_closing_a_response_sends_request_finished(monkeypatch: pytest.MonkeyPatch) -> None:
    """respond() closes a non-streaming response on the request's thread:
    request_finished is what returns the database connection there, through
    Django's own receiver (close_old_connections)."""
    from django.core.signals import request_finished
    from django.db import close_old_connections
    from django.http import HttpResponse

    connected = request_finished.disconnect(close_old_connections)
    if connected:
        request_finished.connect(close_old_connections)
    fence(
        connected,
        assumption="django.db connects close_old_connections to request_finished.",
        revisit=ASGI,
    )
    sent: list[object] = []

    def send(sender: object, **kwargs: object) -> list[Any]:
        sent.append(sender)
        return []

    # The signal's sending is what is checked, not its receivers (which would
    # touch this test's database connection).
    monkeypatch.setattr(request_finished, "send", send)
    HttpResponse(b"ok").close()
    fence(
        sent,
        assumption="HttpResponseBase.close() sends request_finished.",
        revisit=ASGI,
    )


def test_asgiref_runs_thread_sensitive_code_on_the_executor_it_is_lent() -> None:
    """asgiref (3.13 here): ThreadSensitiveContext(executor=...) runs the block's
    thread-sensitive calls on the caller's executor and does not shut it down."""
    from asgiref.sync import ThreadSensitiveContext, sync_to_async

    executor = ThreadPoolExecutor(max_workers=1)
    try:
        executor_thread = executor.submit(threading.get_ident).result(timeout=30)

        async def in_context() -> int:
            async with ThreadSensitiveContext(executor=executor):
                return await sync_to_async(threading.get_ident, thread_sensitive=True)()

        try:
            ran_on = asyncio.run(in_context())
        except TypeError:
            ran_on = None
        fence(
            ran_on == executor_thread,
            assumption="ThreadSensitiveContext(executor=...) runs sync_to_async("
            "thread_sensitive=True) calls on that executor's thread.",
            revisit=ASGI,
        )
        try:
            again = executor.submit(threading.get_ident).result(timeout=30)
        except RuntimeError:
            again = None
        fence(
            again == executor_thread,
            assumption="ThreadSensitiveContext leaves the executor it was lent running "
            "(ExecutorPool gives it to the next request).",
            revisit=ASGI,
        )
    finally:
        executor.shutdown(wait=False)


# --- lede/core/db_pool.py: psycopg_pool's private _check ---------------------


def test_psycopg_pool_keeps_the_check_where_db_pool_swaps_it() -> None:
    from psycopg_pool import ConnectionPool

    fence(
        isinstance(inspect.getattr_static(ConnectionPool, "check_connection"), staticmethod),
        assumption="ConnectionPool.check_connection is a static method (install() "
        "compares the pool's check with it; make_check() calls it).",
        revisit=POOL,
    )
    fence_signature(ConnectionPool.check_connection, ["conn"], revisit=POOL)

    def custom(conn: Any) -> None:
        return None

    pool = ConnectionPool("", open=False, check=custom)
    fence(
        getattr(pool, "_check", None) is custom,
        assumption="ConnectionPool(check=...) keeps the callable as the private "
        "attribute _check, which install() replaces on the pool Django built.",
        revisit=POOL,
    )
    fence(
        callable(getattr(pool, "check", None)) and parameters(pool.check) == [],
        assumption="ConnectionPool.check() (no argument) checks every idle connection: "
        "the sweep calls it.",
        revisit=POOL,
    )


def test_the_psycopg_pool_code_db_pool_works_around_is_unchanged() -> None:
    """The reason for db_pool.py: getconn() checks one connection at a time and
    waits (1 s, then 2 s) after each further broken one. If this loop changed,
    the sweep may have become useless (or wrong): re-measure with
    lede/core/tests/test_db_pool.py and the swap disabled."""
    from psycopg_pool import ConnectionPool

    fence_fingerprint(
        ConnectionPool._getconn_with_check_loop,
        "85c2cc76b6d822d1",
        what="it calls self._check_connection -> self._check on each lent "
        "connection, outside the pool's lock, and backs off between failures",
        revisit=POOL,
    )


def _pool_settings(**extra: Any) -> dict[str, Any]:
    settings_dict: dict[str, Any] = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "OPTIONS": {"pool": {"min_size": 1, "max_size": 2, "timeout": 10}},
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": True,
        "TIME_ZONE": None,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TEST": {},
    }
    settings_dict.update(extra)
    return settings_dict


@pytest.fixture
def pool_wrapper() -> Iterator[Callable[..., Any]]:
    """A Django PostgreSQL connection with a pool, under an alias of its own
    (Django keeps pools per alias in a class attribute)."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    made: list[Any] = []

    def make(**settings_extra: Any) -> Any:
        alias = f"fence_{secrets.token_hex(4)}"
        wrapper = DatabaseWrapper(_pool_settings(**settings_extra), alias=alias)
        made.append(wrapper)
        return wrapper

    yield make
    for wrapper in made:
        pools = type(wrapper)._connection_pools
        pool = pools.pop(wrapper.alias, None)
        if pool is not None:
            try:
                wrapper.close()
            finally:
                pool.close()


def test_django_builds_its_pool_with_psycopg_pools_own_check(
    pool_wrapper: Callable[..., Any],
) -> None:
    """install() only replaces the check Django sets with CONN_HEALTH_CHECKS
    (the production settings turn it on); it leaves any other alone."""
    from django.db.backends.postgresql.base import DatabaseWrapper
    from psycopg_pool import ConnectionPool

    from lede.core.db_pool import install

    fence_fingerprint(
        inspect.getattr_static(DatabaseWrapper, "pool").fget,
        "4efb637a60942470",
        what="Django builds one psycopg_pool ConnectionPool per alias, with "
        "check=ConnectionPool.check_connection when CONN_HEALTH_CHECKS is on",
        revisit=POOL,
    )
    wrapper = pool_wrapper()
    pool = wrapper.pool  # built, not opened: no server needed
    fence(
        isinstance(pool, ConnectionPool) and pool._check is ConnectionPool.check_connection,
        assumption="connection.pool is a psycopg_pool ConnectionPool whose _check is "
        "ConnectionPool.check_connection when CONN_HEALTH_CHECKS is on.",
        revisit=POOL,
    )
    install(wrapper)
    fence(
        pool._check is not ConnectionPool.check_connection and callable(pool._check),
        assumption="install() swaps the sweeping check onto connection.pool._check.",
        revisit=POOL,
    )


needs_postgresql = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)"
)


def _maintenance_url() -> str:
    return DATABASE_URL.rsplit("/", 1)[0] + "/postgres"


def _wrapper_settings_from_url() -> dict[str, Any]:
    from urllib.parse import urlsplit

    url = urlsplit(_maintenance_url())
    return {
        "USER": url.username or "",
        "PASSWORD": url.password or "",
        "HOST": url.hostname or "",
        "PORT": str(url.port or ""),
    }


@needs_postgresql
def test_the_pool_check_is_installed_when_django_connects(
    pool_wrapper: Callable[..., Any], django_db_blocker: Any
) -> None:
    """CoreConfig.ready() connects install() to connection_created; Django
    sends it once the pool has lent the connection."""
    from psycopg_pool import ConnectionPool

    wrapper = pool_wrapper(**_wrapper_settings_from_url())
    with django_db_blocker.unblock():  # a connection of its own, not the test database
        wrapper.connect()
    fence(
        wrapper.pool._check is not ConnectionPool.check_connection,
        assumption="connection_created is sent with a connection whose .pool is the "
        "pool Django built, so install() swaps the check on the first connection.",
        revisit=POOL,
    )


@pytest.fixture
def psycopg_pool() -> Iterator[tuple[Any, str]]:
    """A psycopg_pool of two connections on the maintenance database, named so
    that a test can end its server processes as a PostgreSQL restart does."""
    from psycopg_pool import ConnectionPool

    app = f"lede-fence-{secrets.token_hex(4)}"
    pool = ConnectionPool(
        _maintenance_url(),
        kwargs={"application_name": app, "autocommit": True},
        min_size=2,
        max_size=2,
        check=ConnectionPool.check_connection,
        open=False,
    )
    pool.open(wait=True, timeout=30)
    try:
        yield pool, app
    finally:
        pool.close()


def _end_backends(app: str, *, count: int | None = None) -> int:
    import psycopg

    with psycopg.connect(_maintenance_url(), autocommit=True) as admin:
        pids = [
            row[0]
            for row in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (app,)
            ).fetchall()
        ][:count]
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

        def gone() -> bool:
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,)
            ).fetchone()
            return row is not None and row[0] == 0

        wait_for(gone)
    return len(pids)


@needs_postgresql
def test_getconn_runs_the_swapped_check_outside_the_pool_lock(
    psycopg_pool: tuple[Any, str],
) -> None:
    """The sweep calls pool.check() from inside the check getconn() runs: that
    works only if getconn() calls pool._check without holding the pool's lock."""
    import psycopg
    from psycopg_pool import ConnectionPool

    pool, _app = psycopg_pool
    checked: list[object] = []

    def sweeping_check(conn: Any) -> None:
        checked.append(conn)
        pool.check()
        ConnectionPool.check_connection(conn)

    pool._check = sweeping_check
    outcome: dict[str, object] = {}

    def borrow() -> None:
        try:
            with pool.connection(timeout=10) as conn:
                outcome["row"] = conn.execute("SELECT 1").fetchone()
        except psycopg.Error as exc:  # PoolTimeout too: reported below with the assumption
            outcome["error"] = exc

    thread = threading.Thread(target=borrow, daemon=True)
    thread.start()
    thread.join(timeout=60)
    fence(
        checked,
        assumption="getconn() calls the pool's _check on the connection it lends.",
        revisit=POOL,
    )
    fence(
        not thread.is_alive() and outcome.get("row") == (1,),
        assumption="getconn() runs _check outside the pool's lock: calling pool.check() "
        f"from the check must not deadlock (got {outcome or 'no answer'}).",
        revisit=POOL,
    )


@needs_postgresql
def test_pool_check_drops_the_broken_idle_connections_and_keeps_the_good(
    psycopg_pool: tuple[Any, str],
) -> None:
    pool, app = psycopg_pool
    fence(
        wait_for(lambda: pool.get_stats()["pool_available"] == 2),
        assumption="the pool opened two connections",
        revisit=POOL,
    )
    lost_before = pool.get_stats().get("connections_lost", 0)
    assert _end_backends(app, count=1) == 1
    pool.check()
    stats = pool.get_stats()
    fence(
        stats.get("connections_lost", 0) - lost_before == 1,
        assumption="pool.check() finds and drops the broken idle connection, counted in "
        f"get_stats()['connections_lost'] (stats: {stats}).",
        revisit=POOL,
    )
    with pool.connection(timeout=10) as conn:
        row = conn.execute("SELECT 1").fetchone()
    fence(
        row == (1,),
        assumption="after pool.check() the pool lends a working connection at once.",
        revisit=POOL,
    )


# --- lede/core/queue.py: rq's retries, registries and intermediate queue -----


def test_rq_job_creation_accepts_a_retry_budget() -> None:
    from django_rq.queues import DjangoRQ
    from rq import Queue
    from rq.job import Retry

    fence(
        issubclass(DjangoRQ, Queue),
        assumption="django_rq's DjangoRQ is an rq Queue (RetryingQueue extends it).",
        revisit=QUEUE,
    )
    fence(
        "retry" in parameters(Queue.create_job),
        assumption="Queue.create_job(..., retry=Retry(...)) exists: RetryingQueue gives "
        "every job its reruns there.",
        revisit=QUEUE,
    )
    fence(
        Retry(max=3).max == 3,
        assumption="rq.job.Retry(max=n) gives a job n retries (job.retries_left).",
        revisit=QUEUE,
    )


def test_rq_spends_retries_on_exceptions_through_should_retry_only() -> None:
    """queue.Job.should_retry is False so that a task that raises is not run
    again; rq's registry cleanup of abandoned jobs must decide on retries_left
    (not should_retry), or the reruns for dead workers are lost."""
    from rq.job import Job
    from rq.registry import StartedJobRegistry
    from rq.worker.base import BaseWorker

    fence(
        isinstance(inspect.getattr_static(Job, "should_retry"), property),
        assumption="rq's Job.should_retry is a property (queue.Job overrides it).",
        revisit=QUEUE,
    )
    failure_path = inspect.getsource(BaseWorker.handle_job_failure)
    fence(
        "job.should_retry" in failure_path,
        assumption="the worker's failure path (BaseWorker.handle_job_failure) retries a job "
        "that raised only when job.should_retry says so.",
        revisit=QUEUE,
    )
    cleanup = inspect.getsource(StartedJobRegistry.cleanup)
    fence(
        "should_retry" not in cleanup and "retries_left" in cleanup,
        assumption="StartedJobRegistry.cleanup() re-enqueues an abandoned job when "
        "job.retries_left > 0, whatever should_retry says.",
        revisit=QUEUE,
    )
    fence_fingerprint(
        StartedJobRegistry.cleanup,
        "3f15393e8e288175",
        what="_reap_started() counts what it will do (STARTED jobs, retries_left) "
        "and then calls it",
        revisit=QUEUE,
    )


def test_the_rq_pieces_the_reaper_drives_keep_their_shape() -> None:
    from rq import Queue
    from rq.intermediate_queue import IntermediateQueue
    from rq.job import Job, JobStatus
    from rq.registry import StartedJobRegistry

    fence_signature(StartedJobRegistry.get_expired_job_ids, ["self", "timestamp"], revisit=QUEUE)
    fence_signature(StartedJobRegistry.cleanup, ["self", "timestamp"], revisit=QUEUE)
    fence(
        "__contains__" in vars(StartedJobRegistry) or hasattr(StartedJobRegistry, "__contains__"),
        assumption="`job_id in queue.started_job_registry` tells whether a job started.",
        revisit=QUEUE,
    )
    fence_signature(Queue.acquire_maintenance_lock, ["self"], revisit=QUEUE)
    fence_signature(Queue.release_maintenance_lock, ["self"], revisit=QUEUE)
    fence_signature(Queue.fetch_job, ["self", "job_id"], revisit=QUEUE)
    fence_signature(Queue.push_job_id, ["self", "job_id", "pipeline", "at_front"], revisit=QUEUE)
    for name in ("started_job_registry", "intermediate_queue"):
        fence(
            isinstance(inspect.getattr_static(Queue, name, None), property),
            assumption=f"Queue.{name} is a property.",
            revisit=QUEUE,
        )
    fence_signature(Job.get_status, ["self", "refresh"], revisit=QUEUE)
    fence(
        {"STARTED", "QUEUED"} <= {status.name for status in JobStatus},
        assumption="rq's JobStatus has STARTED and QUEUED.",
        revisit=QUEUE,
    )
    fence_signature(IntermediateQueue.get_job_ids, ["self"], revisit=QUEUE)
    fence_signature(IntermediateQueue.remove, ["self", "job_id"], revisit=QUEUE)
    fence_signature(IntermediateQueue.set_first_seen, ["self", "job_id"], revisit=QUEUE)
    fence_signature(IntermediateQueue.get_first_seen, ["self", "job_id"], revisit=QUEUE)
    fence_signature(IntermediateQueue.get_first_seen_key, ["self", "job_id"], revisit=QUEUE)
    fence(
        "key" in inspect.getsource(IntermediateQueue.__init__),
        assumption="IntermediateQueue.key is the Redis list the worker moves a job id to "
        "between dequeuing and starting it (_reap_intermediate LREMs it).",
        revisit=QUEUE,
    )


def test_rqs_own_intermediate_queue_cleanup_is_unchanged() -> None:
    """_reap_intermediate() follows rq's IntermediateQueue.cleanup (first
    sighting, then a minute's grace; a job in the started registry is not
    stuck) but puts the job back in the queue instead of failing it. If rq
    changes how it recognises a stuck job (its TODO: by execution id), the
    reaper must follow, or it could requeue a job a live worker holds."""
    from rq.intermediate_queue import IntermediateQueue

    fence_fingerprint(
        IntermediateQueue.cleanup,
        "784ecc7619d6e469",
        what="_reap_intermediate() recognises a stuck job the same way",
        revisit=QUEUE,
    )


def test_django_rq_honours_the_queue_and_job_classes_lede_configures(settings: Any) -> None:
    import django_rq
    from django_rq.jobs import get_job_class

    from lede.core.queue import Job, RetryingQueue

    settings.RQ_QUEUES = {
        "default": {
            "URL": "redis://127.0.0.1:1/0",  # never contacted: nothing is sent
            "QUEUE_CLASS": "lede.core.queue.RetryingQueue",
        }
    }
    settings.RQ = {"JOB_CLASS": "lede.core.queue.Job"}
    fence(
        isinstance(django_rq.get_queue("default"), RetryingQueue),
        assumption="django_rq builds the queue with RQ_QUEUES[...]['QUEUE_CLASS'] "
        "(config/settings/production.py sets RetryingQueue).",
        revisit=QUEUE,
    )
    fence(
        get_job_class() is Job,
        assumption="django_rq (and so `manage.py rqworker`) uses RQ['JOB_CLASS'] for the "
        "jobs it runs (config/settings/production.py sets lede.core.queue.Job).",
        revisit=QUEUE,
    )


def test_django_tasks_rq_creates_its_jobs_through_the_queue(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RetryingQueue.create_job adds the reruns: the backend must create its
    jobs with queue.create_job (without a retry of its own) and enqueue the
    highest priority at the front (the heartbeat relies on it)."""
    from lede.core import queue
    from lede.core.tasks import heartbeat

    settings.RQ_QUEUES = {
        "default": {
            "URL": "redis://127.0.0.1:1/0",  # never contacted: enqueue_job is stubbed
            "QUEUE_CLASS": "lede.core.queue.RetryingQueue",
        }
    }
    settings.RQ = {"JOB_CLASS": "lede.core.queue.Job"}
    settings.TASKS = {"default": {"BACKEND": "lede.core.queue.RQBackend", "QUEUES": ["default"]}}
    enqueued: list[tuple[Any, bool]] = []

    def enqueue_job(self: Any, job: Any, pipeline: Any = None, at_front: bool = False) -> Any:
        enqueued.append((job, at_front))
        return job

    monkeypatch.setattr(queue.RetryingQueue, "enqueue_job", enqueue_job)
    heartbeat.enqueue()
    fence(
        len(enqueued) == 1,
        assumption="django-tasks-rq's RQBackend.enqueue creates the job with the queue's "
        "create_job and enqueues it with enqueue_job.",
        revisit=QUEUE,
    )
    job, at_front = enqueued[0]
    fence(
        job.retries_left == settings.LEDE_TASK_ABANDONED_RERUNS,
        assumption="a job created by django-tasks-rq gets RetryingQueue's reruns (it "
        f"passes no retry of its own); retries_left is {job.retries_left}.",
        revisit=QUEUE,
    )
    fence(
        at_front,
        assumption="django-tasks-rq enqueues a task of the highest priority at the front "
        "of the queue (queue.RQBackend declares supports_priority for it).",
        revisit=QUEUE,
    )


needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (uses its database 5)")


@pytest.fixture
def rq5() -> Iterator[Any]:
    """A queue of its own in Redis database 5 (tests run in parallel: no
    flush), its keys and its jobs' keys deleted afterwards."""
    from redis import Redis
    from rq import Queue

    from lede.core.queue import Job
    from lede.core.testing.worker_kill import redis_url_with_db

    redis = Redis.from_url(redis_url_with_db(REDIS_URL, 5))
    name = f"fence-{secrets.token_hex(6)}"
    rq_queue = Queue(name, connection=redis, job_class=Job)
    job_ids: list[str] = []
    rq_queue.created_job_ids = job_ids  # type: ignore[attr-defined]
    try:
        yield rq_queue
    finally:
        keys = list(redis.scan_iter(match=f"*{name}*"))
        for job_id in job_ids:
            keys.extend(redis.scan_iter(match=f"*{job_id}*"))
        if keys:
            redis.delete(*keys)
        redis.srem("rq:queues", rq_queue.key)  # rq's list of every queue
        redis.close()


def _abandon(rq_queue: Any, job_id: str) -> None:
    """What a worker killed mid-job leaves (rq 2/3): the job STARTED, out of
    the queue, in the started registry as job_id:execution_id with an expired
    heartbeat."""
    from rq.job import JobStatus

    rq_queue.remove(job_id)
    job = rq_queue.fetch_job(job_id)
    job.set_status(JobStatus.STARTED)
    registry = rq_queue.started_job_registry
    rq_queue.connection.zadd(registry.key, {f"{job_id}:dead-execution": time.time() - 5})


@needs_redis
def test_rq_reruns_an_abandoned_job_that_has_retries_left_even_without_should_retry(
    rq5: Any,
) -> None:
    from rq.job import JobStatus, Retry

    job = rq5.enqueue("lede.core.tasks.heartbeat", retry=Retry(max=1))
    rq5.created_job_ids.append(job.id)
    fence(job.should_retry is False, assumption="queue.Job.should_retry is False", revisit=QUEUE)
    _abandon(rq5, job.id)
    registry = rq5.started_job_registry
    fence(
        registry.get_expired_job_ids(time.time()) == [job.id],
        assumption="StartedJobRegistry.get_expired_job_ids() returns the job ids whose "
        "heartbeat expired (entries are job_id:execution_id).",
        revisit=QUEUE,
    )
    registry.cleanup(time.time())
    job = rq5.fetch_job(job.id)
    fence(
        job.get_status() == JobStatus.QUEUED and rq5.job_ids == [job.id],
        assumption="StartedJobRegistry.cleanup() puts an abandoned job with retries left "
        f"back in its queue (status {job.get_status()}, queue {rq5.job_ids}).",
        revisit=QUEUE,
    )
    fence(
        job.retries_left == 0,
        assumption="a rerun after abandonment spends one of the job's retries.",
        revisit=QUEUE,
    )


@needs_redis
def test_rq_intermediate_queue_records_a_first_sighting_once(rq5: Any) -> None:
    intermediate = rq5.intermediate_queue
    job_id = f"{rq5.name}-job"
    fence(
        intermediate.set_first_seen(job_id) is True
        and intermediate.set_first_seen(job_id) is False,
        assumption="IntermediateQueue.set_first_seen() is True on the first sighting "
        "only (the reaper waits for a second one).",
        revisit=QUEUE,
    )
    fence(
        intermediate.get_first_seen(job_id) is not None
        and intermediate.get_first_seen(f"{rq5.name}-never-seen") is None,
        assumption="IntermediateQueue.get_first_seen() returns the first sighting's time "
        "(a datetime) or None.",
        revisit=QUEUE,
    )
    fence(
        rq5.acquire_maintenance_lock() is True and rq5.acquire_maintenance_lock() is False,
        assumption="Queue.acquire_maintenance_lock() is True for one caller at a time "
        "(the reaper never races a worker's own cleanup).",
        revisit=QUEUE,
    )
    rq5.release_maintenance_lock()
    fence(
        rq5.acquire_maintenance_lock() is True,
        assumption="Queue.release_maintenance_lock() frees the lock.",
        revisit=QUEUE,
    )
    rq5.release_maintenance_lock()
