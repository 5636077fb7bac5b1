"""Restart PostgreSQL under load: fail fast, write nothing by halves, recover alone.

This restarts the machine's PostgreSQL server (pg_ctlcluster), so it runs
after the other stack tests (RUN_LAST, see conftest.py).
"""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from .conftest import Browser, Stack, editor, wait_until
from .test_failover import _get, _status, load

RUN_LAST = True


def _pg_cluster() -> tuple[str, str]:
    """Version and name of the cluster on port 5432 (pg_lsclusters)."""
    out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        version, name, port, *_ = line.split()
        if port == "5432":
            return version, name
    raise AssertionError(out.stdout)


def _pg_ctl(action: str) -> None:
    version, name = _pg_cluster()
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action]
    if action == "stop":
        command += ["--mode", "fast"]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def test_postgres_restart_under_load(stack: Stack) -> None:
    if not shutil.which("pg_ctlcluster"):
        pytest.skip("pg_ctlcluster (Debian's postgresql-common) is needed to restart PostgreSQL")
    pids = {name: stack.pid(name) for name in ("node1", "node2")}
    subscriber = stack.session("subscriber")
    locked = stack.seed["locked"]["url"]
    anonymous_page = stack.seed["articles"][3]
    Browser(stack.url).get(anonymous_page)  # in Varnish's cache before the outage
    requests = {
        "node1 subscriber": _get(stack.nodes["node1"], locked, subscriber),
        "node2 subscriber": _get(stack.nodes["node2"], locked, subscriber),
        "node1 readyz": _get(stack.nodes["node1"], "/readyz"),
        "node2 healthz": _get(stack.nodes["node2"], "/healthz"),
        "varnish anonymous": _get(stack.url, anonymous_page),
    }
    # Writes during the outage: dispatches posted on node 1 (a Dispatch and
    # its FeedEvent are written in one transaction).
    node_a = editor(stack, "node1")
    add = "/admin/livefeed/dispatch/add/"
    token = node_a.csrf_token(add)
    marker = f"Coupure {time.time_ns()}"
    posted: dict[str, int] = {}

    def post_dispatch(n: int) -> tuple[int, str, str]:
        headline = f"{marker} {n}"
        response = node_a.post(
            add,
            data={
                "csrfmiddlewaretoken": token,
                "headline": headline,
                "body": '{"blocks": [{"key": "k", "type": "unstyled", "depth": 0, '
                '"text": "Texte.", "inlineStyleRanges": [], "entityRanges": [], '
                '"data": {}}], "entityMap": {}}',
                "access_level": "public",
            },
            timeout=15,
        )
        posted[headline] = response.status_code
        return response.status_code, "", ""

    counter = iter(range(10**6))
    requests["node1 write"] = lambda: post_dispatch(next(counter))

    with load(requests, threads=6) as result:
        wait_until(lambda: len(result.hits) > 30, timeout=20)
        down = time.monotonic()
        _pg_ctl("stop")
        time.sleep(3)
        _pg_ctl("start")
        up = time.monotonic()
        # The nodes find the database again by themselves.
        wait_until(
            lambda: (
                _status(stack.nodes["node1"], "/readyz") == 200
                and _status(stack.nodes["node2"], "/readyz") == 200
            ),
            timeout=30,
            interval=0.2,
        )
        recovered = time.monotonic()
        time.sleep(2)
        after = result.between(recovered, time.monotonic())
        during = result.between(down, up)
        everything = result.between(0, time.monotonic())

    print(
        f"PostgreSQL restart: {len(during)} requests during the {up - down:.1f} s outage, "
        f"ready again {recovered - up:.1f} s after the start; "
        f"slowest request {max(h.elapsed for h in everything):.2f} s"
    )
    # Nothing hung: every request got an answer within a few seconds.
    slow = [(h.name, round(h.elapsed, 1), h.status) for h in everything if h.elapsed > 5]
    assert not slow, slow
    assert all(h.status != 0 for h in everything), "a request got no answer"
    # Failing fast means a 503 page, never a 500 (writes succeed with a redirect).
    statuses = {h.status for h in everything}
    assert statuses <= {200, 302, 503}, statuses
    outage = [h for h in during if not h.name.startswith("varnish")]
    assert any(h.status == 503 for h in outage), "the outage was not seen"
    assert all(h.status == 200 for h in during if h.name == "node2 healthz")
    readyz = [h for h in during if h.name == "node1 readyz" and h.status == 503]
    assert readyz and all('"database"' in h.body for h in readyz)
    # Readers of a cached page never noticed (grace / stale-if-error).
    assert all(h.status == 200 for h in during if h.name == "varnish anonymous")
    # Recovered without restarting anything.
    assert all(h.status in {200, 302} for h in after), {(h.name, h.status) for h in after}
    assert {name: stack.pid(name) for name in pids} == pids
    # Every process of every node, on every code path: a "not found" page
    # (rendered by Django's exception handler, in another thread than views)
    # is a 404 again, not the 503 page.
    for node in ("node1", "node2"):
        not_found = [_status(stack.nodes[node], f"/maroc/absente-{n}/") for n in range(8)]
        assert set(not_found) == {404}, (node, not_found)

    # No partial write: every dispatch has its feed event, every 302 its dispatch.
    rows = stack.sql(
        "SELECT d.headline, count(e.id) FROM livefeed_dispatch d "
        "LEFT JOIN livefeed_feedevent e ON e.dispatch_id = d.id "
        "WHERE d.headline LIKE %s GROUP BY d.id, d.headline",
        (marker + " %",),
    )
    saved = {headline: events for headline, events in rows}
    assert all(events == 1 for events in saved.values()), saved
    assert len(saved) == len(set(saved))
    for headline, status in posted.items():
        if status == 302:
            assert headline in saved, headline
        elif status == 503:
            pass  # either never written or written whole (checked above)
    assert any(status == 302 for status in posted.values())
