"""The web nodes' connection pool after PostgreSQL lost every connection
(lede/core/db_pool.py): the next request gets a good connection, not the 503
page after the pool's time-out."""

from __future__ import annotations

import json
import os

import pytest

from lede.core.testing.processes import TEST_SECRET_KEY, manage_in_production

DATABASE_URL = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)"
)
APP_NAME = "lede-pool-test"

# In a child process with production settings and a pool of 4 (3 kept idle):
# fill the pool, have PostgreSQL end every one of its connections (as a
# restart does), then run one query as the next request would.
CHILD = """
import json, time
import psycopg
from django.db import connection
from django.db.utils import OperationalError

def query():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except OperationalError as exc:
        return type(exc.__cause__ or exc).__name__
    finally:
        connection.close()

query()
pool = connection.pool
deadline = time.monotonic() + 10
while pool.get_stats()["pool_available"] < 3 and time.monotonic() < deadline:
    time.sleep(0.05)
idle = pool.get_stats()["pool_available"]
with psycopg.connect(__DSN__, autocommit=True) as admin:
    ended = admin.execute(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE application_name = %s", (__APP__,)
    ).fetchone()[0]
    # pg_terminate_backend only asks: wait until they are gone.
    while admin.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (__APP__,)
    ).fetchone()[0] and time.monotonic() < deadline + 10:
        time.sleep(0.05)
print(json.dumps({"idle": idle, "ended": ended, "after": query(),
                  "lost": pool.get_stats().get("connections_lost", 0)}))
"""


def _database_url() -> str:
    base = DATABASE_URL.rsplit("/", 1)[0]
    return f"{base}/postgres"  # the maintenance database: always there


def test_a_pool_whose_connections_all_broke_serves_the_next_request() -> None:
    url = _database_url()
    result = manage_in_production(
        "shell",
        "-c",
        CHILD.replace("__DSN__", repr(url)).replace("__APP__", repr(APP_NAME)),
        DATABASE_URL=f"{url}?application_name={APP_NAME}",
        DB_POOL_MAX_SIZE="4",
        DB_POOL_MIN_SIZE="3",
        SECRET_KEY=TEST_SECRET_KEY,
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["idle"] >= 3 and outcome["ended"] >= outcome["idle"], outcome
    # Without the sweep: PoolTimeout after 2 s (three failed checks, with
    # psycopg_pool's waits of 1 s and 2 s between them).
    assert outcome["after"] == "ok", outcome
    assert outcome["lost"] >= 3, outcome
