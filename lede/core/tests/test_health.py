from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import Client

from lede.core import queue
from lede.core.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_and_readyz(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    # The worker is not checked outside production: reported, never failing.
    assert ready.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "cache": "ok",
            "queue": "ok",
            "worker": "unchecked: no heartbeat",
        },
        "worker_heartbeat_age": None,
    }
    queue.heartbeat_record(now=time.time() - 300)
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert re.fullmatch(r"unchecked: heartbeat 30\d s old", ready.json()["checks"]["worker"])
    assert 299 <= ready.json()["worker_heartbeat_age"] < 330


def test_readyz_enforces_a_fresh_worker_heartbeat(client: Client, settings: Any) -> None:
    settings.LEDE_READYZ_CHECK_WORKER = True
    settings.LEDE_READYZ_MAX_HEARTBEAT_AGE = 120
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "error"
    assert ready.json()["checks"]["worker"] == "error: no heartbeat"
    heartbeat.enqueue()  # a worker runs it (at once with the tests' backend)
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["worker"] == "ok"
    assert ready.json()["worker_heartbeat_age"] < 60
    queue.heartbeat_record(now=time.time() - 121)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert re.fullmatch(r"error: heartbeat 12\d s old", ready.json()["checks"]["worker"])


def test_readyz_reports_an_unreachable_queue(client: Client, settings: Any) -> None:
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}  # nothing listens
    settings.TASKS = {"default": {"BACKEND": "lede.core.queue.RQBackend"}}
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["queue"] == "error: ConnectionError"
    assert ready.json()["checks"]["database"] == "ok"


def test_readyz_reports_a_broken_cache(client: Client, monkeypatch: Any) -> None:
    from django.core.cache import cache

    def broken(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "set", broken)
    if hasattr(cache, "check"):  # the Redis backend asks Redis itself
        monkeypatch.setattr(cache, "check", broken)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["cache"] == "error: ConnectionError"
