"""EventSource-like clients for bench/sse_bench.py: one process, many streams.

Each stream connects from its own loopback address (40 streams per address,
under the per-address cap), sends ``Accept: text/event-stream``, reads the
events, and on any end reconnects after 0.5–3 s with ``Last-Event-ID`` (the
last ``id:`` it read), as a browser does. For each dispatch it notes, once per
stream, the delay between receipt and the dispatch's own ``published_at``.

Shared counters per process (``state[i*4 : i*4+4]``): streams open now,
connections made, refused or failed attempts, reconnections.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from datetime import datetime
from typing import Any

PER_ADDRESS = 40
CONNECTING_AT_ONCE = 500  # per process: handshakes in flight, under the listen backlog
ID = re.compile(rb"^id: ?([^\r\n]+)", re.M)
LENGTH = re.compile(rb"\r\ncontent-length: *(\d+)", re.I)
DISPATCH = re.compile(rb'"dispatch":(\d+),"kind":"(\w+)","published_at":"([^"]+)"')


def address(n: int) -> str:
    group = n // PER_ADDRESS
    return f"127.1.{group // 250}.{group % 250 + 1}"


class Dechunk:
    """Undo HTTP/1.1 chunked transfer coding, incrementally."""

    def __init__(self) -> None:
        self.buf = b""
        self.need = 0

    def feed(self, data: bytes) -> bytes:
        self.buf += data
        out = []
        while True:
            if self.need == 0:
                end = self.buf.find(b"\r\n")
                if end < 0:
                    break
                line, self.buf = self.buf[:end], self.buf[end + 2 :]
                if not line:
                    continue  # the CRLF after a chunk's data
                self.need = int(line.split(b";")[0], 16)
                if self.need == 0:
                    raise EOFError
            take = self.buf[: self.need]
            out.append(take)
            self.buf = self.buf[len(take) :]
            self.need -= len(take)
            if self.need:
                break
        return b"".join(out)


def client_process(
    host: str, port: int, path: str, count: int, offset: int, index: int,
    state: Any, stop: Any, results: Any,
) -> None:  # fmt: skip
    latency: dict[int, list[float]] = {}
    counts: dict[int, int] = {}
    asyncio.run(_run(host, port, path, count, offset, index, state, stop, latency, counts))
    results.put((latency, counts))


async def _run(
    host: str, port: int, path: str, count: int, offset: int, index: int,
    state: Any, stop: Any, latency: dict[int, list[float]], counts: dict[int, int],
) -> None:  # fmt: skip
    base = index * 4
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    published: dict[int, float] = {}

    def note(block: bytes, now: float, seen: set[int]) -> None:
        match = DISPATCH.search(block)
        if match is None or match.group(2) != b"published":
            return
        dispatch = int(match.group(1))
        if dispatch in seen:
            return  # sent again (a refilled front, a replay): applied once
        seen.add(dispatch)
        t = published.get(dispatch)
        if t is None:
            t = published[dispatch] = datetime.fromisoformat(match.group(3).decode()).timestamp()
        latency.setdefault(dispatch, []).append(now - t)
        counts[dispatch] = counts.get(dispatch, 0) + 1

    async def one(n: int) -> None:
        local = address(n)
        last_id = ""
        seen: set[int] = set()
        connected_before = False
        while True:
            is_open = False
            writer = None
            try:
                async with gate:
                    reader, writer = await asyncio.wait_for(
                        asyncio.open_connection(host, port, local_addr=(local, 0)), 30
                    )
                    extra = f"Last-Event-ID: {last_id}\r\n" if last_id else ""
                    writer.write(
                        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n"
                        f"Cache-Control: no-cache\r\n{extra}\r\n".encode()
                    )
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
                if not head.startswith(b"HTTP/1.1 200"):
                    raise ConnectionError(head[:40])
                # Open once the first bytes of the stream arrive: the
                # application sends its headers before the stream has joined
                # the fan-out (what is published in between is not for it).
                first = await asyncio.wait_for(reader.read(65536), 120)
                if not first:
                    raise ConnectionError("closed before the first frame")
                state[base] += 1
                state[base + 1] += 1
                is_open = True
                if connected_before:
                    state[base + 3] += 1
                connected_before = True
                dechunk = Dechunk() if b"chunked" in head.lower() else None
                # A complete answer ("come back in 2 s" while a front is being
                # refilled) ends the stream, as EventSource sees it.
                length = LENGTH.search(head)
                left = int(length.group(1)) if length else -1
                buffer = b""
                pending = first
                while left != 0:
                    if pending:
                        chunk, pending = pending, b""
                    else:
                        chunk = await reader.read(65536 if left < 0 else left)
                    if not chunk:
                        break
                    if left > 0:
                        left -= len(chunk)
                    now = time.time()
                    buffer += dechunk.feed(chunk) if dechunk else chunk
                    if b"\n\n" not in buffer:
                        continue
                    *blocks, buffer = buffer.split(b"\n\n")
                    for block in blocks:
                        found = ID.search(block)
                        if found:
                            last_id = found.group(1).decode()
                        note(block, now, seen)
            except asyncio.CancelledError:
                raise
            except (OSError, EOFError, ValueError, TimeoutError, asyncio.IncompleteReadError):
                if not is_open:
                    state[base + 2] += 1
            finally:
                if is_open:
                    state[base] -= 1
                if writer is not None:
                    writer.close()
            await asyncio.sleep(random.uniform(0.5, 3.0))

    tasks = [asyncio.create_task(one(offset + i)) for i in range(count)]
    await asyncio.get_running_loop().run_in_executor(None, stop.wait)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
