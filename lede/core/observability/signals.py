"""Observability's reactions, connected in one place: the request id carried
into the tasks a request enqueues (task_context.py)."""

from __future__ import annotations

from django_tasks.signals import task_enqueued, task_finished, task_started

from .task_context import on_task_enqueued, on_task_finished, on_task_started


def connect() -> None:
    task_enqueued.connect(on_task_enqueued, dispatch_uid="lede.observability.enqueued")
    task_started.connect(on_task_started, dispatch_uid="lede.observability.started")
    task_finished.connect(on_task_finished, dispatch_uid="lede.observability.finished")
