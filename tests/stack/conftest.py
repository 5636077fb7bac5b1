"""Tests against the running production stack (`make stack-test`).

They drive real processes over HTTP: Varnish on ``LEDE_STACK_URL`` and the two
application nodes on the next two ports, started by ``bin/stack``. Without
``LEDE_STACK_URL`` every test here is skipped, so ``make test`` never runs
them. Run them with::

    make stack-test                      # starts a fresh stack, runs, stops it
    bin/stack && LEDE_STACK_URL=http://127.0.0.1:8080 \\
        env -u DATABASE_URL -u REDIS_URL .venv/bin/pytest tests/stack -p no:cacheprovider

They never touch the test database: whatever they need from the stack's own
database goes through :meth:`Stack.sql` (psycopg) or :meth:`Stack.shell`
(``manage.py shell`` with the stack's environment, a few seconds a call).

Helpers for other stack tests (e.g. ``test_worker.py``):

* the ``stack`` fixture (session scope) is a :class:`Stack`;
* ``stack.stop(name)``, ``stack.start(name)``, ``stack.restart(name)`` run
  ``bin/stack stop|start|restart`` for ``node1``, ``node2``, ``worker``,
  ``scheduler``, ``varnish``, and ``redis`` when the stack runs its
  own (``STACK_OWN_REDIS=1``: ``stack.own_redis``) (a clean SIGTERM to the
  process group, waiting for the start to answer);
* ``stack.kill(name)`` sends SIGKILL to the service's process group (a crash:
  no clean shutdown, whatever it was running is cut short) and waits until it
  is gone; ``stack.start(name)`` brings it back;
* ``stack.pid(name)`` the running service's PID (None when stopped);
* the ``stack_worker`` fixture is a :class:`Service` for the task worker with
  the same ``stop/start/restart/kill/pid``; it makes sure the worker is
  running again after the test;
* ``stack.shell(code)`` runs Python in ``manage.py shell`` against the stack
  (production settings, the stack's database, Redis and queue) and returns
  its standard output — the way to enqueue tasks from a test;
* ``stack.sql(query, params)`` returns the rows of a query on the stack's
  database.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
STACK_URL = os.environ.get("LEDE_STACK_URL", "").rstrip("/")
SKIP_REASON = (
    "stack tests need the running production stack: run `make stack-test` "
    "(or `bin/stack` and set LEDE_STACK_URL=http://127.0.0.1:8080)"
)
SERVICES = ("node1", "node2", "worker", "scheduler", "varnish")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    ours = [item for item in items if here in Path(str(item.fspath)).parents]
    if not STACK_URL:
        skip = pytest.mark.skip(reason=SKIP_REASON)
        for item in ours:
            item.add_marker(skip)
        return
    # Modules that disturb the whole machine (RUN_LAST = True: restarting
    # PostgreSQL) run after the others.
    last = [item for item in ours if getattr(getattr(item, "module", None), "RUN_LAST", False)]
    if last:
        items[:] = [item for item in items if item not in last] + last


def _read_env(path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    return env


@dataclass
class Stack:
    url: str
    root: Path = ROOT
    env: dict[str, str] = field(default_factory=dict)
    seed: dict[str, Any] = field(default_factory=dict)

    @property
    def dir(self) -> Path:
        return Path(self.env.get("LEDE_STACK_DIR", str(self.root / "var" / "stack")))

    @property
    def own_redis(self) -> bool:
        """The stack runs its own redis-server (``STACK_OWN_REDIS=1``), which a
        test may restart; otherwise it uses the machine's, shared by everyone."""
        try:
            return (self.dir / "own_redis").read_text().strip() == "1"
        except OSError:
            return False

    @property
    def services(self) -> tuple[str, ...]:
        return ("redis", *SERVICES) if self.own_redis else SERVICES

    @property
    def nodes(self) -> dict[str, str]:
        parts = urlsplit(self.url)
        port = parts.port or 80
        return {
            "node1": f"{parts.scheme}://{parts.hostname}:{port + 1}",
            "node2": f"{parts.scheme}://{parts.hostname}:{port + 2}",
        }

    # --- services ---------------------------------------------------------

    def _bin(self, *args: str, timeout: float = 120) -> None:
        result = subprocess.run(
            [str(self.root / "bin" / "stack"), *args],
            cwd=self.root,
            env={**os.environ, "STACK_PORT": str(urlsplit(self.url).port or 80)},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"bin/stack {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
            )

    def stop(self, name: str) -> None:
        self._bin("stop", name)

    def start(self, name: str) -> None:
        self._bin("start", name)

    def restart(self, name: str) -> None:
        self._bin("restart", name)

    def pid(self, name: str) -> int | None:
        assert name in self.services, name
        try:
            pid = int((self.dir / f"{name}.pid").read_text().strip())
            if name == "redis":
                # redis-server writes its title over its environment: known by
                # its configuration file, as bin/stack knows it.
                title = Path(f"/proc/{pid}/cmdline").read_bytes()
                return pid if str(self.dir / "redis.conf").encode() in title else None
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except (OSError, ValueError):
            return None
        return pid if f"LEDE_STACK_SERVICE={name}".encode() in environ else None

    def kill(self, name: str, timeout: float = 10) -> None:
        """SIGKILL the service's whole process group: a crash, not a shutdown."""
        pid = self.pid(name)
        if pid is None:
            return
        os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"{name} (pid {pid}) survived SIGKILL")

    # --- the stack's data -------------------------------------------------

    def shell(self, code: str, timeout: float = 120) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        env.update(self.env)
        result = subprocess.run(
            [str(self.root / ".venv" / "bin" / "python"), "manage.py", "shell", "-c", code],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py shell failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"], connect_timeout=5) as conn:
            return list(conn.execute(query, params).fetchall())  # type: ignore[arg-type]

    def session(self, who: str) -> dict[str, str]:
        """The cookies of a seeded account (editor, subscriber, reader)."""
        return {"sessionid": self.seed["sessions"][who]}


@dataclass
class Service:
    stack: Stack
    name: str

    def stop(self) -> None:
        self.stack.stop(self.name)

    def start(self) -> None:
        self.stack.start(self.name)

    def restart(self) -> None:
        self.stack.restart(self.name)

    def kill(self) -> None:
        self.stack.kill(self.name)

    def pid(self) -> int | None:
        return self.stack.pid(self.name)


@pytest.fixture(scope="session")
def stack() -> Stack:
    if not STACK_URL:
        pytest.skip(SKIP_REASON)
    stack_dir = Path(os.environ.get("LEDE_STACK_DIR", str(ROOT / "var" / "stack")))
    env_file, seed_file = stack_dir / "env", stack_dir / "seed.json"
    if not env_file.exists() or not seed_file.exists():
        pytest.fail(f"LEDE_STACK_URL is set but {stack_dir} holds no stack: run bin/stack")
    return Stack(url=STACK_URL, env=_read_env(env_file), seed=json.loads(seed_file.read_text()))


@pytest.fixture(autouse=True)
def _all_services_running(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each stack test starts and ends with every service up (a test that
    stops one brings it back even when it fails)."""
    if not STACK_URL or "stack" not in request.fixturenames:
        yield
        return
    stack: Stack = request.getfixturevalue("stack")
    missing = [name for name in stack.services if stack.pid(name) is None]
    if missing:
        stack._bin("start", *missing)
    yield
    missing = [name for name in stack.services if stack.pid(name) is None]
    if missing:
        stack._bin("start", *missing)


@pytest.fixture
def stack_worker(stack: Stack) -> Service:
    return Service(stack, "worker")


# --- HTTP helpers ------------------------------------------------------------


class Browser:
    """A small HTTP client with its own cookie jar.

    Production cookies are ``Secure`` and the stack speaks plain HTTP on
    loopback: a browser-like jar would never send them back, so cookies are
    kept by name and sent explicitly. No redirect is followed.
    """

    def __init__(self, base: str, cookies: dict[str, str] | None = None) -> None:
        import requests

        self.base = base.rstrip("/")
        self.cookies = dict(cookies or {})
        self.http = requests.Session()
        self.http.trust_env = False  # no proxy from the environment

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        kwargs.setdefault("timeout", 10)
        response = self.http.request(
            method, self.base + path, headers=headers, allow_redirects=False, **kwargs
        )
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value or ""
        self.http.cookies.clear()
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def csrf_token(self, path: str) -> str:
        """GET a form and return its CSRF token (the cookie is kept)."""
        response = self.get(path, timeout=15)
        assert response.status_code == 200, (path, response.status_code)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
        assert match, f"no CSRF token in {path}"
        return match.group(1)


def editor(stack: Stack, node: str) -> Browser:
    """The seeded editor, logged in, talking to one node directly."""
    return Browser(stack.nodes[node], stack.session("editor"))


def wait_until(predicate: Any, timeout: float, interval: float = 0.05) -> float:
    """Poll until predicate() is true; return the seconds it took (or raise)."""
    start = time.monotonic()
    while True:
        if predicate():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not true within {timeout} s")
        time.sleep(interval)
