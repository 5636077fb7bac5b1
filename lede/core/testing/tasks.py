"""A probe task for queue tests: records each execution and applies its
effect at most once, in the database the worker uses.

Three tables, created on demand with portable SQL (no migration: they exist
only where a queue test created them):

- ``lede_probe_run``: executions per key (committed before the effect, so a
  worker killed in between leaves a run without effect);
- ``lede_probe_effect``: the effect, one row per key (insert-or-ignore);
- ``lede_probe_total``: a counter per batch, incremented only when the
  effect row was inserted: a task run twice that applied its effect twice
  would show here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection, transaction
from django_tasks import task

TABLES = ("lede_probe_run", "lede_probe_effect", "lede_probe_total")


def probe_tables_create() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS lede_probe_run "
            "(key VARCHAR(100) PRIMARY KEY, runs INTEGER NOT NULL)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS lede_probe_effect (key VARCHAR(100) PRIMARY KEY)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS lede_probe_total "
            "(batch VARCHAR(50) PRIMARY KEY, total INTEGER NOT NULL)"
        )


def probe_tables_drop() -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")  # constant names


def probe_batch_start(batch: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO lede_probe_total (batch, total) VALUES (%s, 0)", [batch])


def probe_key(batch: str, index: int) -> str:
    return f"{batch}:{index}"


@task()
def probe(key: str, slow_first_run: float = 0.0) -> int:
    """Apply the effect of ``key`` once; return this execution's number.

    ``slow_first_run`` seconds are spent between recording the run and
    applying the effect, on the first execution only: a test can kill the
    worker while this task is known to be in flight.
    """
    with connection.cursor() as cursor:  # autocommit: the run is recorded at once
        cursor.execute(
            "INSERT INTO lede_probe_run (key, runs) VALUES (%s, 1) "
            "ON CONFLICT (key) DO UPDATE SET runs = lede_probe_run.runs + 1 RETURNING runs",
            [key],
        )
        row = cursor.fetchone()
    runs = int(row[0]) if row else 0
    if slow_first_run and runs == 1:
        time.sleep(slow_first_run)
    batch = key.split(":", 1)[0]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO lede_probe_effect (key) VALUES (%s) ON CONFLICT (key) DO NOTHING", [key]
        )
        if cursor.rowcount == 1:
            cursor.execute(
                "UPDATE lede_probe_total SET total = total + 1 WHERE batch = %s", [batch]
            )
    return runs


@dataclass
class ProbeCounts:
    effects: int  # keys of the batch with their effect
    total: int  # the batch's counter (effects applied, doubles included)
    executions: int  # runs of the batch's tasks, reruns included
    rerun_keys: list[str]  # keys that ran more than once


def probe_counts(batch: str) -> ProbeCounts:
    prefix = f"{batch}:%"
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM lede_probe_effect WHERE key LIKE %s", [prefix])
        effects = int(cursor.fetchone()[0])
        cursor.execute("SELECT total FROM lede_probe_total WHERE batch = %s", [batch])
        row = cursor.fetchone()
        total = int(row[0]) if row else 0
        cursor.execute(
            "SELECT COALESCE(SUM(runs), 0) FROM lede_probe_run WHERE key LIKE %s", [prefix]
        )
        executions = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT key FROM lede_probe_run WHERE key LIKE %s AND runs > 1 ORDER BY key", [prefix]
        )
        rerun_keys = [str(key) for (key,) in cursor.fetchall()]
    return ProbeCounts(effects, total, executions, rerun_keys)


def probe_in_flight(key: str) -> bool:
    """The task of ``key`` started (its run is recorded) and has no effect yet."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM lede_probe_run WHERE key = %s) "
            "AND NOT EXISTS (SELECT 1 FROM lede_probe_effect WHERE key = %s)",
            [key, key],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


@task()
def probe_fail(key: str) -> None:
    """Record a run, then raise: a task that fails must not be run again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO lede_probe_run (key, runs) VALUES (%s, 1) "
            "ON CONFLICT (key) DO UPDATE SET runs = lede_probe_run.runs + 1",
            [key],
        )
    raise RuntimeError(f"probe {key} fails on purpose")
