"""Carry the request id into the tasks a request enqueues (django-tasks).

django-tasks has no per-task metadata that every backend stores, but it sends
signals on every backend: ``task_enqueued`` in the process that enqueues,
``task_started`` and ``task_finished`` in the process that runs the task. On
enqueue the current request id is written to the cache under the task's id;
when the task starts the id is read back and put in the context (with the
task's own id) so every log line of the task carries both; on finish the
previous context is restored.

The cache must be shared by the web and worker processes for the id to cross
(Redis in production). With the demo's local-memory cache and a separate
worker the task still logs its own ``task_id``, without the request id.
"""

from __future__ import annotations

import logging
from contextvars import Token
from typing import Any

from django.core.cache import cache

from lede.core import process_state
from lede.core.caching import keys

from .context import get_request_id, request_id_var, task_id_var

logger = logging.getLogger(__name__)


#: Long enough for a queue backlog or a deferred task; an id lost after that
#: only costs log correlation.
CARRY_SECONDS = keys.TASK_REQUEST_ID_SECONDS

_running: dict[str, tuple[Token[str | None], Token[str | None]]] = {}
process_state.register("lede.core.observability.task_context.running", _running.clear)


def _key(task_id: str) -> str:
    return keys.task_request_id_key(task_id)


def on_task_enqueued(sender: Any, task_result: Any, **kwargs: Any) -> None:
    request_id = get_request_id()
    if request_id is None:
        return
    try:
        cache.set(_key(task_result.id), request_id, timeout=CARRY_SECONDS)
    except Exception:  # noqa: BLE001 - losing a log correlation never fails an enqueue
        logger.warning("could not remember the request id of task %s", task_result.id)


def on_task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    try:
        carried = cache.get(_key(task_result.id))
    except Exception:  # noqa: BLE001
        carried = None
    # A task run in the enqueuing context (the immediate backend) keeps its request id.
    request_id = carried if isinstance(carried, str) else get_request_id()
    _running[task_result.id] = (request_id_var.set(request_id), task_id_var.set(task_result.id))


def on_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    tokens = _running.pop(task_result.id, None)
    if tokens is None:
        return
    request_token, task_token = tokens
    try:
        task_id_var.reset(task_token)
        request_id_var.reset(request_token)
    except ValueError:  # finished in another context than it started: just clear
        task_id_var.set(None)
        request_id_var.set(None)
