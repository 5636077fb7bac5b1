"""The request id of the work being done, in a context variable.

A context variable (not a thread local) so that it follows the request into
``sync_to_async``/``async_to_sync`` hops and stays separate between the
concurrent requests of an ASGI worker.
"""

from __future__ import annotations

import random
import re
from contextvars import ContextVar

HEADER = "X-Request-ID"
MAX_LENGTH = 64
_WELL_FORMED = re.compile(rf"[A-Za-z0-9._-]{{1,{MAX_LENGTH}}}")

request_id_var: ContextVar[str | None] = ContextVar("lede_request_id", default=None)
task_id_var: ContextVar[str | None] = ContextVar("lede_task_id", default=None)


def is_well_formed(value: str) -> bool:
    return _WELL_FORMED.fullmatch(value) is not None


def new_request_id() -> str:
    # 128 random bits, 32 hex digits. An id, not a secret: the random
    # module's generator (reseeded in each forked worker) instead of
    # os.urandom, whose system call cost more than the rest of an article
    # answered by the fast path's front.
    return f"{random.getrandbits(128):032x}"


def request_id_from_header(value: str | None) -> str:
    """The client's (or the edge's) id when it is safe to log and echo, else a new one."""
    if value and is_well_formed(value):
        return value
    return new_request_id()


def get_request_id() -> str | None:
    return request_id_var.get()


def get_task_id() -> str | None:
    return task_id_var.get()
