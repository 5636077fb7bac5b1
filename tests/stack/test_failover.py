"""The stack under load while an app node stops and starts again.

The load is a pool of threads requesting pages through Varnish (and the nodes
directly) while a node is stopped, or PostgreSQL restarted. Every response is
recorded with its time, status, latency and the node that answered.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from .conftest import Browser, Stack, wait_until
from .signin import log_in, session_cookie

PROBE_WINDOW = 4.0  # .interval 1s, .window 3, .threshold 2: sick after ~2 s


@dataclass
class Hit:
    name: str
    started: float
    elapsed: float
    status: int  # 0: no answer (connection refused, timeout)
    served_by: str = ""
    body: str = ""


@dataclass
class Load:
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def between(self, start: float, end: float, name: str | None = None) -> list[Hit]:
        with self.lock:
            return [
                h
                for h in self.hits
                if start <= h.started < end and (name is None or h.name == name)
            ]


Request = Callable[[], tuple[int, str, str]]


@contextmanager
def load(requests: dict[str, Request], threads: int = 6) -> Iterator[Load]:
    """Run the named requests round-robin on a thread pool until the block ends."""
    result = Load()
    stop = threading.Event()
    names = list(requests)

    def run(offset: int) -> None:
        i = offset
        while not stop.is_set():
            name = names[i % len(names)]
            i += 1
            started = time.monotonic()
            try:
                status, served_by, body = requests[name]()
            except Exception:  # noqa: BLE001 - refused, reset, timed out
                status, served_by, body = 0, "", ""
            hit = Hit(name, started, time.monotonic() - started, status, served_by, body)
            with result.lock:
                result.hits.append(hit)
            time.sleep(0.01)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(run, n) for n in range(threads)]
        try:
            yield result
        finally:
            stop.set()
            for future in futures:
                future.result()


def _get(base: str, path: str, cookies: dict[str, str] | None = None) -> Request:
    def request() -> tuple[int, str, str]:
        response = Browser(base, cookies).get(path, timeout=15)
        return response.status_code, response.headers.get("X-Served-By", ""), response.text

    return request


def _backend_health(stack: Stack) -> dict[str, bool]:
    """Varnish's view of each app node (varnishadm backend.list)."""
    out = subprocess.run(
        ["varnishadm", "-n", str(stack.dir / "varnish"), "backend.list"],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    ).stdout
    health = {}
    for line in out.splitlines():
        match = re.match(r"^\S*\.(app\d)\s+\S+\s+\S+\s+(\S+)", line)
        if match:
            health[match.group(1)] = match.group(2) == "healthy"
    assert health, out
    return health


def _status(base: str, path: str) -> int:
    try:
        return int(Browser(base).get(path, timeout=5).status_code)
    except Exception:  # noqa: BLE001
        return 0


def test_stop_one_node_under_load(stack: Stack) -> None:
    locked = stack.seed["locked"]["url"]
    # Logged in through the site's form; the session only (no edge token),
    # so that every request of theirs is passed to a node.
    subscriber = session_cookie(log_in(stack, "subscriber", locked))
    requests = {
        "subscriber": _get(stack.url, locked, subscriber),  # passed to a node
        "anonymous": _get(stack.url, stack.seed["articles"][2]),  # mostly cached
        "healthz": _get(stack.url, "/healthz"),  # passed to a node
    }
    with load(requests) as result:
        wait_until(lambda: len(result.hits) > 30, timeout=20)
        assert _backend_health(stack) == {"app1": True, "app2": True}
        stopping = time.monotonic()
        stack.stop("node1")
        # /healthz says the process is gone; the other node stays ready.
        assert _status(stack.nodes["node1"], "/healthz") == 0
        assert _status(stack.nodes["node2"], "/healthz") == 200
        assert _status(stack.nodes["node2"], "/readyz") == 200
        wait_until(lambda: not _backend_health(stack)["app1"], timeout=PROBE_WINDOW, interval=0.2)
        out = time.monotonic()
        time.sleep(4)
        without_node1 = result.between(out, time.monotonic())

        starting = time.monotonic()
        stack.start("node1")
        wait_until(lambda: _backend_health(stack)["app1"], timeout=PROBE_WINDOW, interval=0.2)
        back = time.monotonic()
        time.sleep(3)
        after_restart = result.between(back, time.monotonic())
        whole = result.between(stopping, time.monotonic())

    assert len(without_node1) > 50 and len(after_restart) > 30
    errors = [(h.name, h.status) for h in without_node1 + after_restart if h.status != 200]
    assert not errors, errors
    # Passed requests (cached copies keep the name of the node that made them).
    passed = {"subscriber", "healthz"}
    assert {h.served_by for h in without_node1 if h.name in passed} == {"app2"}
    assert {h.served_by for h in after_restart if h.name in passed} == {"app1", "app2"}
    # Full text for the subscriber every time (a node's failure never
    # degrades a reader to a wrong variant).
    sentence = stack.seed["locked"]["sentence"]
    assert all(sentence in h.body for h in whole if h.name == "subscriber" and h.status == 200)
    # Even before the probe noticed, Varnish retried the other node.
    transition = [h for h in whole if h.status != 200]
    print(
        f"node stop: {len(whole)} requests, {len(transition)} errors during the "
        f"{out - stopping:.1f} s before the probe took node1 out; "
        f"back in {back - starting:.1f} s after start"
    )


def test_kill_one_node_under_a_signed_in_readers_load(stack: Stack) -> None:
    """SIGKILL of one node's processes (a crash: connections cut mid-request,
    nothing closed cleanly) under a signed-in reader's load through Varnish:
    no reader sees an error. Varnish retries each idempotent request that
    failed on the other node (vcl_backend_error, vcl_backend_response:
    refused, reset, 502-504), before and after its probe takes the node out."""
    locked = stack.seed["locked"]["url"]
    subscriber = session_cookie(log_in(stack, "subscriber", locked))
    reader = session_cookie(log_in(stack, "reader", locked))
    sentence = stack.seed["locked"]["sentence"]
    requests = {
        "subscriber": _get(stack.url, locked, subscriber),  # passed to a node
        "reader": _get(stack.url, stack.seed["articles"][3], reader),  # passed
        "anonymous": _get(stack.url, stack.seed["articles"][2]),
        "healthz": _get(stack.url, "/healthz"),
    }
    try:
        with load(requests, threads=8) as result:
            wait_until(lambda: len(result.hits) > 40, timeout=20)
            assert _backend_health(stack) == {"app1": True, "app2": True}
            killing = time.monotonic()
            stack.kill("node1")
            assert _status(stack.nodes["node1"], "/healthz") == 0
            wait_until(
                lambda: not _backend_health(stack)["app1"], timeout=PROBE_WINDOW, interval=0.2
            )
            out = time.monotonic()
            # Load on the one node left, then the killed one back.
            wait_until(lambda: len(result.between(out, time.monotonic())) > 60, timeout=30)
            stack.start("node1")
            wait_until(lambda: _backend_health(stack)["app1"], timeout=PROBE_WINDOW, interval=0.2)
            back = time.monotonic()
            wait_until(lambda: len(result.between(back, time.monotonic())) > 40, timeout=30)
            whole = result.between(killing, time.monotonic())
    finally:
        if stack.pid("node1") is None:
            stack.start("node1")
    before_probe = [h for h in whole if h.started < out]
    errors = [(h.name, h.status, round(h.started - killing, 2)) for h in whole if h.status != 200]
    print(
        f"node kill: {len(whole)} requests ({len(before_probe)} before the probe took "
        f"node1 out, {out - killing:.1f} s), {len(errors)} errors"
    )
    assert not errors, errors
    assert all(sentence in h.body for h in whole if h.name == "subscriber")
