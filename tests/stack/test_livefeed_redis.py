"""Redis restarted during a live event, on the production stack.

Needs the stack's own Redis (``STACK_OWN_REDIS=1 make stack-test``): the
machine's Redis is shared by everyone on it and is never restarted here. The
stack's Redis keeps nothing across a restart (no RDB, no AOF: bin/stack), the
worst case for what lives only there: the nchan replay log, the caches, the
pub/sub between nodes.

What the docs promise (deploy/README.md "When Redis or PostgreSQL is down",
docs/livefeed.md "Replay, restarts"): pages keep being served (never a 500);
the live feed keeps publishing to the front, whose streams do not depend on
Redis; a reader reconnecting with Last-Event-ID misses nothing, from nchan's
memory, and after a later restart of the front from the refill, which takes
the database's frames when Redis lost its log (lede/livefeed/nchan.py,
``complete_key``); tasks enqueued meanwhile by web requests (an editor's
publication) wait in the database and reach the queue afterwards.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from .conftest import Stack, editor, wait_until
from .test_livefeed import SSEClient, _front, _headline, _open, _publish


@pytest.fixture
def own_redis(stack: Stack) -> Stack:
    if not stack.own_redis:
        pytest.skip(
            "needs the stack's own Redis (STACK_OWN_REDIS=1 bin/stack): the machine's "
            "Redis is shared and never restarted by a test"
        )
    return stack


def _pages_answer(stack: Stack) -> None:
    """Pages through Varnish, the front and each node: never a 5xx."""
    paths = ["/", "/newsroom/", stack.seed["articles"][0], stack.seed["locked"]["url"]]
    bases = [stack.url, _front(stack), *stack.nodes.values()]
    for base in bases:
        for path in paths:
            for cookies in ({}, stack.session("subscriber")):
                response = requests.get(base + path, cookies=cookies, timeout=15)
                assert response.status_code < 500, (base, path, response.status_code)
    # The editor's admin (its session is read from the database meanwhile).
    assert editor(stack, "node1").get("/admin/", timeout=15).status_code == 200


def _redis_up(stack: Stack) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(stack.env["REDIS_URL"], socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _spooled(stack: Stack) -> int:
    """Tasks waiting in the database for the queue's Redis (lede/core/queue.py)."""
    rows = stack.sql(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE backend_name = %s",
        ("lede-spool",),
    )
    return int(rows[0][0])


def test_redis_restarted_during_a_live_event(own_redis: Stack) -> None:
    stack = own_redis
    url = _front(stack) + "/newsroom/flux/"
    worker = stack.pid("worker")
    front_reader = _open(url)
    node_reader = SSEClient(stack.nodes["node2"] + "/newsroom/flux/")  # the Python stream
    node_reader.start()
    assert node_reader.connected.wait(10)
    leaver = _open(url)  # leaves before the outage, comes back after it
    readers: list[Any] = [front_reader, leaver]
    try:
        before = f"Avant la panne de Redis {time.time_ns()}"
        _publish(stack, before, "Avant.")
        seen = leaver.wait_for(_headline(before), timeout=10)
        leaver.close()
        front_reader.wait_for(_headline(before), timeout=10)
        node_reader.wait_for(before, timeout=15)

        stack.stop("redis")
        assert not _redis_up(stack)
        _pages_answer(stack)
        during = f"Pendant la panne de Redis {time.time_ns()}"
        _publish(stack, during, "Sans Redis.")  # its tasks spooled in the database
        assert _spooled(stack) > 0
        front_reader.wait_for(_headline(during), timeout=15)
        # The Python stream polls the database while its pub/sub is gone.
        node_reader.wait_for(during, timeout=30)

        stack.start("redis")  # empty: no log, no cache, no session copies
        assert _redis_up(stack)
        _pages_answer(stack)
        after = f"Apres la panne de Redis {time.time_ns()}"
        _publish(stack, after, "Redis revenu.")
        front_reader.wait_for(_headline(after), timeout=15)
        node_reader.wait_for(after, timeout=30)

        # The reader that left before the outage misses nothing (nchan's memory).
        back = _open(url, {"Last-Event-ID": seen["id"]})
        readers.append(back)
        back.wait_for(_headline(during), timeout=10)
        back.wait_for(_headline(after), timeout=10)
        back.close()

        # The front restarted after it: its refill cannot take Redis's log,
        # which lost the frames from before the outage (the database's then).
        stack._bin("restart", "front")
        again = _open(url, {"Last-Event-ID": seen["id"]})
        readers.append(again)
        got = again.wait_for(_headline(during), timeout=15)
        assert got["json"]["event"] > seen["json"]["event"]
        again.wait_for(_headline(after), timeout=10)
        _pages_answer(stack)
        # An idle RQ worker waits for Redis; one whose job was running when
        # Redis went away quits (rq 3.0's monitor_work_horse): production's
        # unit restarts it (Restart=always, deploy/systemd/lede-worker.service),
        # the stack has no supervisor, so the test does what systemd does.
        if stack.pid("worker") != worker:
            stack.start("worker")
        # The scheduler moves the spooled tasks to the queue (every 30 s).
        wait_until(lambda: _spooled(stack) == 0, timeout=120, interval=1)
    finally:
        for reader in readers:
            reader.close()
        if not _redis_up(stack):
            stack.start("redis")
        wait_until(lambda: _redis_up(stack), timeout=30)
