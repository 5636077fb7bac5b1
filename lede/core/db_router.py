"""Primary/replica routing for the optional read replica.

Registered in ``DATABASE_ROUTERS`` only when ``DATABASE_REPLICA_URL`` is set
(see ``config/settings/base.py``). The rules:

* Writes always go to the primary (``default``).
* Reads go to the replica only inside a request that
  :class:`lede.core.middleware.ReplicaRoutingMiddleware` has marked as reader
  traffic: a GET or HEAD outside the admins, from a client that has not just
  written. Everything else — management commands, tasks, the scheduler, the
  admins, POSTs — never sees the replica, because the default of the context
  variable below is "primary".
* Read-your-writes: once a request has written (or opened a transaction on the
  primary), the rest of that request reads from the primary too. The
  middleware also pins the *next* few seconds of a client's requests to the
  primary after a write made by a non-GET request (POST, redirect, GET).
* Relations between objects from either alias are allowed (same data); only
  the primary is migrated.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connections

PRIMARY = "default"
REPLICA = "replica"


@dataclass
class RoutingState:
    """Per-request routing state. Mutable on purpose: the variable is set once
    by the middleware, and a write anywhere in the request (including code run
    in a worker thread with a copy of the context) flips ``wrote`` on the same
    object."""

    replica_allowed: bool = False
    wrote: bool = False


_state: ContextVar[RoutingState | None] = ContextVar("lede_db_routing", default=None)


def current_state() -> RoutingState | None:
    return _state.get()


@contextmanager
def reader_traffic(*, replica_allowed: bool = True) -> Iterator[RoutingState]:
    """Run the enclosed code as one request's worth of routing state."""
    state = RoutingState(replica_allowed=replica_allowed)
    token = _state.set(state)
    try:
        yield state
    finally:
        _state.reset(token)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def use_replica() -> bool:
    state = _state.get()
    if state is None or not state.replica_allowed or state.wrote:
        return False
    if not replica_configured():
        return False
    # A transaction opened on the primary means the code is about to write
    # (or needs a consistent view with what it wrote): stay there.
    return not connections[PRIMARY].in_atomic_block


class PrimaryReplicaRouter:
    """Database router: see the module docstring."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        return REPLICA if use_replica() else PRIMARY

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        state = _state.get()
        if state is not None:
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        aliases = {PRIMARY, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        return db == PRIMARY
