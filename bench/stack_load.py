"""Load test against the production stack (`make stack`), issue 6.

Measures, in one run on one machine, with wrk:

- the ceiling: nginx serving a saved copy of the article page as a static file;
- the article page through Varnish (anonymous, a cache hit);
- from one application node directly (2 granian processes): the article as an
  anonymous reader (locked variant) and as a subscriber, the home page, a
  section page deep in the archive, a search and the news sitemap.

Each figure is given with its ratio to the static ceiling. The raw figures
go to ``bench/var/stack-load-<label>.json``; ``--compare SMALL BIG`` writes the
table comparing two runs (1,000 and 200,000 articles) to bench/RESULTS.md.

    make stack                       # or STACK_DB=lede_scale make stack
    .venv/bin/python bench/stack_load.py --label "200,000 articles" \\
        [--urls bench/var/generate-lede_scale.json] [--duration 10] [--connections 16]
    .venv/bin/python bench/stack_load.py --compare bench/var/stack-load-a.json \\
        bench/var/stack-load-b.json

wrk runs on the same two cores as everything else: the figures are what one
2-core machine does with the client, the proxies, Python, PostgreSQL and Redis
all on it, not what a node does alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bench.paywall_load as paywall_load  # noqa: E402
from bench.paywall_load import _free_port, logged_in_cookies, wrk  # noqa: E402

STACK_DIR = Path(os.environ.get("LEDE_STACK_DIR", ROOT / "var" / "stack"))
NGINX_CONF = """
worker_processes 2;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    default_type text/html;
    sendfile on;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{port};
        root {tmp};
        location / {{ try_files /article.html =404; }}
    }}
}}
"""


def log(message: str) -> None:
    print(message, flush=True)


def fetch(url: str, cookie: str = "") -> tuple[int, Any, bytes]:
    """Status, headers (case-insensitive ``get``) and body."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


class StaticCeiling:
    """nginx on a free loopback port, serving one saved page."""

    def __init__(self, html: bytes) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            sys.exit("nginx is missing: apt-get install nginx")
        self.tmp = Path(tempfile.mkdtemp(prefix="lede-ceiling-"))
        self.tmp.chmod(0o755)  # nginx's workers run as another user
        (self.tmp / "article.html").write_bytes(html)
        (self.tmp / "article.html").chmod(0o644)
        self.port = _free_port()
        conf = self.tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=self.tmp, port=self.port))
        self.proc = subprocess.Popen(
            [nginx, "-c", str(conf), "-p", str(self.tmp)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        status = 0
        for _ in range(50):
            try:
                status = fetch(f"http://127.0.0.1:{self.port}/")[0]
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        errors = (self.tmp / "error.log").read_text() if (self.tmp / "error.log").exists() else ""
        self.stop()
        sys.exit(f"nginx did not serve the page (last status {status}):\n{errors}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.tmp, ignore_errors=True)


def targets(seed: dict[str, Any], extra: dict[str, Any]) -> list[dict[str, Any]]:
    """What to measure: (name, port, path, cookie, what the response must say)."""
    varnish = int(seed["site"].rsplit(":", 1)[1])
    node = varnish + 1
    urls = extra.get("urls", {})  # bench/generate.py's JSON, when given
    article = urls.get("article_public") or seed["articles"][0]
    locked = urls.get("article_subscribers") or seed["locked"]["url"]
    # The subscriber logs in through the site's form (as a browser: a seeded
    # session once hid that real readers missed the fast road), on a node and
    # through Varnish, where landing on the article gives the edge token.
    email = "subscriber@stack.example"
    subscriber = logged_in_cookies(node, email, locked, seed["password"])
    subscriber_edge = logged_in_cookies(varnish, email, locked, seed["password"])
    section = urls.get("section_deep") or "/maroc/?page=2"
    search = urls.get("search") or "/recherche/?q=budget"
    return [
        {"name": "article through Varnish (anonymous)", "port": varnish, "path": article,
         "cookie": "", "check": {"X-Cache": "HIT"}},
        {"name": "article through Varnish (subscriber, edge token)", "port": varnish,
         "path": locked, "cookie": subscriber_edge, "check": {"X-Lede-Edge": "full:subscriber"}},
        {"name": "article from a node (anonymous, locked)", "port": node, "path": locked,
         "cookie": "", "check": {"X-Lede-Access": "needs_subscription"}},
        {"name": "article from a node (subscriber)", "port": node, "path": locked,
         "cookie": subscriber, "check": {"X-Lede-Access": "subscriber"}},
        {"name": "article from a node (anonymous, public)", "port": node, "path": article,
         "cookie": "", "check": {"X-Lede-Access": "public"}},
        {"name": "home page from a node", "port": node, "path": "/", "cookie": "", "check": {}},
        {"name": "section page deep in the archive from a node", "port": node, "path": section,
         "cookie": "", "check": {}},
        {"name": "search from a node", "port": node, "path": search, "cookie": "", "check": {}},
        {"name": "news sitemap from a node", "port": node, "path": "/news-sitemap.xml",
         "cookie": "", "check": {}},
    ]  # fmt: skip


def run(args: argparse.Namespace) -> dict[str, Any]:
    seed_path = STACK_DIR / "seed.json"
    if not seed_path.exists():
        sys.exit(f"{seed_path} is missing: start the stack first (make stack)")
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    seed = json.loads(seed_path.read_text())
    extra = json.loads(Path(args.urls).read_text()) if args.urls else {}
    cases = targets(seed, extra)

    # The ceiling serves exactly the bytes Varnish serves for the article.
    status, _headers, html = fetch(f"http://127.0.0.1:{cases[0]['port']}{cases[0]['path']}")
    assert status == 200, status
    results: list[dict[str, Any]] = []
    ceiling = StaticCeiling(html)
    try:
        wrk(ceiling.port, "/", "", 2, args.connections)
        figures = wrk(ceiling.port, "/", "", args.duration, args.connections)
    finally:
        ceiling.stop()
    results.append({"name": "static file from nginx (the ceiling)", "path": "/", **figures})
    log(f"ceiling: {figures}")

    for case in cases:
        url = f"http://127.0.0.1:{case['port']}{case['path']}"
        for _ in range(2):  # the first request may teach the caches
            status, headers, _body = fetch(url, case["cookie"])
        assert status == 200, (case["name"], status)
        for header, expected in case["check"].items():
            assert headers.get(header) == expected, (case["name"], header, headers.get(header))
        wrk(case["port"], case["path"], case["cookie"], 2, args.connections)  # warm-up
        figures = wrk(case["port"], case["path"], case["cookie"], args.duration, args.connections)
        results.append({"name": case["name"], "path": case["path"], **figures})
        log(f"{case['name']}: {figures}")

    run_data = {
        "label": args.label,
        "date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "machine": _machine(),
        "connections": args.connections,
        "duration": args.duration,
        "articles": _count_articles(),
        "results": results,
    }
    out = (
        ROOT / "bench" / "var" / f"stack-load-{re.sub(r'[^a-z0-9]+', '-', args.label.lower())}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(run_data, indent=2, ensure_ascii=False))
    log(f"raw figures: {out}")
    return run_data


def _count_articles() -> int | None:
    env_file = STACK_DIR / "env"
    if not env_file.exists():
        return None
    env = dict(os.environ)
    for line in env_file.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            env[key] = value
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from lede.editorial.models import ArticlePage;"
         " print(ArticlePage.objects.live().count())"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    lines = result.stdout.strip().splitlines()
    return int(lines[-1]) if result.returncode == 0 and lines and lines[-1].isdigit() else None


def _machine() -> str:
    paywall_load.DB_POOL = int(os.environ.get("STACK_DB_POOL", "4"))  # what bin/stack uses
    return paywall_load._machine().replace(
        "granian-asgi with 2 workers", "two nodes of 2 granian ASGI processes"
    )


def report(run_data: dict[str, Any]) -> str:
    results = run_data["results"]
    ceiling = results[0]["rps"]
    count = run_data["articles"]
    lines = [
        "",
        f"## Production stack under load: {run_data['label']} ({run_data['date']})",
        "",
        f"Machine: {run_data['machine']}. `make stack` (Varnish 7, two app nodes of 2 granian "
        f"ASGI processes each, worker, scheduler, PostgreSQL, Redis) and wrk "
        f"({run_data['connections']} connections, {run_data['duration']} s per row) on the "
        f"same 2 cores. {f'{count:,} live articles.' if count else ''}",
        "",
        "| page | path | req/s | p50 ms | p99 ms | share of the ceiling |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | `{r['path']}` | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} "
            f"| {100 * r['rps'] / ceiling:.1f} % |"
        )
    errors = sum(r["errors"] for r in results)
    if errors:
        lines += ["", f"Non-2xx responses during the runs: {errors:.0f}."]
    return "\n".join(lines) + "\n"


def compare(small: dict[str, Any], big: dict[str, Any]) -> str:
    lines = [
        "",
        f"### Archive size: {small['label']} against {big['label']}",
        "",
        "Same machine, same stack, runs of the table(s) above. Target: the big archive within "
        "20 % of the small one.",
        "",
        f"| page | p50 ms ({small['label']}) | p50 ms ({big['label']}) "
        f"| req/s ({small['label']}) | req/s ({big['label']}) | throughput change |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    by_name = {r["name"]: r for r in small["results"]}
    for r in big["results"]:
        s = by_name.get(r["name"])
        if s is None or r["name"].startswith("static"):
            continue
        change = 100 * (r["rps"] - s["rps"]) / s["rps"]
        lines.append(
            f"| {r['name']} | {s['p50']:.1f} | {r['p50']:.1f} | {s['rps']:.0f} | {r['rps']:.0f} "
            f"| {change:+.0f} % |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--label", default="stack")
    parser.add_argument("--urls", help="JSON of URLs written by bench/generate.py")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--no-write", action="store_true", help="print, do not append to RESULTS.md"
    )
    parser.add_argument("--compare", nargs=2, metavar=("SMALL", "BIG"))
    args = parser.parse_args()
    if args.compare:
        small, big = (json.loads(Path(p).read_text()) for p in args.compare)
        text = compare(small, big)
    else:
        text = report(run(args))
    print(text)
    if not args.no_write:
        with (ROOT / "bench" / "RESULTS.md").open("a") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
