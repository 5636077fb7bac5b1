"""Load test of the content API (issue 16): the article list, one article, and
one article revalidated with ``If-None-Match`` (answered 304).

Makes a PostgreSQL database of N articles with ``bench/generate.py`` (no
readers, no search index), serves it with granian (2 workers, production
settings, Redis cache) and drives each URL with wrk. Prints the figures and
appends them to bench/RESULTS.md.

    .venv/bin/python bench/api_load.py [--articles 10000] [--duration 10]
        [--connections 16] [--database-name lede_hapi_scale]
        [--redis-url redis://127.0.0.1:6379/14] [--reuse]

Calls are made without a key (the anonymous rate limit is switched off for
the run); a keyed call adds one indexed query for the key and one insert in
the call log.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SECRET = "bench-" + "k" * 60


def env_for(db_name: str, redis_url: str, db_pool: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db_name}",
            "REDIS_URL": redis_url,
            "SECRET_KEY": SECRET,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "LEDE_STAFF_REQUIRE_MFA": "0",
            "LEDE_VAR_DIR": str(ROOT / "bench" / "var"),
            "LEDE_API_ANONYMOUS_RATE_LIMIT": "0",
            "DB_CONN_MAX_AGE": "0",
            # Per process; 0 = a new connection per request (config/settings/production.py).
            "DB_POOL_MAX_SIZE": str(db_pool),
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def generate(db_name: str, articles: int) -> None:
    subprocess.run(
        [
            PY,
            "bench/generate.py",
            "--database-url",
            f"postgres://postgres@127.0.0.1:5432/{db_name}",
            "--articles",
            str(articles),
            "--sections",
            "12",
            "--authors",
            "60",
            "--years",
            "3",
            "--readers",
            "0",
            "--subscriptions",
            "0",
            "--no-search",
            "--fresh",
        ],
        cwd=ROOT,
        check=True,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    cmd = [
        str(Path(PY).parent / "granian"),
        "--interface",
        "asginl",
        "--workers",
        "2",
        "--no-access-log",
        "--log-level",
        "warning",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "config.asgi:application",
    ]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError("granian did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (names in lower case) and body."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        headers = {name.lower(): value for name, value in response.headers.items()}
        return response.status, headers, response.read()


def wrk(port: int, path: str, duration: int, connections: int, etag: str = "") -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    if etag:
        cmd += ["-H", f"If-None-Match: {etag}"]
    out = subprocess.run(
        [*cmd, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert found, out

    def pct(name: str) -> float:
        m = re.search(rf"^\s+{name}%\s+([\d.]+)(us|ms|s)", out, re.M)
        assert m, out
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {
        "rps": float(found.group(1)),
        "p50": pct("50"),
        "p99": pct("99"),
        "errors": float(errors.group(1)) if errors else 0.0,
        "requests": float(total.group(1)) if total else 0.0,
    }


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0]
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, load "
        f"{load:.1f} at start, granian ASGI 2 workers, Redis cache, wrk -t2"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-name", default="lede_hapi_scale")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--db-pool", type=int, default=4, help="psycopg pool per process")
    parser.add_argument("--reuse", action="store_true", help="keep the existing database")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args()

    if not args.reuse:
        generate(args.database_name, args.articles)
    env = env_for(args.database_name, args.redis_url, args.db_pool)
    subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], check=False, capture_output=True)
    port = free_port()
    started = dt.datetime.now(dt.UTC)
    proc = start_server(port, env)
    try:
        status, _headers, body = get(port, "/api/v1/articles?limit=20")
        assert status == 200
        items = json.loads(body)["items"]
        detail = f"/api/v1/articles/{items[0]['id']}"
        status, headers, _body = get(port, detail)
        etag = headers.get("etag", "")
        assert status == 200 and etag
        results = {
            "list (20 per page)": wrk(
                port, "/api/v1/articles?limit=20", args.duration, args.connections
            ),
            "detail": wrk(port, detail, args.duration, args.connections),
            "detail, If-None-Match (304)": wrk(
                port, detail, args.duration, args.connections, etag=etag
            ),
        }
    finally:
        stop_server(proc)
    lines = [
        "",
        f"## Content API (issue 16), {args.articles:,} articles — {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"`bench/api_load.py --articles {args.articles} --duration {args.duration} "
        f"--connections {args.connections} --db-pool {args.db_pool}`, anonymous caller, "
        f"PostgreSQL. Machine: {machine()}.",
        "",
        "| request | req/s | p50 ms | p99 ms | non-2xx/3xx |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']:.0f} |"
        )
    lines.append("")
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
