"""Lede's real web servers in a child process, for tests that must see what
the server itself does to a request (proxy headers) before Django does.

The server starts through ``python -m config.serve`` — the command
``bin/run-demo``, ``bin/stack`` and the systemd unit run — on the test
database: the PostgreSQL test database itself (the test must commit its rows:
``django_db(transaction=True)``), or for SQLite's in-memory test database a
copy in a file made with SQLite's backup API.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import requests
from django.contrib.staticfiles import finders
from django.db import connection

from .processes import PRODUCTION_VARIABLES, ROOT, TEST_SECRET_KEY

# Variables of the test process a server child must not inherit: its own
# settings come from the settings module and ``env`` (the test Redis
# databases belong to the test process; the child keeps a local cache).
CHILD_DROPPED = PRODUCTION_VARIABLES | {
    "DATABASE_URL",
    "REDIS_URL",
    "LEDE_QUEUE_REDIS_URL",
    "LEDE_TRUSTED_PROXIES",
    "FORWARDED_ALLOW_IPS",
    "DJANGO_SETTINGS_MODULE",
    "PYTEST_XDIST_WORKER",
}
START_TIMEOUT = 90.0  # seconds: Django and Wagtail load slowly on a busy machine


def free_port() -> int:
    """A free TCP port on loopback: in ``LEDE_TEST_PORTS`` (e.g. ``18100-18199``,
    for machines where each user has a range) when set, else one the kernel picks."""
    span = os.environ.get("LEDE_TEST_PORTS", "")
    candidates: list[int] = [0]
    if span:
        low, high = (int(part) for part in span.split("-", 1))
        # From a random place: test processes running side by side
        # (pytest -n) would otherwise race for the first free one.
        candidates = list(range(low, high + 1))
        random.shuffle(candidates)
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError(f"no free port in LEDE_TEST_PORTS={span}")


def child_database_url(directory: Path) -> str:
    """A DATABASE_URL at which a child process sees this test's committed rows."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = directory / "server.sqlite3"
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return f"sqlite:///{target}"
    if connection.vendor == "postgresql":
        user = quote(settings.get("USER") or "", safe="")
        password = quote(settings.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings.get("HOST") or "127.0.0.1"
        port = settings.get("PORT") or 5432
        return f"postgres://{auth}{host}:{port}/{settings['NAME']}"
    raise NotImplementedError(connection.vendor)


def static_manifest(directory: Path) -> Path:
    """A STATIC_ROOT whose manifest names every static file as itself.

    Production settings serve hashed static files from a manifest written by
    ``collectstatic`` (a minute of compression); pages only need the names."""
    paths = {}
    for finder in finders.get_finders():
        for path, _storage in finder.list([]):
            paths[path.replace(os.sep, "/")] = path.replace(os.sep, "/")
    root = directory / "static"
    root.mkdir(parents=True, exist_ok=True)
    (root / "staticfiles.json").write_text(
        json.dumps({"paths": paths, "version": "1.1", "hash": "tests"})
    )
    return root


def production_env(directory: Path, database_url: str) -> dict[str, str]:
    """What bin/stack gives a node, minus Redis, for plain HTTP on loopback."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": TEST_SECRET_KEY,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LEDE_STAFF_REQUIRE_MFA": "0",
        "LEDE_VAR_DIR": str(directory),
        "STATIC_ROOT": str(static_manifest(directory)),
        "LOG_LEVEL": "WARNING",
    }


@contextmanager
def running_server(
    server: str,
    *,
    env: Mapping[str, str],
    workers: int = 1,
    extra: Sequence[str] = (),
    log: Path,
) -> Iterator[str]:
    """``python -m config.serve <server> [extra]`` on a free loopback port, with the
    test process's environment minus :data:`CHILD_DROPPED` plus ``env``;
    yields its base URL once ``/healthz`` answers, stops it on exit."""
    port = free_port()
    command = [sys.executable, "-m", "config.serve", server, "--host", "127.0.0.1"]
    command += ["--port", str(port)]
    if server != "uvicorn":
        command += ["--workers", str(workers)]
    command += list(extra)
    full_env = {k: v for k, v in os.environ.items() if k not in CHILD_DROPPED}
    full_env.update(env)
    with log.open("wb") as output:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command,
            cwd=ROOT,
            env=full_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(proc, base, log)
        yield base
    finally:
        _stop(proc)


def _wait_ready(proc: subprocess.Popen[bytes], base: str, log: Path) -> None:
    http = requests.Session()
    http.trust_env = False
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if http.get(base + "/healthz", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or still loading the application
        # Between tries, wait for the other event that ends the wait: the
        # server exiting (a bad flag, settings refusing to load).
        try:
            code = proc.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError(f"the server exited ({code}):\n{log.read_text()[-4000:]}")
    raise AssertionError(f"the server did not answer in {START_TIMEOUT} s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
