"""Load test of the content API (issue 16): the article list, one article, and
one article revalidated with ``If-None-Match`` (answered 304).

Makes a PostgreSQL database of N articles with ``bench/generate.py`` (no
readers, no search index), serves it with granian (2 workers, production
settings, Redis cache) and drives each URL with wrk. Prints the figures and
appends them to bench/RESULTS.md.

    .venv/bin/python bench/api_load.py [--articles 10000] [--duration 10]
        [--connections 16] [--database-name lede_hapi_scale]
        [--redis-url redis://127.0.0.1:6379/14] [--reuse] [--port 8500]

Besides the three fixed URLs, a mixed run: clients ask for articles picked at
random among the 200 newest and 200 of the deepest pages' articles, holding a
copy (``If-None-Match``) of a share of them (``--revalidate``), the way a
monitoring tool polls; the share of 304 answers is counted by wrk's Lua
``response`` hook, per status. The machine's load (``os.getloadavg``) is
written beside every figure: the machine is shared.

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
            # Where bench/generate.py writes the lead images by default.
            "MEDIA_ROOT": str(ROOT / "var" / "stack" / "media"),
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


MIXED_LUA = """
local paths = {%(paths)s}
local tags = {%(tags)s}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n304 = 0; n200 = 0; nother = 0 end
function request()
  local i = math.random(#paths)
  local headers = {}
  if tags[i] ~= "" then headers["If-None-Match"] = tags[i] end
  return wrk.format("GET", paths[i], headers)
end
function response(status, headers, body)
  if status == 304 then n304 = n304 + 1 elseif status == 200 then n200 = n200 + 1
  else nother = nother + 1 end
end
function done(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("n304"); b = b + t:get("n200"); c = c + t:get("nother")
  end
  io.write(string.format("STATUS 304=%%d 200=%%d other=%%d\\n", a, b, c))
end
"""


def mixed_script(paths: list[str], tags: list[str]) -> Path:
    def lua_list(values: list[str]) -> str:
        return ", ".join(json.dumps(v) for v in values)

    script = ROOT / "bench" / "var" / "api_mixed.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(MIXED_LUA % {"paths": lua_list(paths), "tags": lua_list(tags)})
    return script


def wrk(
    port: int,
    path: str,
    duration: int,
    connections: int,
    etag: str = "",
    script: Path | None = None,
) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    if etag:
        cmd += ["-H", f"If-None-Match: {etag}"]
    if script is not None:
        cmd += ["-s", str(script)]
    load_before = os.getloadavg()[0]
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
    statuses = re.search(r"STATUS 304=(\d+) 200=(\d+) other=(\d+)", out)
    result = {
        "rps": float(found.group(1)),
        "p50": pct("50"),
        "p99": pct("99"),
        "errors": float(errors.group(1)) if errors else 0.0,
        "requests": float(total.group(1)) if total else 0.0,
        "load": (load_before + os.getloadavg()[0]) / 2,
    }
    if statuses:
        n304, n200, other = (int(statuses.group(i)) for i in (1, 2, 3))
        result["share304"] = n304 / max(1, n304 + n200 + other)
    elif etag:
        result["share304"] = 1.0 - result["errors"] / max(1.0, result["requests"])
    else:
        result["share304"] = 0.0
    return result


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
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f" / {kib / 1024**2:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, load "
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
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument(
        "--revalidate", type=float, default=0.5, help="share of mixed calls with a copy"
    )
    args = parser.parse_args()

    if not args.reuse:
        generate(args.database_name, args.articles)
    env = env_for(args.database_name, args.redis_url, args.db_pool)
    subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], check=False, capture_output=True)
    port = args.port or free_port()
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
        # A page deep in the list (cursor of the 5,000th article).
        cursor_path = "/api/v1/articles?limit=100"
        deep = ""
        for _ in range(50):
            _s, _h, body = get(port, cursor_path)
            data = json.loads(body)
            deep = data["next_cursor"] or deep
            cursor_path = f"/api/v1/articles?limit=100&cursor={deep}"
        newest = [
            item["id"] for item in json.loads(get(port, "/api/v1/articles?limit=100")[2])["items"]
        ]
        older = [item["id"] for item in data["items"]]
        ids = (newest + older)[:200]
        paths, tags = [], []
        for n, article_id in enumerate(ids):
            path = f"/api/v1/articles/{article_id}"
            paths.append(path)
            holds = (n * 0.618034) % 1 < args.revalidate
            tags.append(get(port, path)[1].get("etag", "") if holds else "")
        script = mixed_script(paths, tags)
        results = {
            "list (20 per page)": wrk(
                port, "/api/v1/articles?limit=20", args.duration, args.connections
            ),
            "list, page 250 (cursor)": wrk(
                port, f"/api/v1/articles?limit=20&cursor={deep}", args.duration, args.connections
            ),
            "detail": wrk(port, detail, args.duration, args.connections),
            "detail, If-None-Match (304)": wrk(
                port, detail, args.duration, args.connections, etag=etag
            ),
            f"mixed detail, {len(ids)} articles, {args.revalidate:.0%} held": wrk(
                port, "/", args.duration, args.connections, script=script
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
        "| request | req/s | p50 ms | p99 ms | share 304 | non-2xx/3xx | load (1 min) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
            f"{r['share304']:.0%} | {r['errors']:.0f} | {r['load']:.1f} |"
        )
    lines.append("")
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
