"""Kill the worker in the middle of a batch of 1,000 tasks: after a restart,
every task has run, each effect is there exactly once, no task is lost.

A real ``manage.py rqworker`` subprocess with the production settings, the
queue in Redis database 6 (derived from REDIS_URL's host) and this test's
PostgreSQL database; SIGKILL to the worker and all its processes (work horse,
rq scheduler) while a task is known to be running; a new worker; the reaper
run as the scheduler runs it. See lede/core/testing/worker_kill.py.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

from lede.core.testing.tasks import probe_tables_drop
from lede.core.testing.worker_kill import (
    process_tree_kill,
    redis_url_with_db,
    rq_worker_start,
    worker_kill_scenario,
)

REDIS_URL = os.environ.get("REDIS_URL", "")
ON_POSTGRESQL = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.slow,  # minutes: a thousand tasks, a worker killed and restarted
    pytest.mark.redis,  # the queue uses REDIS_URL's database 6
    pytest.mark.skipif(
        not ON_POSTGRESQL, reason="needs a PostgreSQL DATABASE_URL (a worker process shares it)"
    ),
    pytest.mark.django_db(transaction=True),  # the worker must see committed rows
]


def _database_url() -> str:
    db = connection.settings_dict  # NAME is the test database's here
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def queue_db6(settings: Any) -> Iterator[str]:
    from redis import Redis

    url = redis_url_with_db(REDIS_URL, 6)
    redis = Redis.from_url(url)
    redis.flushdb()
    settings.RQ_QUEUES = {
        "default": {
            "URL": url,
            "DEFAULT_TIMEOUT": 10,
            "QUEUE_CLASS": "lede.core.queue.RetryingQueue",
        }
    }
    settings.RQ = {"JOB_CLASS": "lede.core.queue.Job"}
    settings.TASKS = {"default": {"BACKEND": "lede.core.queue.RQBackend", "QUEUES": ["default"]}}
    try:
        yield url
    finally:
        redis.flushdb()
        redis.close()
        probe_tables_drop()


def _worker_env(queue_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "LEDE_", "SENTRY"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=_database_url(),
        DB_CONN_MAX_AGE="0",
        REDIS_URL=queue_url,
        LEDE_QUEUE_REDIS_URL=queue_url,
        # The job timeout also sets how long a dead worker's job stays
        # "started" (min(timeout, 30) + 60 s): shorter, the test is faster.
        LEDE_TASK_TIMEOUT="10",
        LOG_FORMAT="text",
        LOG_LEVEL="WARNING",
    )
    return env


def test_kill_the_worker_in_the_middle_of_1000_tasks(queue_db6: str, tmp_path: Path) -> None:
    env = _worker_env(queue_db6)
    log_path = tmp_path / "workers.log"
    workers: list[subprocess.Popen[bytes]] = []
    with log_path.open("ab") as log:

        def start_worker() -> None:
            workers.append(rq_worker_start(env=env, log=log))

        def kill_worker() -> None:
            process_tree_kill(workers[-1], signal.SIGKILL)

        start_worker()
        try:
            report = worker_kill_scenario(
                kill_worker=kill_worker, start_worker=start_worker, count=1000, timeout=900
            )
        finally:
            for worker in workers:
                process_tree_kill(worker, signal.SIGKILL)
    details = f"{report}\n--- workers' log (end) ---\n{log_path.read_text()[-3000:]}"
    print(details)  # the figures, for -s runs
    assert workers[0].returncode == -signal.SIGKILL, details
    # The kill came mid-batch, while a task was running (before its effect).
    assert report.in_flight_after_kill, details
    assert 0 < report.effects_at_kill < report.tasks, details
    assert report.depth_at_kill is not None and report.depth_at_kill > 0, details
    # After the restart: everything ran, each effect exactly once.
    assert report.drained, details
    assert report.counts.effects == report.tasks == 1000, details
    assert report.counts.total == 1000, details  # no effect applied twice
    # The task killed mid-run was run again (by the reaper's requeue).
    assert report.in_flight_key in report.counts.rerun_keys, details
    assert report.reaped >= 1, details
    assert report.counts.executions >= 1001, details
