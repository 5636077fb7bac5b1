"""Load test of one article page as four kinds of reader (issue 3).

Serves the site with gunicorn (2 sync workers, production settings, DEBUG
off, PostgreSQL, Redis cache) and drives it with wrk:

- anonymous reader on a locked article (subscribers, not metered);
- anonymous reader with a meter cookie re-reading a metered article;
- registered reader (session cookie) re-reading the metered article;
- subscriber (session cookie) on the locked article.

The signed-in readers log in through the site's own log-in form
(``/compte/login/``, CSRF token and all, then the page it redirects to), as a
browser does: a session seeded with ``force_login`` holds fewer keys than a
real one and once hid that every real reader missed the fast road. Each case
prints the road the server took (``X-Lede-Road``).

Then the same with the variant cache switched off (LEDE_VARIANT_CACHE_ENABLED=0)
to show what it is worth. Appends the figures to bench/RESULTS.md.

    .venv/bin/python bench/paywall_load.py [--duration 15] [--connections 16]
        [--database-name lede_bench_paywall] [--redis-url redis://127.0.0.1:6379/3]
        [--port N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookies
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DEFAULT_DB_NAME = "lede_bench_paywall"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
DB_NAME = DEFAULT_DB_NAME  # set from --database-name in main()
REDIS_URL = DEFAULT_REDIS_URL  # set from --redis-url in main()
PASSWORD = "bench-pass-2026"
SECRET = "bench-" + "k" * 60


def _env(cache_enabled: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
            "REDIS_URL": REDIS_URL,
            "SECRET_KEY": SECRET,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "LEDE_STAFF_REQUIRE_MFA": "0",
            "LEDE_VAR_DIR": str(ROOT / "bench" / "var"),
            "LEDE_VARIANT_CACHE_ENABLED": "1" if cache_enabled else "0",
            # ASGI runs each request in a new thread that would hoard a
            # connection (deploy/systemd sets 0 too); WSGI reuses them.
            "DB_CONN_MAX_AGE": "0" if SERVER.endswith("asgi") else "60",
            # Per process; 0 = no pool (see config/settings/production.py).
            "DB_POOL_MAX_SIZE": str(DB_POOL),
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def _manage(*args: str) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


SETUP = r"""
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from lede.core.testing import factories as f
from lede.editorial.models import ArticlePage
from lede.paywall.models import AccessGrant

User = get_user_model()
section = f.make_section("Bench")
image = f.make_image("Bench", caption="Légende", credit="Photographe / AFP", size=(1600, 900))
author = f.make_author("Auteur Bench")
body = [("paragraph", "<p>" + ("Un paragraphe de texte. " * 40) + "</p>")] * 4
body += [("subheading", "Intertitre"), ("quote", {"text": "Citation.", "attribution": "Source"})]
body += [("paragraph", "<p>" + ("Suite du texte. " * 60) + "</p>")] * 6
for i in range(50):
    f.make_article(section, f"Article de fond {i}", standfirst="Chapô.", lead_image=image,
                   authors=[author], body=body, published_at=timezone.now() - timedelta(hours=i))
locked = f.make_article(section, "Article verrouillé", standfirst="Chapô.", lead_image=image,
                        authors=[author], body=body, access_level="subscribers")
metered = f.make_article(section, "Article au compteur", standfirst="Chapô.", lead_image=image,
                         authors=[author], body=body, access_level="subscribers", metered=True)
reader = User.objects.create_user("reader@bench.example", PASSWORD)
subscriber = User.objects.create_user("subscriber@bench.example", PASSWORD)
AccessGrant.objects.create(user=subscriber, starts_at=timezone.now() - timedelta(days=1))
print("READER", reader.email)
print("SUBSCRIBER", subscriber.email)
print("LOCKED", locked.url)
print("METERED", metered.url)
"""


def setup_database() -> dict[str, str]:
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB_NAME], check=True
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB_NAME], check=True)
    subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], check=False, capture_output=True)
    _manage("migrate", "--no-input", "-v0")
    _manage("collectstatic", "--no-input", "-v0")
    out = _manage("shell", "-c", f"PASSWORD = {PASSWORD!r}\n" + SETUP)
    urls = dict(re.findall(r"^(LOCKED|METERED|READER|SUBSCRIBER) (\S+)$", out, re.M))
    return urls


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SERVERS = {
    # What deploy/systemd/lede-web@.service runs.
    "granian-asgi": ["granian", "--interface", "asginl", "--workers", "2", "--no-access-log",
                     "--log-level", "warning", "--host", "127.0.0.1", "--port", "{port}",
                     "config.asgi:application"],
    "granian-wsgi": ["granian", "--interface", "wsgi", "--workers", "2", "--no-access-log",
                     "--log-level", "warning", "--host", "127.0.0.1", "--port", "{port}",
                     "config.wsgi:application"],
    "gunicorn": ["gunicorn", "config.wsgi:application", "--workers", "2",
                 "--bind", "127.0.0.1:{port}", "--log-level", "warning"],
}  # fmt: skip
SERVER = "granian-asgi"  # set from --server in main()
DB_POOL = 0  # set from --db-pool in main()


def start_server(port: int, cache_enabled: bool) -> subprocess.Popen[bytes]:
    cmd = [part.replace("{port}", str(port)) for part in SERVERS[SERVER]]
    cmd[0] = str(Path(PY).parent / cmd[0])
    env = _env(cache_enabled)
    # Request logs stay on, as in production; they go nowhere.
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{SERVER} did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:  # granian may wait on idle keep-alive threads
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)


def meter_cookie(port: int, url: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{url}") as response:
        header = response.headers.get("Set-Cookie", "")
    match = re.search(r"lede_meter=([^;]+)", header)
    assert match, "no meter cookie"
    return f"lede_meter={match.group(1)}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # hand the 302 back: its cookies matter


_opener = urllib.request.build_opener(_NoRedirect)


class Browser:
    """A cookie jar good enough for one host over plain HTTP (the production
    settings mark cookies Secure, which http.cookiejar would then withhold)."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.jar: dict[str, str] = {}

    def header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in sorted(self.jar.items()))

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, Message]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        if self.jar:
            req.add_header("Cookie", self.header())
        try:
            response = _opener.open(req)
        except urllib.error.HTTPError as error:  # the 302 lands here
            response = error
        with response:
            for raw in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in http.cookies.SimpleCookie(raw).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.jar.pop(name, None)
                    else:
                        self.jar[name] = morsel.coded_value  # as sent, quotes and all
            return response.status, response.read().decode(), response.headers


def logged_in_cookies(port: int, email: str, next_url: str, password: str = PASSWORD) -> str:
    """A reader's cookies after logging in on the site's form and landing on
    ``next_url``, as their browser holds them: the session, the CSRF cookie
    the log-in rotated, the flash message consumed by that first page (and,
    on an article they may read, the edge token it gave)."""
    browser = Browser(port)
    login = "/compte/login/?" + urllib.parse.urlencode({"next": next_url})
    status, html, _headers = browser.request(login)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert status == 200 and token, ("no log-in form", status)
    status, _html, headers = browser.request(
        login, {"csrfmiddlewaretoken": token.group(1), "login": email, "password": password}
    )
    assert status == 302 and "sessionid" in browser.jar, ("log-in failed", email, status)
    location = headers.get("Location") or ""
    status, _html, _headers = browser.request(urllib.parse.urlsplit(location).path)
    assert status == 200, status
    return browser.header()


def check(port: int, url: str, cookie: str, expected: str) -> str:
    """Assert the access the reader gets; return the road the server took."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}{url}", headers={"Cookie": cookie})
    with urllib.request.urlopen(req) as response:
        access = response.headers.get("X-Lede-Access")
        road = response.headers.get("X-Lede-Road") or "normal"
    accepted = {expected, "metered_reread"} if expected == "metered" else {expected}
    assert access in accepted, (url, cookie[:20], access, expected)
    return road


def wrk(
    port: int, url: str, cookie: str | list[str], duration: int, connections: int
) -> dict[str, float]:
    """wrk against one URL; ``cookie`` a list: the readers' cookies in turn,
    one per request (a wrk script)."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if isinstance(cookie, list):
            jars = ", ".join(f"[==[{jar}]==]" for jar in cookie)
            script.write(
                f"local jars = {{{jars}}}\nlocal n = 0\n"
                "request = function()\n  n = n + 1\n"
                '  wrk.headers["Cookie"] = jars[(n % #jars) + 1]\n'
                "  return wrk.format()\nend\n"
            )
            script.flush()
            cmd += ["-s", script.name]
        elif cookie:
            cmd += ["-H", f"Cookie: {cookie}"]
        out = subprocess.run(
            [*cmd, f"http://127.0.0.1:{port}{url}"], capture_output=True, text=True, check=True
        ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def pct(name: str) -> float:
        m = re.search(rf"^\s+{name}%\s+([\d.]+)(us|ms|s)", out, re.M)
        assert m, out
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": pct("50"),
        "p99": pct("99"),
        "errors": float(errors.group(1)) if errors else 0.0,
    }


def edge_run(stack_url: str, duration: int, connections: int, write: bool, rounds: int = 3) -> None:
    """Goal 2 of issue 17, in one run against a running stack (bin/stack):
    the subscriber's article through Varnish with the edge token the site
    gave at log-in, against the anonymous article through Varnish; and the
    same subscriber without the token (what every subscriber got before:
    passed to a node) for reference."""
    parts = urllib.parse.urlsplit(stack_url)
    port = parts.port or 80
    seed = json.loads((ROOT / "var" / "stack" / "seed.json").read_text())
    path = seed["locked"]["url"]
    load_before = os.getloadavg()
    subscriber = logged_in_cookies(port, "subscriber@stack.example", path, seed["password"])
    # The article page once more: the application decides and signs.
    req = urllib.request.Request(stack_url + path, headers={"Cookie": subscriber})
    with urllib.request.urlopen(req) as response:
        for raw in response.headers.get_all("Set-Cookie") or []:
            match = re.match(r"lede_edge=([^;]+)", raw)
            if match:
                subscriber += f"; lede_edge={match.group(1)}"
    assert "lede_edge=" in subscriber, "no edge token (is LEDE_EDGE_TOKEN_KEY_FILE set?)"
    without_token = re.sub(r"; ?lede_edge=[^;]+", "", subscriber)
    cases = {
        "anonymous article through Varnish": ("", "needs_subscription", None),
        "subscriber through Varnish, edge token": (subscriber, "subscriber", "full:subscriber"),
        "subscriber through Varnish, no token (passed to a node)": (
            without_token,
            "subscriber",
            None,
        ),
    }
    runs: dict[str, list[dict[str, float]]] = {}
    for _round in range(rounds):  # alternated: the machine's load moves between cases
        for name, (cookie, expected, edge) in cases.items():
            req = urllib.request.Request(stack_url + path, headers={"Cookie": cookie})
            with urllib.request.urlopen(req) as response:
                assert response.headers.get("X-Lede-Access") == expected, name
                assert response.headers.get("X-Lede-Edge") == edge, (name, response.headers)
            wrk(port, path, cookie, 3, connections)  # warm-up
            runs.setdefault(name, []).append(wrk(port, path, cookie, duration, connections))
            print(name, runs[name][-1], flush=True)
    results = {name: max(r, key=lambda x: x["rps"]) for name, r in runs.items()}
    load = (
        f"load average (1 min) {load_before[0]:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end"
    )
    anon = results["anonymous article through Varnish"]["rps"]
    edge = results["subscriber through Varnish, edge token"]["rps"]
    lines = [
        "",
        "## Subscriber articles at the edge (issue 17, goal 2) "
        f"({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"`bench/paywall_load.py --edge {stack_url}` against `bin/stack` (Varnish, two nodes of "
        f"2 granian workers, PostgreSQL, Redis), one run, wrk -t2 -c{connections}, "
        f"{duration} s per case, {rounds} rounds alternating the cases (best shown, every "
        "run in brackets), on the same 2 cores / 23 GiB as everything else. "
        "The subscriber logged in through the site's form. "
        f"{load.capitalize()} (the machine shared with other helpers' runs).",
        "",
        "| case | req/s (runs) | p50 ms | p99 ms | non-2xx | share of anonymous |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        each = " / ".join(f"{x['rps']:,.0f}" for x in runs[name])
        lines.append(
            f"| {name} | {r['rps']:,.0f} ({each}) | {r['p50']:.2f} | {r['p99']:.2f} "
            f"| {r['errors']:.0f} | {100 * r['rps'] / anon:.0f} % |"
        )
    lines += ["", f"Subscriber through the edge: {100 * edge / anon:.0f} % of the anonymous "
              "article (goal ≥ 80 %).", ""]  # fmt: skip
    print("\n".join(lines))
    if write:
        with (ROOT / "bench" / "RESULTS.md").open("a") as fh:
            fh.write("\n".join(lines) + "\n")


def python_path_run(stack_url: str, duration: int, connections: int, write: bool) -> None:
    """Goal 3 of issue 17, in one run: the subscriber's article from one
    stack node (the server and interface bin/stack deploys, through
    config/serve.py) beside a trivial cached Django view under granian WSGI
    (2 workers), which this starts itself. Alternated twice."""
    parts = urllib.parse.urlsplit(stack_url)
    node = (parts.port or 80) + 1
    seed = json.loads((ROOT / "var" / "stack" / "seed.json").read_text())
    path = seed["locked"]["url"]
    load_before = os.getloadavg()
    subscriber = logged_in_cookies(node, "subscriber@stack.example", path, seed["password"])
    # The load of a node comes from many readers: two subscribers in turn (a
    # single reader's requests never let the node copy the answer of their
    # kind: lede/core/caching/answers.py).
    subscribers = [
        subscriber,
        logged_in_cookies(node, "subscriber2@stack.example", path, seed["password"]),
    ]
    # The trivial view returns the very bytes the subscriber gets (the full
    # article, 9,426 bytes with the stack's seed; until 2026-12-08 it returned
    # the anonymous locked page, 9,898 bytes).
    page = urllib.request.Request(f"http://127.0.0.1:{node}{path}", headers={"Cookie": subscriber})
    with urllib.request.urlopen(page) as response:
        body = response.read()
    stack_env = dict(
        line.split("=", 1)
        for line in (ROOT / "var" / "stack" / "env").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    body_file = ROOT / "bench" / "var" / "trivial-body.html"
    body_file.parent.mkdir(parents=True, exist_ok=True)
    body_file.write_bytes(body)
    port = _free_port()
    env = {**os.environ, "REDIS_URL": stack_env["REDIS_URL"], "TRIVIAL_BODY_FILE": str(body_file)}
    # The same server flags as a stack node (config/serve.py): HTTP/1.1, no
    # WebSockets; only the interface (WSGI) and the application differ.
    cmd = [str(Path(PY).parent / "granian"), "--interface", "wsgi", "--workers", "2",
           "--http", "1", "--no-ws",
           "--no-access-log", "--log-level", "warning", "--host", "127.0.0.1",
           "--port", str(port), "bench.trivial_view:application"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    results: dict[str, list[dict[str, float]]] = {}
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        road = check(node, path, subscriber, "subscriber")
        assert check(node, path, subscribers[1], "subscriber") == road
        cases: dict[str, tuple[int, str, str | list[str]]] = {
            "trivial cached Django view, granian WSGI, 2 workers": (port, "/", ""),
            f"subscriber article, one stack node ({road} road, two subscribers in turn)": (
                node,
                path,
                subscribers,
            ),
        }
        for _round in range(2):
            for name, (case_port, case_path, cookie) in cases.items():
                wrk(case_port, case_path, cookie, 3, connections)  # warm-up
                result = wrk(case_port, case_path, cookie, duration, connections)
                results.setdefault(name, []).append(result)
                print(name, result, flush=True)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    load = (
        f"load average (1 min) {load_before[0]:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end"
    )
    names = list(results)
    best = {name: max(runs, key=lambda r: r["rps"]) for name, runs in results.items()}
    lines = [
        "",
        "## The Python path: subscriber article on one node vs a trivial Django view "
        f"(issue 17, goal 3) ({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"`bench/paywall_load.py --python-path {stack_url}`: node 1 of `bin/stack` as it "
        "deploys it (config/serve.py) and the trivial view this script starts (returning "
        f"the subscriber's page, {len(body):,} bytes; same granian flags), alternated "
        f"twice, wrk -t2 -c{connections}, {duration} s each (best of two shown), "
        "2 cores / 23 GiB shared with other helpers' runs. "
        f"{load.capitalize()}.",
        "",
        "| case | req/s (runs) | p50 ms | p99 ms | non-2xx |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in names:
        runs, b = results[name], best[name]
        each = " / ".join(f"{r['rps']:,.0f}" for r in runs)
        lines.append(
            f"| {name} | {b['rps']:,.0f} ({each}) "
            f"| {b['p50']:.2f} | {b['p99']:.2f} | {b['errors']:.0f} |"
        )
    ratio = best[names[1]]["rps"] / best[names[0]]["rps"]
    lines += ["", f"Subscriber article / trivial view: {100 * ratio:.0f} % (goal ≥ 100 %, "
              "and ≥ 3,000 req/s with p99 < 25 ms on an unloaded machine).", ""]  # fmt: skip
    print("\n".join(lines))
    if write:
        with (ROOT / "bench" / "RESULTS.md").open("a") as fh:
            fh.write("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--server", choices=sorted(SERVERS), default="granian-asgi")
    parser.add_argument(
        "--db-pool", type=int, default=None, help="psycopg pool size per process (ASGI: 4)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="variant cache on only; print, do not write"
    )
    parser.add_argument(
        "--database-name",
        default=DEFAULT_DB_NAME,
        help="PostgreSQL database on 127.0.0.1 (dropped and created again)",
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="Redis database (flushed)")
    parser.add_argument("--port", type=int, default=0, help="server port (default: any free)")
    parser.add_argument(
        "--edge",
        metavar="STACK_URL",
        help="measure subscriber vs anonymous through a running stack's Varnish (issue 17)",
    )
    parser.add_argument(
        "--python-path",
        metavar="STACK_URL",
        help="subscriber on one stack node vs a trivial cached Django view (issue 17)",
    )
    args = parser.parse_args()
    if args.python_path:
        python_path_run(
            args.python_path.rstrip("/"), args.duration, args.connections, write=not args.quick
        )
        return
    if args.edge:
        edge_run(args.edge.rstrip("/"), args.duration, args.connections, write=not args.quick)
        return
    global SERVER, DB_POOL, DB_NAME, REDIS_URL
    SERVER = args.server
    DB_NAME, REDIS_URL = args.database_name, args.redis_url
    if "bench" not in DB_NAME:
        sys.exit("--database-name must contain 'bench' (it is dropped)")
    DB_POOL = args.db_pool if args.db_pool is not None else (4 if SERVER.endswith("asgi") else 0)
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    load_before = os.getloadavg()
    urls = setup_database()
    results: dict[str, dict[str, dict[str, float]]] = {}
    roads: dict[str, dict[str, str]] = {}
    for cache_enabled in (True,) if args.quick else (True, False):
        port = args.port or _free_port()
        proc = start_server(port, cache_enabled)
        try:
            cases = {
                "anonymous, locked": (urls["LOCKED"], "", "needs_subscription"),
                "anonymous, metered (re-read)": (
                    urls["METERED"],
                    meter_cookie(port, urls["METERED"]),
                    "metered_reread",
                ),
                "registered, metered (re-read)": (
                    urls["METERED"],
                    logged_in_cookies(port, urls["READER"], urls["METERED"]),
                    "metered",
                ),
                "subscriber": (
                    urls["LOCKED"],
                    logged_in_cookies(port, urls["SUBSCRIBER"], urls["LOCKED"]),
                    "subscriber",
                ),
            }
            label = "variant cache on" if cache_enabled else "variant cache off"
            results[label], roads[label] = {}, {}
            for name, (url, cookie, expected) in cases.items():
                check(port, url, cookie, expected)
                if expected == "metered":  # the first read counted it; now it is a re-read
                    expected = "metered_reread"
                    check(port, url, cookie, expected)
                wrk(port, url, cookie, 3, args.connections)  # warm-up
                roads[label][name] = check(port, url, cookie, expected)
                results[label][name] = wrk(port, url, cookie, args.duration, args.connections)
                print(label, name, roads[label][name], "road", results[label][name], flush=True)
        finally:
            stop_server(proc)
    load = (
        f"load average (1 min) {load_before[0]:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end"
    )
    print(load)
    if not args.quick:
        write_results(results, roads, load, args)


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pg = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "show server_version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PostgreSQL {pg}, Redis cache and sessions, {SERVER} with 2 workers"
        f" ({f'psycopg pool of {DB_POOL}' if DB_POOL else 'no connection pool'}), wrk -t2"
    )


def write_results(
    results: dict[str, dict[str, dict[str, float]]],
    roads: dict[str, dict[str, str]],
    load: str,
    args: argparse.Namespace,
) -> None:
    on, off = results["variant cache on"], results["variant cache off"]
    lines = [
        "",
        "## Paywall: one article page by kind of reader "
        f"({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"Machine: {_machine()}. wrk {args.connections} connections, {args.duration} s per case, "
        "production settings (DEBUG off), PostgreSQL, Redis. Server time includes routing, "
        "session and entitlement look-ups, the access decision and the variant fetch. "
        "Signed-in readers logged in through the site's log-in form. "
        f"{load.capitalize()}.",
        "",
        "| reader | road (cache on) | req/s (cache on) | p50 ms | p99 ms "
        "| req/s (cache off) | p50 ms | p99 ms | gain |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in on:
        a, b = on[name], off[name]
        lines.append(
            f"| {name} | {roads['variant cache on'][name]} | {a['rps']:.0f} | {a['p50']:.1f} "
            f"| {a['p99']:.1f} | {b['rps']:.0f} "
            f"| {b['p50']:.1f} | {b['p99']:.1f} | {a['rps'] / b['rps']:.1f}× |"
        )
    anon, sub = on["anonymous, locked"]["rps"], on["subscriber"]["rps"]
    lines += [
        "",
        f"Subscriber throughput is {100 * sub / anon:.0f} % of the anonymous page's "
        "(target ≥ 80 %).",
        "",
    ]
    errors = sum(v["errors"] for r in results.values() for v in r.values())
    if errors:
        lines.append(f"Non-2xx responses during the runs: {errors:.0f}.")
    with (ROOT / "bench" / "RESULTS.md").open("a") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
