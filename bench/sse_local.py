"""SSE fan-out in one uvicorn process: 1,000 open streams, 100 dispatches.

(The stack benchmark, 10,000 streams through the front, is bench/sse_bench.py.)

    .venv/bin/python bench/sse_local.py [--publisher service|admin] [--redis URL]
                                        [--postgres] [--connections 1000] [--dispatches 100]

What it does:

1. creates a fresh benchmark database (SQLite ``bench/var/sse.sqlite3``, or the
   PostgreSQL database ``lede_sse_bench`` with ``--postgres``) and migrates it;
2. starts **one** uvicorn process serving ``config.asgi:application``;
3. opens ``--connections`` concurrent ``/newsroom/flux/`` streams from client
   processes (raw asyncio sockets, no HTTP library needed);
4. publishes ``--dispatches`` dispatches, one every ``--interval`` seconds:
   ``service`` = from another process through ``lede.livefeed.services`` (a worker or
   ``manage.py dispatch_post``: the server learns of it by polling the database, or
   through Redis with ``--redis``); ``admin`` = an editor posting the admin form, so
   the dispatch is committed inside the server process;
5. reports publish→receipt latency (p50/p99/max over every stream × dispatch), the
   deliveries, and the server's memory (VmRSS) and threads from ``/proc``;
6. closes the streams and checks the server lets go of them (threads, RSS).

The figures are appended to ``bench/RESULTS.md`` under "SSE fan-out" (``--no-results``
to only print). Client and server share the machine: on 2 cores the clients' own CPU
time is part of the measured latency.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PY = str(ROOT / ".venv" / "bin" / "python")
UVICORN = str(ROOT / ".venv" / "bin" / "uvicorn")
RESULTS = BENCH_DIR / "RESULTS.md"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lede_sse_bench"
HEADLINE = re.compile(rb"Essai SSE (\d+)<")
SECTION_START = "<!-- bench:sse:start -->"
SECTION_END = "<!-- bench:sse:end -->"


def log(message: str) -> None:
    print(message, flush=True)


# --- server ---------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in {"VmRSS", "VmHWM", "Threads"}:
                values[name] = int(rest.split()[0])
    except OSError:
        pass
    return values


def open_fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


class Sampler(threading.Thread):
    """Peak RSS and threads of the server, sampled every 0.2 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss_kib = 0
        self.peak_threads = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            status = proc_status(self.pid)
            self.peak_rss_kib = max(self.peak_rss_kib, status.get("VmRSS", 0))
            self.peak_threads = max(self.peak_threads, status.get("Threads", 0))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(port: int, path: str = "/newsroom/", timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer on port {port}")


# --- clients ----------------------------------------------------------------------


def client_process(port: int, count: int, worker: int, ready: Any, stop: Any, results: Any) -> None:
    asyncio.run(_clients(port, count, worker, ready, stop, results))


async def _clients(port: int, count: int, worker: int, ready: Any, stop: Any, results: Any) -> None:
    received: dict[int, list[float]] = {}
    connected = 0
    errors: list[str] = []
    all_connected = asyncio.Event()
    gate = asyncio.Semaphore(50)
    request = (
        b"GET /newsroom/flux/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
    )

    async def one() -> None:
        nonlocal connected
        try:
            async with gate:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(request)
                await writer.drain()
                head = b""
                while b"retry:" not in head:
                    chunk = await asyncio.wait_for(reader.read(4096), 60)
                    if not chunk:
                        raise ConnectionError("closed before the first event")
                    head += chunk
        except Exception as exc:  # noqa: BLE001 - counted and reported
            errors.append(repr(exc))
            if connected + len(errors) == count:
                all_connected.set()
            return
        connected += 1
        if connected + len(errors) == count:
            all_connected.set()
        buffer = b""
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    return
                now = time.time()
                buffer += chunk
                *blocks, buffer = buffer.split(b"\n\n")
                for block in blocks:
                    match = HEADLINE.search(block)
                    if match:
                        received.setdefault(int(match.group(1)), []).append(now)
        finally:
            writer.close()

    tasks = [asyncio.create_task(one()) for _ in range(count)]
    await all_connected.wait()
    ready.put((worker, connected, errors[:5], len(errors)))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, stop.wait)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    results.put((worker, received))


# --- publishers -------------------------------------------------------------------


PUBLISH_CALLS: list[float] = []  # seconds each publish call took (the commit included)


def publish_service(count: int, interval: float, env: dict[str, str]) -> dict[int, float]:
    proc = subprocess.run(
        [PY, str(BENCH_DIR / "sse_publish.py"), "--count", str(count), "--interval", str(interval)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    sent = {}
    for line in proc.stdout.splitlines():
        item = json.loads(line)
        sent[int(item["n"])] = float(item["t"])
        PUBLISH_CALLS.append(float(item["done"]) - float(item["t"]))
    return sent


class AdminEditor:
    """An editor in the Wagtail admin: log in, then post the dispatch form."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _csrf(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not match:
            raise SystemExit("no CSRF token in the admin form")
        return match.group(1)

    def _post(self, path: str, data: dict[str, str]) -> Any:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        return self.opener.open(request, timeout=30)

    def login(self, email: str, password: str) -> None:
        html = self.opener.open(self.base + "/admin/login/", timeout=30).read().decode()
        self._post(
            "/admin/login/",
            {"csrfmiddlewaretoken": self._csrf(html), "username": email, "password": password},
        )
        page = self.opener.open(self.base + "/admin/livefeed/dispatch/add/", timeout=30)
        self.token = self._csrf(page.read().decode())

    def publish(self, n: int) -> float:
        blocks = [
            {"key": f"k{i}", "type": "unstyled", "depth": 0, "text": text,
             "inlineStyleRanges": [], "entityRanges": [], "data": {}}
            for i, text in enumerate(["Une dépêche de charge.", "Deuxième paragraphe, court."])
        ]  # fmt: skip
        t = time.time()
        response = self._post(
            "/admin/livefeed/dispatch/add/",
            {
                "csrfmiddlewaretoken": self.token,
                "headline": f"Essai SSE {n}",
                "body": json.dumps({"blocks": blocks, "entityMap": {}}),
                "credit": "AFP",
                "access_level": "public",
            },
        )
        if "/add/" in response.geturl():
            raise SystemExit(f"the admin refused dispatch {n}")
        PUBLISH_CALLS.append(time.time() - t)
        return t


def publish_admin(port: int, count: int, interval: float) -> dict[int, float]:
    from sse_publish import EDITOR_EMAIL, EDITOR_PASSWORD

    editor = AdminEditor(port)
    editor.login(EDITOR_EMAIL, EDITOR_PASSWORD)
    sent = {}
    for n in range(count):
        t = editor.publish(n)
        sent[n] = t
        time.sleep(max(0.0, interval - (time.time() - t)))
    return sent


# --- database ---------------------------------------------------------------------


def fresh_database(args: argparse.Namespace, env: dict[str, str]) -> str:
    if args.postgres:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as conn:
            conn.execute("DROP DATABASE IF EXISTS lede_sse_bench")
            conn.execute("CREATE DATABASE lede_sse_bench")
        env["SSE_BENCH_DATABASE_URL"] = POSTGRES_URL
        engine = "PostgreSQL"
    else:
        path = BENCH_DIR / "var" / "sse.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        engine = "SQLite"
    t = time.monotonic()
    subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [PY, str(BENCH_DIR / "sse_publish.py"), "--prepare"], env=env, cwd=ROOT, check=True
    )
    log(f"database ready ({engine}) in {time.monotonic() - t:.0f} s")
    return engine


# --- report -------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def machine() -> str:
    sys.path.insert(0, str(ROOT))
    try:
        from bench.report import machine as describe

        m = describe()
        return (
            f"{m['cpu']}, {m['cores']} cores, {m['ram']} RAM, {m['os']}; "
            f"Python {m['python']}, Django {m['django']}, Wagtail {m['wagtail']}"
        )
    except Exception:  # noqa: BLE001 - a description is not worth failing the run for
        import platform

        return f"{platform.processor()}, {os.cpu_count()} cores, {platform.platform()}"


def write_results(text: str) -> None:
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION_START in current and SECTION_END in current:
        head, rest = current.split(SECTION_START, 1)
        body, tail = rest.split(SECTION_END, 1)
        updated = f"{head}{SECTION_START}{body.rstrip()}\n\n{text}\n{SECTION_END}{tail}"
    else:
        intro = (
            "## SSE fan-out\n\nWritten by `bench/sse_local.py`: one uvicorn process, "
            "concurrent `/newsroom/flux/` streams, dispatches published one after the other; "
            "latency from the publish call to the receipt of the event by each stream. "
            "Each run is appended.\n"
        )
        updated = f"{current.rstrip()}\n\n{SECTION_START}\n{intro}\n{text}\n{SECTION_END}\n"
    RESULTS.write_text(updated)


# --- main ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--dispatches", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between publishes")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--publisher", choices=["service", "admin"], default="service")
    parser.add_argument("--redis", default="", help="Redis URL for the fan-out (default: none)")
    parser.add_argument("--postgres", action="store_true", help=f"use {POSTGRES_URL}")
    parser.add_argument("--poll", type=float, default=None, help="LEDE_SSE_POLL_INTERVAL")
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()

    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.connections + 1024
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.sse_settings",
        "PYTHONPATH": str(ROOT),
        "SSE_BENCH_CHANNEL": f"lede:livefeed:bench:{uuid.uuid4().hex[:8]}",
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    if args.redis:
        env["SSE_BENCH_REDIS_URL"] = args.redis
    engine = fresh_database(args, env)
    server_env = dict(env)
    if args.poll is not None:
        server_env["SSE_BENCH_POLL"] = str(args.poll)
    port = free_port()
    command = [
        UVICORN, "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
        "--no-access-log", "--log-level", "warning", "--backlog", "4096",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=server_env, cwd=ROOT)
    sampler = Sampler(server.pid)
    try:
        wait_http(port)
        wait_http(port, "/")
        idle = proc_status(server.pid)
        log(f"server pid {server.pid} on port {port}: {idle.get('VmRSS', 0) / 1024:.0f} MiB idle")
        sampler.start()

        ctx = multiprocessing.get_context("fork")
        ready, results, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
        shares = [args.connections // args.clients] * args.clients
        shares[0] += args.connections - sum(shares)
        workers = [
            ctx.Process(target=client_process, args=(port, n, i, ready, stop, results))
            for i, n in enumerate(shares)
        ]
        t0 = time.monotonic()
        for worker in workers:
            worker.start()
        connected, errors, samples = 0, 0, []
        for _ in workers:
            _, ok, sample, n_errors = ready.get(timeout=300)
            connected += ok
            errors += n_errors
            samples += sample
        connect_s = time.monotonic() - t0
        time.sleep(1)
        streaming = proc_status(server.pid)
        log(
            f"{connected} streams open in {connect_s:.1f} s ({errors} failed {samples[:2]}); "
            f"server {streaming.get('VmRSS', 0) / 1024:.0f} MiB, "
            f"{streaming.get('Threads', 0)} threads, {open_fds(server.pid)} fds"
        )

        log(f"publishing {args.dispatches} dispatches ({args.publisher}) …")
        if args.publisher == "admin":
            sys.path.insert(0, str(BENCH_DIR))
            sent = publish_admin(port, args.dispatches, args.interval)
        else:
            sent = publish_service(args.dispatches, args.interval, env)
        time.sleep(3)  # stragglers
        during = proc_status(server.pid)
        stop.set()
        received: dict[int, list[float]] = {}
        for _ in workers:
            _, part = results.get(timeout=120)
            for n, times in part.items():
                received.setdefault(n, []).extend(times)
        for worker in workers:
            worker.join(30)
        sampler.stop.set()
        time.sleep(3)
        after = proc_status(server.pid)
        after_fds = open_fds(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()

    latencies = [t - sent[n] for n, times in received.items() if n in sent for t in times]
    delivered = sum(len(times) for times in received.values())
    expected = connected * len(sent)
    per_dispatch = [max(times) - sent[n] for n, times in received.items() if n in sent and times]
    ms = [x * 1000 for x in latencies]
    first_by_dispatch = sorted(
        ((min(times) - sent[n]) * 1000, (max(times) - sent[n]) * 1000, n)
        for n, times in received.items()
        if n in sent and times
    )
    if PUBLISH_CALLS:
        log(
            f"publish call: median {statistics.median(PUBLISH_CALLS) * 1000:.0f} ms, "
            f"max {max(PUBLISH_CALLS) * 1000:.0f} ms"
        )
    log(
        "slowest dispatches (first / last stream, ms): "
        + ", ".join(f"#{n} {a:.0f}/{b:.0f}" for a, b, n in first_by_dispatch[-5:])
    )
    redis = "Redis pub/sub" if args.redis else "no Redis (database polling)"
    path = {
        "service": f"another process (service call, like a worker); {redis}",
        "admin": "the admin form, committed in the server process (in-process fan-out)",
    }[args.publisher]
    if args.publisher == "admin" and args.redis:
        path += "; Redis pub/sub"
    rows = [
        ("streams open", f"{connected:,} of {args.connections:,} ({connect_s:.1f} s to open)"),
        ("dispatches published", f"{len(sent)} (one every {args.interval:g} s)"),
        ("events delivered", f"{delivered:,} of {expected:,}"),
        ("latency p50", f"{statistics.median(ms):.0f} ms" if ms else "—"),
        ("latency p99", f"{percentile(ms, 99):.0f} ms" if ms else "—"),
        ("latency max", f"{max(ms):.0f} ms" if ms else "—"),
        (
            "last stream served, p50 / p99",
            f"{statistics.median(per_dispatch) * 1000:.0f} / "
            f"{percentile(per_dispatch, 99) * 1000:.0f} ms"
            if per_dispatch
            else "—",
        ),
        ("server RSS idle", f"{idle.get('VmRSS', 0) / 1024:.0f} MiB"),
        (
            "server RSS with streams open",
            f"{streaming.get('VmRSS', 0) / 1024:.0f} MiB ({streaming.get('Threads', 0)} threads)",
        ),
        (
            "server RSS peak (VmHWM)",
            f"{max(during.get('VmHWM', 0), sampler.peak_rss_kib) / 1024:.0f} MiB "
            f"(peak {sampler.peak_threads} threads)",
        ),
        (
            "after the streams closed",
            f"{after.get('VmRSS', 0) / 1024:.0f} MiB, {after.get('Threads', 0)} threads, "
            f"{after_fds} fds",
        ),
    ]
    now = datetime.now(UTC)
    table = "\n".join(["| measure | value |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)])
    text = (
        f"### {now:%Y-%m-%d %H:%M} UTC — {engine}, {args.connections:,} streams, "
        f"publisher: {args.publisher}{', Redis' if args.redis else ''}\n\n"
        f"- **Machine**: {machine()}\n"
        f"- **Server**: one uvicorn process (`config.asgi:application`, uvloop/httptools when "
        f"installed), settings `bench.sse_settings` (DEBUG off)\n"
        f"- **Publisher**: {path}\n"
        f"- **Clients**: {args.clients} processes of raw asyncio sockets on the same machine\n"
        f"- Load average at the end: {os.getloadavg()[0]:.2f}\n\n"
        f"{table}\n"
    )
    log("")
    log(text)
    if not args.no_results:
        write_results(text)
        log(f"appended to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
