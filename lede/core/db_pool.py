"""The connection check of the web nodes' psycopg pool (config/settings/production.py).

After PostgreSQL restarts, every idle connection of a process's pool is
broken. psycopg_pool finds that out one connection at a time, when a request
asks for one: the first broken connection is dropped at once, but after each
further one it waits before trying the next (1 s, then 2 s: "to avoid a busy
loop"). A process that held three idle connections therefore answered its
first request after the restart with the 503 page, 2 s later (the pool's
time-out), although the database was back. Reproduced outside the app with
Django's pool alone; seen as a flaky failure of tests/stack.

This check does what psycopg_pool's does and, when a connection turns out to
be broken, checks every other idle connection of the pool at once (drops the
broken ones, keeps the good), so the request's next try gets a good
connection or a new one. Written by hand: psycopg_pool has no option for it,
and Django builds the pool itself, always with psycopg_pool's own check
(``CONN_HEALTH_CHECKS``), so ``install()`` swaps it on the pool when its
first connection is made (the pool's ``_check`` attribute, the only way in).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from psycopg_pool import ConnectionPool

_sweeping = threading.local()


def make_check(alias: str) -> Callable[[Any], None]:
    """The ``check`` for the pool of the database ``alias``."""

    def check(conn: Any) -> None:
        try:
            ConnectionPool.check_connection(conn)
        except Exception:
            if not getattr(_sweeping, "active", False):
                _sweep(alias)
            raise

    return check


def install(connection: Any) -> None:
    """Put the sweeping check on ``connection``'s pool, if it has one that
    still uses psycopg_pool's plain check (``connection_created``)."""
    pool = getattr(connection, "pool", None)
    if pool is not None and getattr(pool, "_check", None) is ConnectionPool.check_connection:
        pool._check = make_check(connection.alias)


def _sweep(alias: str) -> None:
    from django.db import connections

    pool = getattr(connections[alias], "pool", None)
    if pool is None:
        return
    _sweeping.active = True  # pool.check() calls this check for each connection
    try:
        pool.check()
    finally:
        _sweeping.active = False
