"""Slow consumers on the front (nginx + nchan): clients that open the live
feed's stream and never read must not stall the fan-out, must not make the
front's memory grow without bound, and are cut off by a deliberate limit
(deploy/nginx/lede-livefeed.conf, docs/livefeed.md "Limits").

A stuck client here is what a suspended phone or a wedged script looks like to
the server: a TCP connection whose receive window is shut (a small
``SO_RCVBUF`` and no read at all), while its kernel keeps answering the
server's window probes, so TCP alone never ends it.
"""

from __future__ import annotations

import contextlib
import queue
import re
import socket
import struct
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from .conftest import Stack, wait_until
from .test_livefeed import FrontStream, _front, _open

#: Clients that never read, from their own loopback addresses (the per-address
#: cap of 100 streams is not what is tested here).
STUCK = 60
#: Clients reading normally meanwhile.
READERS = 3
#: Dispatches published in one burst, each with a body at the 2,000-character
#: maximum (BODY_MAX_CHARS): ~3 KB frames, ~0.5 MB for the burst, above the
#: 256 KB a stuck stream's kernel buffer takes (lede.conf's sndbuf=128k), so
#: nginx itself has to hold the rest.
BURST = 150
#: A stuck client's receive buffer (the kernel doubles it and keeps a minimum).
RCVBUF = 4096
#: The bound on the front's growth, per stuck client, in bytes of the frames it
#: was sent and did not take: nginx keeps (a copy of) each frame it could not
#: write until send_timeout cuts the stream; measured ~1x, never more than 2x...
PER_STUCK_BYTE_SENT = 2
#: ...plus what any 60 connections and a burst cost the worker anyway.
SLACK = 16 * 1024 * 1024
#: The stuck streams are cut within send_timeout (10 s) of the burst's end, or
#: of the next heartbeat (every 15 s): 25 s; generously more on a loaded machine.
CUT_DEADLINE = 90

TCP_ESTABLISHED = 1


def _front_worker_pids(stack: Stack) -> list[int]:
    master = int((stack.dir / "front" / "nginx.pid").read_text().strip())
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def _front_rss(stack: Stack) -> int:
    """Resident memory of the front's worker processes, in bytes."""
    total = 0
    for pid in _front_worker_pids(stack):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def _tcp_state(sock: socket.socket) -> int:
    """The socket's TCP state (tcp_info's first byte: 1 established, 7 closed,
    8 close-wait), read without reading any data."""
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    return int(struct.unpack_from("B", info)[0])


def _open_stuck(port: int, index: int) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    sock.bind((f"127.0.{index // 200 + 60}.{index % 200 + 2}", 0))
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    sock.sendall(
        b"GET /newsroom/flux/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    return sock  # never read


def _publish_burst(stack: Stack, tag: str, count: int) -> None:
    """``count`` public dispatches through the application's own publishing
    road (services.dispatch_publish, on commit to the front), in one process."""
    body = ("Une longue dépêche pour remplir les tampons. " * 60)[:1990]
    stack.shell(
        "from lede.livefeed import services\n"
        f"for i in range({count}):\n"
        f"    services.dispatch_publish(headline=f'{tag} {{i}}', body={body!r}, credit='Lede')\n",
        timeout=300,
    )


class MemorySampler(threading.Thread):
    """The front's peak resident memory, sampled every 0.1 s while it runs."""

    def __init__(self, stack: Stack) -> None:
        super().__init__(daemon=True)
        self.stack = stack
        self.peak = _front_rss(stack)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            with contextlib.suppress(OSError, ValueError):
                self.peak = max(self.peak, _front_rss(self.stack))

    def stop(self) -> int:
        self.done.set()
        self.join(5)
        return self.peak


def _wait_for_burst(reader: FrontStream, tag: str, count: int, timeout: float) -> int:
    """Wait for every dispatch of the burst; returns the bytes of their data."""
    pattern = re.compile(re.escape(tag) + r" (\d+)<")
    missing = set(range(count))
    size = 0
    deadline = time.monotonic() + timeout
    while missing and time.monotonic() < deadline:
        try:
            event = reader.events.get(timeout=max(0.05, deadline - time.monotonic()))
        except queue.Empty:
            break
        found = pattern.search(event["json"].get("html", ""))
        if found and int(found.group(1)) in missing:
            missing.discard(int(found.group(1)))
            size += len(event["data"].encode())
    assert not missing, f"{len(missing)} of {count} dispatches not received: {sorted(missing)[:20]}"
    return size


def test_stuck_clients_neither_stall_the_fan_out_nor_hold_memory(stack: Stack) -> None:
    port = (urlsplit(stack.url).port or 80) + 10
    url = _front(stack) + "/newsroom/flux/"
    readers: list[FrontStream] = []
    stuck: list[socket.socket] = []
    sampler = MemorySampler(stack)
    try:
        readers = [_open(url) for _ in range(READERS)]
        before = _front_rss(stack)
        sampler.start()
        stuck = [_open_stuck(port, i) for i in range(STUCK)]
        # Not digits before the counter: the site's French typography joins
        # digit groups ("123 149") with a no-break space.
        tag = f"Rafale {time.time_ns()} lot"
        _publish_burst(stack, tag, BURST)

        # Every reading client gets every dispatch of the burst while the
        # stuck ones hold their streams.
        sizes = [_wait_for_burst(reader, tag, BURST, timeout=60) for reader in readers]
        assert all(_tcp_state(sock) == TCP_ESTABLISHED for sock in stuck), "cut too early"

        # Cut off by the front's limit (send_timeout, reset_timedout_connection):
        # nginx gives up on each stuck stream and resets it.
        wait_until(
            lambda: all(_tcp_state(sock) != TCP_ESTABLISHED for sock in stuck),
            timeout=CUT_DEADLINE,
            interval=0.5,
        )
        growth = sampler.stop() - before
        bound = STUCK * PER_STUCK_BYTE_SENT * max(sizes) + SLACK
        assert growth < bound, (
            f"the front grew by {growth} bytes with {STUCK} stuck clients "
            f"sent {max(sizes)} bytes each (bound {bound})"
        )

        # The readers still stream: a dispatch after the cut reaches them.
        after = f"Apres la coupure {time.time_ns()} lot"
        _publish_burst(stack, after, 1)
        for reader in readers:
            _wait_for_burst(reader, after, 1, timeout=30)
    finally:
        sampler.done.set()
        for sock in stuck:
            with contextlib.suppress(OSError):
                sock.close()
        for reader in readers:
            reader.close()
