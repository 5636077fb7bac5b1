"""A deadline on each send of a held response: the live feed's stream.

A reader that stops reading (a suspended phone, a wedged script) without
closing its connection is invisible to TCP: its kernel keeps answering the
server's window probes. Once the buffers between the application and that
reader are full (the client's receive window, the server's kernel send
buffer, then the server's own: granian keeps ~400 KB and a four-message
channel, uvicorn its transport's 64 KiB), the server's ``await send(...)``
of the next chunk never returns. The stream's loop then never runs again:
neither ``LEDE_SSE_MAX_AGE`` nor the heartbeat is looked at, and the stream
holds its per-address slot (``LEDE_SSE_MAX_PER_IP``), its place in the hub,
its request thread and, in granian, one of the worker's connection permits
(``--backpressure``) for ever. Neither server bounds a send in time.

Why here and not in the view's generator: while a chunk is being sent, the
generator is suspended at its ``yield``; only the code that awaits ``send``
(Django's ``ASGIHandler.send_response``, called by ``handle``) is running, so
only a ``send`` wrapped by the handler can see that it does not return.
:class:`SendDeadline` wraps the ``send`` and ``receive`` of each request on
the handler's async path (``LedeASGIHandler``, the views of
``ASYNC_URL_NAMES``). When a message cannot be handed to the server within
``LEDE_SSE_SEND_TIMEOUT`` seconds:

1. ``receive`` answers ``http.disconnect``, so Django's handler does what it
   does for a reader who closed the page: it cancels the response task, the
   stream's generator is closed (its ``finally`` leaves the hub and frees
   the per-address slot: ``EventStreamResponse`` in lede/livefeed/views.py)
   and ``request_finished`` is sent;
2. then (:meth:`SendDeadline.finish`) a warning is logged with the path
   (never the client's address), ``lede_sse_send_timeouts_total`` counts
   it, and the connection is reset (:func:`reset_connection`): the server's
   own write fails and it lets the connection go. Neither granian nor
   uvicorn would otherwise: granian's HTTP/1 connection waits for its write
   buffer to drain before it even sees the end of the body (and keeps its
   ``--backpressure`` permit meanwhile); uvicorn's ``transport.close()``
   waits for its buffer to be written too.

The deadline is per message: a slow reader that keeps taking data is never
cut; a stuck one is cut at most a heartbeat (``LEDE_SSE_HEARTBEAT``, the
next message) plus the deadline after its buffers filled.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import socket
import stat
import struct
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any

from django.core.exceptions import RequestAborted

from lede.core.observability.metrics import record_sse_send_timeout

logger = logging.getLogger(__name__)

Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Endpoint = tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]

#: SO_LINGER on, zero seconds: closing the socket sends a reset and drops
#: what is still queued (nginx's ``reset_timedout_connection``).
RESET_ON_CLOSE = struct.pack("ii", 1, 0)


class SendDeadline:
    """The ``receive`` and ``send`` of one request, each send bounded by
    ``timeout`` seconds; :meth:`finish` after the handler returned."""

    def __init__(self, scope: Message, receive: Receive, send: Send, timeout: float) -> None:
        self.scope = scope
        self.timeout = timeout
        self._receive = receive
        self._send = send
        self._gave_up = asyncio.Event()

    @property
    def gave_up(self) -> bool:
        return self._gave_up.is_set()

    async def send(self, message: Message) -> None:
        if self._gave_up.is_set():
            raise RequestAborted("the client stopped reading")
        deadline = asyncio.timeout(self.timeout)
        try:
            async with deadline:
                await self._send(message)
            return
        except TimeoutError:
            if not deadline.expired():
                raise  # the server's own, not ours
        self._gave_up.set()
        # Django's handler hears the disconnect (receive) and cancels this
        # task, as when a reader closes the page, long before this bound.
        await asyncio.sleep(self.timeout)
        raise RequestAborted("the client stopped reading")

    async def receive(self) -> Message:
        if self._gave_up.is_set():
            return {"type": "http.disconnect"}
        message = asyncio.ensure_future(self._next_message())
        gave_up = asyncio.ensure_future(self._gave_up.wait())
        try:
            await asyncio.wait((message, gave_up), return_when=asyncio.FIRST_COMPLETED)
        finally:
            gave_up.cancel()
            if not message.done():
                message.cancel()
        if message.done() and not message.cancelled():
            return message.result()
        return {"type": "http.disconnect"}

    async def _next_message(self) -> Message:
        return await self._receive()

    async def finish(self) -> None:
        """Once the handler has returned (the stream's generator closed, its
        slot freed): log and count a stream that was cut, then reset its
        connection and wait, briefly, for the server to have seen it go."""
        if not self._gave_up.is_set():
            return
        # Looking for the socket reads this process's descriptors: off the loop.
        sock = await asyncio.to_thread(
            find_connection, self.scope.get("client"), self.scope.get("server")
        )
        logger.warning(
            "SSE stream %s cut: the client took no data for %g s (%s)",
            self.scope.get("path", ""),
            self.timeout,
            "connection reset" if sock else "connection not found, left to the server",
        )
        record_sse_send_timeout(reset=sock is not None)
        if sock is None:
            return
        with sock:
            reset_connection(sock)
        # Returning first would make uvicorn log "ASGI callable returned
        # without completing response" and close the transport itself.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.timeout):
                while (await self._receive())["type"] != "http.disconnect":
                    pass


def _endpoint(address: Sequence[Any] | None) -> Endpoint | None:
    """(IP, port) from an ASGI scope's ``client``/``server`` or a socket's
    name: granian gives the port as a string, IPv4 may come mapped in IPv6."""
    if not address or len(address) < 2:
        return None
    try:
        ip = ipaddress.ip_address(str(address[0]).split("%", 1)[0])
        port = int(address[1])
    except (TypeError, ValueError):
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip, port


def _socket_descriptors() -> Iterator[int]:
    for directory in ("/proc/self/fd", "/dev/fd"):
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            if not name.isdigit():
                continue
            try:
                if stat.S_ISSOCK(os.fstat(int(name)).st_mode):
                    yield int(name)
            except OSError:
                continue  # closed meanwhile (the listing's own descriptor)
        return


def _matches(sock: socket.socket, client: Endpoint, server: Endpoint) -> bool:
    if sock.type != socket.SOCK_STREAM or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return False
    if _endpoint(sock.getpeername()) != client:
        return False
    local = _endpoint(sock.getsockname())
    if local is None or local[1] != server[1]:
        return False
    # granian names the listening address (0.0.0.0 when bound to all).
    return server[0].is_unspecified or local[0] == server[0]


def find_connection(
    client: Sequence[Any] | None, server: Sequence[Any] | None
) -> socket.socket | None:
    """The TCP connection from ``client`` to ``server`` (an ASGI scope's
    addresses) that this process holds, as a socket on a duplicate of the
    server's descriptor (the caller closes it), or None: a Unix socket, or a
    connection already gone. A descriptor closed or reused meanwhile fails
    to match."""
    wanted_client, wanted_server = _endpoint(client), _endpoint(server)
    if wanted_client is None or wanted_server is None:
        return None
    for descriptor in _socket_descriptors():
        try:
            duplicate = os.dup(descriptor)
        except OSError:
            continue
        try:
            sock = socket.socket(fileno=duplicate)
        except OSError:
            os.close(duplicate)
            continue
        try:
            if _matches(sock, wanted_client, wanted_server):
                return sock
        except OSError:
            pass  # not connected (a listener), or gone meanwhile
        sock.close()
    return None


def reset_connection(sock: socket.socket) -> None:
    """Reset a connection the server owns, through a duplicate of its
    descriptor: ``SO_LINGER`` zero (the server's close will send a reset and
    drop what is queued, rather than leave the kernel probing a shut window)
    and ``shutdown``, after which the server's pending write fails and it
    closes the connection itself. The server's descriptor is never closed
    here."""
    with contextlib.suppress(OSError):  # already gone
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_ON_CLOSE)
        sock.shutdown(socket.SHUT_RDWR)
