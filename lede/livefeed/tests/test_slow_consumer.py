"""A reader that stops reading is cut off (LEDE_SSE_SEND_TIMEOUT,
lede/core/send_deadline.py): its stream's generator is closed, its slot and
its place in the hub are freed, its connection is reset, and it is logged and
counted, while the other readers keep receiving every dispatch."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import queue
import select
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from asgiref.sync import async_to_sync, sync_to_async
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from lede.core.asgi import LedeASGIHandler
from lede.core.observability import metrics
from lede.core.testing.processes import ROOT
from lede.core.testing.servers import (
    CHILD_DROPPED,
    child_database_url,
    production_env,
    running_server,
    static_manifest,
)
from lede.livefeed import services
from lede.livefeed.broker import current_hub

from .conftest import SSEClient

#: A dispatch body at the 2,000-character maximum (BODY_MAX_CHARS): ~3 KB frames.
LONG_BODY = ("Une longue dépêche pour remplir les tampons. " * 60)[:1990]


def _cut_count(connection: str) -> float:
    return metrics.SSE_SEND_TIMEOUTS.labels(connection)._value.get()


@pytest.fixture
def lede_app() -> Iterator[LedeASGIHandler]:
    """The handler config.asgi serves, keeping the test's database connection
    open (as Django's test client does) so the test transaction survives."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield LedeASGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class _FullBuffers(asyncio.Queue[dict[str, Any]]):
    """The server's side of a stuck connection: it takes ``capacity`` bytes of
    body, then its ``put`` (the application's ``send``) never returns."""

    def __init__(self, capacity: int) -> None:
        super().__init__()
        self.capacity = capacity
        self.taken = 0
        self.jammed = asyncio.Event()

    async def put(self, message: dict[str, Any]) -> None:
        body = message.get("body", b"")
        if self.taken + len(body) > self.capacity:
            self.jammed.set()
            await asyncio.get_running_loop().create_future()  # never done
        self.taken += len(body)
        await super().put(message)


class _NeverCloses(asyncio.Queue[dict[str, Any]]):
    """The request, then nothing: a stuck reader does not close its connection."""

    async def get(self) -> dict[str, Any]:
        if self.empty():
            await asyncio.get_running_loop().create_future()  # never done
        return await super().get()


class StuckClient(SSEClient):
    """What the application sees of a reader that stopped reading: once the
    buffers between them are full, its ``send`` never returns."""

    def __init__(self, app: Any, path: str, *, capacity: int, client: tuple[str, int]) -> None:
        super().__init__(app, path, client=client)
        self.send_queue = self.buffers = _FullBuffers(capacity)
        self.receive_queue = _NeverCloses()


@pytest.mark.django_db
def test_a_stuck_reader_is_cut_and_frees_its_slot(
    lede_app: LedeASGIHandler,
    desk: dict[str, Any],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.LEDE_SSE_POLL_INTERVAL = 30  # the publications wake the hub
    settings.LEDE_SSE_CHANNEL = f"lede:livefeed:test:{uuid.uuid4().hex}"
    settings.LEDE_SSE_SEND_TIMEOUT = 0.2
    settings.LEDE_SSE_MAX_PER_IP = 1
    before = _cut_count("not_found")

    def publish(headline: str) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return services.dispatch_publish(headline=headline, body=LONG_BODY, credit="Lede")

    async def scenario() -> None:
        stuck = StuckClient(lede_app, "/newsroom/flux/", capacity=8_000, client=("127.0.0.9", 1))
        await stuck.connect()
        reader = await SSEClient(lede_app, "/newsroom/flux/").connect()
        hub = current_hub()
        assert hub is not None and hub.subscriber_count == 2
        published = [await sync_to_async(publish)(f"Dépêche {i}") for i in range(5)]
        await asyncio.wait_for(stuck.buffers.jammed.wait(), 10)
        # Cut: the application's call returns, the generator's finally ran.
        await asyncio.wait_for(stuck.task, 10)  # type: ignore[arg-type]
        assert hub.subscriber_count == 1
        assert hub.per_address == {"127.0.0.1": 1}
        # The reader got everything, and goes on.
        got = [(await reader.next_event())["data"]["dispatch"] for _ in published]
        assert got == [d.pk for d in published]
        after = await sync_to_async(publish)("Après la coupure")
        assert (await reader.next_event())["data"]["dispatch"] == after.pk
        await reader.disconnect()

    with caplog.at_level(logging.WARNING, logger="lede.core.send_deadline"):
        async_to_sync(scenario)()
    # No socket behind this fake server: nothing to reset, the count says so.
    assert _cut_count("not_found") == before + 1
    cuts = [r.getMessage() for r in caplog.records if r.name == "lede.core.send_deadline"]
    assert cuts == [
        "SSE stream /newsroom/flux/ cut: the client took no data for 0.2 s "
        "(connection not found, left to the server)"
    ]


# --- On the real servers ---------------------------------------------------------

#: A stuck client's receive buffer (the kernel doubles it and keeps a minimum)...
RCVBUF = 4096
#: ...and the segment size it announces. On loopback (64 KiB MTU) the kernel
#: sizes the server's send buffer from the segment size: from a few hundred
#: kilobytes to megabytes depending on the run. A 536-byte segment (IPv4's
#: minimum, a mobile path's kind) keeps it near 100 KB, so the burst below
#: fills every buffer on the way on every run.
MAXSEG = 536
#: Dispatches at the 2,000-character maximum, ~3 KB frames: ~1.2 MB, above
#: the ~0.8 MB granian and the kernel take for a stuck client before the
#: application's send waits (uvicorn: ~0.2 MB)...
BURST = 400
#: ...published a group at a time, each group read by the reading client before
#: the next: the hub never wakes to more than its 256-event queue, which would
#: end every stream ("fell behind") rather than test the deadline.
GROUP = 40

PUBLISHER = """
import sys

import django

django.setup()
from lede.livefeed import services

body = sys.argv[1]
print("ready", flush=True)
for line in sys.stdin:
    tag, count = line.split()
    pks = [
        services.dispatch_publish(headline=f"{tag} {i}", body=body, credit="Lede").pk
        for i in range(int(count))
    ]
    print(" ".join(map(str, pks)), flush=True)
"""


class Publisher:
    """services.dispatch_publish in a child process on the server's database
    and settings: the server's hub sees the events by polling it."""

    def __init__(self, env: dict[str, str]) -> None:
        full_env = {k: v for k, v in os.environ.items() if k not in CHILD_DROPPED}
        full_env.update(env)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", PUBLISHER, LONG_BODY],
            cwd=ROOT,
            env=full_env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def wait_ready(self) -> None:
        assert self._line() == "ready"

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # the child answers, or exits (EOF)
        assert line, f"the publisher exited ({self.proc.wait(30)})"
        return line.strip()

    def publish(self, tag: str, count: int) -> list[int]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{tag} {count}\n")
        self.proc.stdin.flush()
        return [int(pk) for pk in self._line().split()]

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(30)


class Reader(threading.Thread):
    """A reading client: the dispatch id of each event on a queue."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.dispatches: queue.Queue[int] = queue.Queue()
        self.connected = threading.Event()
        self.status = 0
        self._response: Any = None

    def run(self) -> None:
        http = requests.Session()
        http.trust_env = False
        headers = {"Accept": "text/event-stream"}
        with http.get(self.url, headers=headers, stream=True, timeout=(5, 60)) as response:
            self._response, self.status = response, response.status_code
            self.connected.set()
            with contextlib.suppress(requests.RequestException, AttributeError, ValueError):
                for line in response.iter_lines(decode_unicode=True):
                    if line.startswith("data:"):
                        self.dispatches.put(json.loads(line[5:])["dispatch"])

    def close(self) -> None:
        if self._response is not None:
            with contextlib.suppress(Exception):
                self._response.close()

    def wait_for(self, pks: list[int], timeout: float) -> None:
        missing, deadline = set(pks), time.monotonic() + timeout
        while missing:
            try:
                missing.discard(self.dispatches.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                raise AssertionError(f"{len(missing)} dispatches not received") from None


def _stream_request() -> bytes:
    return b"GET /newsroom/flux/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"


def _open_stuck(port: int, address: str) -> socket.socket:
    """A client that asks for the stream and never reads."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, MAXSEG)
    sock.bind((address, 0))
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    sock.sendall(_stream_request())
    return sock


def _peek_until(sock: socket.socket, needle: bytes, timeout: float = 30) -> bytes:
    """Wait for ``needle`` in what the client was sent, without taking it
    from its receive buffer (MSG_PEEK: the window stays as shut); the kernel
    wakes the wait only when more than what was seen has come (SO_RCVLOWAT)."""
    deadline, seen = time.monotonic() + timeout, b""
    while needle not in seen:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, len(seen) + 1)
        ready, _, _ = select.select([sock], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"not sent within {timeout} s: {seen!r}"
        seen = sock.recv(65536, socket.MSG_PEEK)
        assert seen, f"closed after {seen!r}"
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, 1)
    return seen


def _status_from(port: int, address: str) -> int:
    """The status a new stream from ``address`` gets (then closed)."""
    with socket.create_connection(
        ("127.0.0.1", port), timeout=10, source_address=(address, 0)
    ) as s:
        s.sendall(_stream_request())
        head = b""
        while b"\r\n" not in head:
            chunk = s.recv(256)
            assert chunk, "closed before the status line"
            head += chunk
    return int(head.split(b" ", 2)[1])


def _reset_or_closed(sock: socket.socket, timeout: float) -> bool:
    """Wait, without reading, until the server resets (or closes) the
    connection: POLLHUP/POLLERR/POLLRDHUP, never the data waiting unread."""
    poller = select.poll()
    poller.register(sock, select.POLLRDHUP)
    return bool(poller.poll(int(timeout * 1000)))


def _read_to_the_end(sock: socket.socket) -> tuple[bytes, bool]:
    """What the client had been sent, and whether it ended with a reset."""
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        return received, True
    return received, False


def _server_env(server: str, directory: Path) -> dict[str, str]:
    database = child_database_url(directory)
    if server == "uvicorn":  # bin/run-demo's settings
        env = {
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": database,
            "LEDE_VAR_DIR": str(directory),
            "STATIC_ROOT": str(static_manifest(directory)),
        }
    else:  # a node of bin/stack, without Redis
        env = production_env(directory, database)
    env.update(
        LEDE_SSE_SEND_TIMEOUT="1",
        LEDE_SSE_MAX_PER_IP="1",  # a new stream from the stuck address: its slot is free
        LEDE_SSE_MAX_AGE="3600",  # not what ends the stream here
        LEDE_SSE_HEARTBEAT="1",
        LEDE_SSE_POLL_INTERVAL="0.1",  # the publisher is another process, no Redis
        METRICS_ALLOWED_NETWORKS="127.0.0.0/8",
    )
    return env


@pytest.mark.parametrize("server", ["granian", "uvicorn"])
def test_a_stuck_reader_is_reset_by_the_real_server(
    server: str, transactional_db: Any, tmp_path: Path
) -> None:
    """bin/stack's server (granian) and the demo's (uvicorn): a client that
    never reads is cut off and reset within the send deadline, its address
    may open a stream again, and a reading client gets every dispatch."""
    env = _server_env(server, tmp_path)
    log = tmp_path / "server.log"
    with contextlib.ExitStack() as cleanup:  # the clients go before the server
        publisher = Publisher(env)  # starts while the server does
        cleanup.callback(publisher.close)
        base = cleanup.enter_context(running_server(server, env=env, log=log))
        publisher.wait_ready()
        port = int(base.rsplit(":", 1)[1])
        reader = Reader(base + "/newsroom/flux/")
        reader.start()
        cleanup.callback(reader.close)
        assert reader.connected.wait(30) and reader.status == 200
        stuck = _open_stuck(port, "127.0.0.2")
        cleanup.callback(stuck.close)
        # Its stream holds the address's one slot.
        assert _peek_until(stuck, b"\nretry: ").startswith(b"HTTP/1.1 200")
        assert _status_from(port, "127.0.0.2") == 429

        for group in range(BURST // GROUP):
            reader.wait_for(publisher.publish(f"Rafale{group}", GROUP), timeout=60)
        assert _reset_or_closed(stuck, timeout=60), "the stuck client was never cut"
        # Its stream had ended first: the address may stream again.
        assert _status_from(port, "127.0.0.2") == 200
        stuck.settimeout(10)
        received, reset = _read_to_the_end(stuck)
        assert received.startswith(b"HTTP/1.1 200")
        assert reset, "closed, not reset"

        # The reading client goes on.
        reader.wait_for(publisher.publish("Apres", 1), timeout=30)
        metrics_page = requests.get(base + "/metrics", timeout=10).text
    assert 'lede_sse_send_timeouts_total{connection="reset"} 1.0' in metrics_page
    text = log.read_text()
    assert text.count("SSE stream /newsroom/flux/ cut") == 1, text[-4000:]
    assert "connection reset" in text
    for noise in ("Traceback", "without completing response", "already running"):
        assert noise not in text, text[-4000:]
