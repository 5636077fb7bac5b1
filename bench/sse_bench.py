"""The live feed at scale, through the stack: 10,000 streams on one node.

    bin/stack                                  # STACK_PORT etc. as usual
    .venv/bin/python bench/sse_bench.py --stack http://127.0.0.1:8100 \\
        [--target front|node] [--streams 10000] [--dispatches 20] [--interval 1] \\
        [--storm] [--clients 4] [--no-results]

``--target front`` (default): the stack's nginx + nchan front (STACK_PORT+10),
the road production takes (deploy/nginx/lede.conf). ``--target node``: node 1
directly, the application's own stream (the "before").

1. Client processes (raw asyncio sockets, like EventSource: ``Accept:
   text/event-stream``, reconnecting with ``Last-Event-ID`` after 0.5–3 s)
   open ``--streams`` streams, from many loopback addresses (40 per address,
   under the per-address cap of 100).
2. The memory (RSS), threads and descriptors of the processes holding the
   streams (nginx master + workers; or node 1's granian processes) are sampled
   all along.
3. ``--dispatches`` dispatches are published by another process through the
   service (``bench/sse_publish.py`` with the stack's settings), one every
   ``--interval`` s. Latency = receipt − the dispatch's ``published_at``
   carried in the event (its own publication time, not a command's start).
4. ``--storm``: dispatches keep coming while the stream holder is restarted
   (``bin/stack restart front|node1``): every stream reconnects at once with
   its ``Last-Event-ID``; the benchmark counts the events each stream missed
   and the database transactions the storm cost.

Clients and servers share the machine's 2 cores: the clients' CPU is part of
the latency. Appends to bench/RESULTS.md (section "SSE at scale").
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
from sse_clients import client_process  # noqa: E402 - bench/ is not a package path here

PY = str(ROOT / ".venv" / "bin" / "python")
RESULTS = BENCH_DIR / "RESULTS.md"


def log(message: str) -> None:
    print(message, flush=True)


# --- the processes holding the streams ---------------------------------------------


def stack_env(stack_dir: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in (stack_dir / "env").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    return env


def descendants(pid: int) -> list[int]:
    found, todo = [pid], [pid]
    while todo:
        parent = todo.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found.append(child)
            todo.append(child)
    return found


def holders(stack_dir: Path, target: str) -> list[int]:
    name = "front/nginx.pid" if target == "front" else "node1.pid"
    try:
        return descendants(int((stack_dir / name).read_text().strip()))
    except (OSError, ValueError):
        return []


def usage(pids: list[int]) -> dict[str, int]:
    rss = threads = fds = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
                elif line.startswith("Threads:"):
                    threads += int(line.split()[1])
            fds += len(os.listdir(f"/proc/{pid}/fd"))
        except OSError:
            continue
    return {"rss_kib": rss, "threads": threads, "fds": fds, "processes": len(pids)}


class Sampler(threading.Thread):
    def __init__(self, stack_dir: Path, target: str) -> None:
        super().__init__(daemon=True)
        self.stack_dir, self.target = stack_dir, target
        self.peak = {"rss_kib": 0, "threads": 0, "fds": 0}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            now = usage(holders(self.stack_dir, self.target))
            for key in self.peak:
                self.peak[key] = max(self.peak[key], now[key])


def db_transactions(env: dict[str, str]) -> int:
    import psycopg

    url = env["DATABASE_URL"]
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url, connect_timeout=5) as conn:
        row = conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", (name,)
        ).fetchone()
    return int(row[0]) if row else -1


# --- publishing -------------------------------------------------------------------------


def publisher(env: dict[str, str], count: int, interval: float, start: int) -> subprocess.Popen:
    run_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    run_env.update(env)
    return subprocess.Popen(
        [PY, str(BENCH_DIR / "sse_publish.py"), "--count", str(count), "--interval",
         str(interval), "--start", str(start), "--warm-up"],
        env=run_env, cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def published(proc: subprocess.Popen) -> list[dict[str, Any]]:
    out, _ = proc.communicate(timeout=600)
    if proc.returncode:
        raise SystemExit("the publisher failed")
    # The warm-up dispatch prints nothing: not measured.
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


# --- main -------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def wait_open(state: Any, want: int, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if sum(state[i * 4] for i in range(len(state) // 4)) >= want:
            return time.monotonic() - start
        time.sleep(0.1)
    return float("nan")


def totals(state: Any) -> dict[str, int]:
    n = len(state) // 4
    return {
        "open": sum(state[i * 4] for i in range(n)),
        "opened": sum(state[i * 4 + 1] for i in range(n)),
        "refused": sum(state[i * 4 + 2] for i in range(n)),
        "reconnects": sum(state[i * 4 + 3] for i in range(n)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stack", default="http://127.0.0.1:8080", help="the stack's Varnish URL")
    parser.add_argument("--target", choices=["front", "node"], default="front")
    parser.add_argument("--streams", type=int, default=10000)
    parser.add_argument("--dispatches", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--storm", action="store_true", help="restart the stream holder")
    parser.add_argument("--open-timeout", type=float, default=300)
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    stack_dir = Path(os.environ.get("LEDE_STACK_DIR", str(ROOT / "var" / "stack")))
    env = stack_env(stack_dir)
    base_port = urlsplit(args.stack).port or 80
    port = base_port + 10 if args.target == "front" else base_port + 1
    load_start = os.getloadavg()
    started_at = datetime.now(UTC)
    log(f"target {args.target} on port {port}; load {load_start[0]:.2f}")
    idle = usage(holders(stack_dir, args.target))
    sampler = Sampler(stack_dir, args.target)
    sampler.start()

    ctx = multiprocessing.get_context("fork")
    state = ctx.Array("i", args.clients * 4, lock=False)
    stop, results = ctx.Event(), ctx.Queue()
    shares = [args.streams // args.clients] * args.clients
    shares[0] += args.streams - sum(shares)
    workers, offset = [], 0
    for i, n in enumerate(shares):
        workers.append(
            ctx.Process(
                target=client_process,
                args=("127.0.0.1", port, "/newsroom/flux/", n, offset, i, state, stop, results),
            )
        )
        offset += n
    t0 = time.monotonic()
    for worker in workers:
        worker.start()
    open_s = wait_open(state, args.streams, args.open_timeout)
    opened = totals(state)
    time.sleep(2)
    holding = usage(holders(stack_dir, args.target))
    log(
        f"{opened['open']:,} streams open in {open_s:.1f} s ({opened['refused']} refused); "
        f"holders {holding['rss_kib'] / 1024:.0f} MiB, {holding['threads']} threads, "
        f"{holding['fds']} fds in {holding['processes']} processes"
    )

    log(f"publishing {args.dispatches} dispatches, one every {args.interval:g} s …")
    sent = published(publisher(env, args.dispatches, args.interval, 0))
    time.sleep(5)  # stragglers
    storm: dict[str, Any] = {}
    storm_sent: list[dict[str, Any]] = []
    if args.storm:
        service = "front" if args.target == "front" else "node1"
        log(f"storm: restarting {service} with {totals(state)['open']:,} streams open …")
        idle_tx = db_transactions(env)
        time.sleep(10)
        storm_idle_tx = db_transactions(env) - idle_tx  # the stack's own background, 10 s
        before_tx, before = db_transactions(env), totals(state)
        s0 = time.monotonic()
        proc = publisher(env, max(10, args.dispatches // 2), 0.5, 10_000)
        time.sleep(2)
        r0 = time.monotonic()
        subprocess.run(
            [str(ROOT / "bin" / "stack"), "restart", service], cwd=ROOT, check=True,
            env={**os.environ, "STACK_PORT": str(base_port)}, capture_output=True,
        )  # fmt: skip
        restarted_s = time.monotonic() - r0
        back_s = wait_open(state, args.streams, args.open_timeout)
        storm_sent = published(proc)
        time.sleep(8)
        after = totals(state)
        storm = {
            "seconds": time.monotonic() - s0,
            "idle_tx_10s": storm_idle_tx,
            "service": service,
            "restart_s": restarted_s,
            "back_s": back_s,
            "reconnects": after["reconnects"] - before["reconnects"],
            "open_after": after["open"],
            "transactions": db_transactions(env) - before_tx,
        }
        log(f"storm: {storm}")
    stop.set()
    received: dict[int, list[float]] = {}
    counts: dict[int, int] = {}
    for _ in workers:
        part_latency, part_count = results.get(timeout=300)
        for key, values in part_latency.items():
            received.setdefault(key, []).extend(values)
        for key, value in part_count.items():
            counts[key] = counts.get(key, 0) + value
    for worker in workers:
        worker.join(30)
    sampler.stop.set()
    load_end = os.getloadavg()

    ids = [int(item["id"]) for item in sent]
    ms = [x * 1000 for key in ids for x in received.get(key, [])]
    # The same deliveries from the end of the publish call (committed, rendered,
    # handed to the stream holder): the fan-out alone.
    cost = {int(i["id"]): (float(i["done"]) - float(i["t"])) for i in sent}
    fan_ms = [(x - cost[key]) * 1000 for key in ids for x in received.get(key, [])]
    delivered = sum(counts.get(key, 0) for key in ids)
    expected = opened["open"] * len(ids)
    storm_ids = [int(item["id"]) for item in storm_sent]
    storm_missed = sum(args.streams - counts.get(key, 0) for key in storm_ids)
    within = sum(1 for x in ms if x <= 1000)
    per_dispatch_p99 = [percentile([x * 1000 for x in received.get(k, [])], 99) for k in ids]
    publish_ms = [(float(i["done"]) - float(i["t"])) * 1000 for i in sent]

    holder = (
        f"nginx + nchan front ({holding['processes']} processes: master + workers)"
        if args.target == "front"
        else f"node 1, granian ({holding['processes']} processes)"
    )
    rows = [
        ("streams open", f"{opened['open']:,} of {args.streams:,} in {open_s:.1f} s "
         f"({opened['refused']} refused or failed attempts)"),
        ("dispatches", f"{len(ids)} (one every {args.interval:g} s), publish call median "
         f"{statistics.median(publish_ms):.0f} ms" if publish_ms else "0"),
        ("events delivered", f"{delivered:,} of {expected:,}"),
        ("delivery p50 / p99 / max (from `published_at`)",
         f"{statistics.median(ms):.0f} / {percentile(ms, 99):.0f} / {max(ms):.0f} ms"
         if ms else "—"),
        ("deliveries within 1 s of publication", f"{within / len(ms) * 100:.2f} %" if ms else "—"),
        ("fan-out alone: p50 / p99 from the publish call's return",
         f"{statistics.median(fan_ms):.0f} / {percentile(fan_ms, 99):.0f} ms" if fan_ms else "—"),
        ("worst dispatch's p99", f"{max(per_dispatch_p99):.0f} ms" if per_dispatch_p99 else "—"),
        ("holders idle", f"{idle['rss_kib'] / 1024:.0f} MiB, {idle['threads']} threads"),
        ("holders with the streams open",
         f"{holding['rss_kib'] / 1024:.0f} MiB, {holding['threads']} threads, "
         f"{holding['fds']:,} fds"),
        ("holders peak", f"{sampler.peak['rss_kib'] / 1024:.0f} MiB, "
         f"{sampler.peak['threads']} threads, {sampler.peak['fds']:,} fds"),
    ]  # fmt: skip
    if storm:
        rows += [
            ("storm: restart of " + storm["service"], f"{storm['restart_s']:.1f} s (bin/stack)"),
            ("storm: every stream open again", f"{storm['back_s']:.1f} s after the restart; "
             f"{storm['reconnects']:,} reconnections"),
            ("storm: events missed", f"{storm_missed:,} of {len(storm_ids) * args.streams:,} "
             f"({len(storm_ids)} dispatches published through the restart)"),
            ("storm: database transactions",
             f"{storm['transactions']:,} in {storm['seconds']:.0f} s "
             f"(all processes, the publisher and the refill included) for "
             f"{storm['reconnects']:,} reconnections; the idle stack: {storm['idle_tx_10s']} "
             f"in 10 s"),
        ]  # fmt: skip
    sys.path.insert(0, str(ROOT))
    from bench.report import machine

    m = machine()
    text = (
        f"### {started_at:%Y-%m-%d %H:%M} UTC — {args.streams:,} streams through "
        f"{'the nchan front' if args.target == 'front' else 'node 1 (the application stream)'}"
        f"{', reconnection storm' if args.storm else ''}\n\n"
        f"- **Machine**: {m['cpu']}, {m['cores']} cores, {m['ram']} RAM (2 cores / 23 GiB), "
        f"shared with other sessions' work\n"
        f"- **Load** (`uptime`): {load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end\n"
        f"- **Holders**: {holder}; **clients**: {args.clients} processes of asyncio sockets "
        f"on the same machine (their CPU is in the latency)\n"
        f"- **Publisher**: `bench/sse_publish.py` with the stack's settings (the service, "
        f"committed in its own process, then published to the stream holder)\n\n"
        "| measure | value |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows) + "\n"
    )
    log("")
    log(text)
    log(f"total {time.monotonic() - t0:.0f} s")
    if not args.no_results:
        write_results(text)


SECTION_START = "<!-- bench:sse-scale:start -->"
SECTION_END = "<!-- bench:sse-scale:end -->"


def write_results(text: str) -> None:
    current = RESULTS.read_text()
    if SECTION_START in current:
        head, rest = current.split(SECTION_START, 1)
        body, tail = rest.split(SECTION_END, 1)
        updated = f"{head}{SECTION_START}{body.rstrip()}\n\n{text}\n{SECTION_END}{tail}"
    else:
        intro = (
            "## SSE at scale (issue 17)\n\nWritten by `bench/sse_bench.py`: streams through "
            "the stack, latency from each dispatch's own `published_at`. Each run is appended.\n"
        )
        updated = f"{current.rstrip()}\n\n{SECTION_START}\n{intro}\n{text}\n{SECTION_END}\n"
    RESULTS.write_text(updated)
    log(f"appended to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
