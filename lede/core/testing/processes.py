"""Running Django in a child process, for tests of settings read at start-up
(production settings, logging, deploy checks) that this test process, with
its own settings already loaded, cannot show."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = "config.settings.production"
# A key production settings accept (long, not the demo's): tests only.
TEST_SECRET_KEY = "t" * 30 + "-production-secret-key-for-the-tests-" + "u" * 20
# Variables of this process that would change what production settings say.
PRODUCTION_VARIABLES = frozenset(
    {
        "SECRET_KEY",
        "DATABASE_REPLICA_URL",
        "DB_CONNECT_TIMEOUT",
        "DB_CONN_MAX_AGE",
        "DB_POOL_MAX_SIZE",
        # The browser tests set it here; a deployment would not have it.
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
)


def run_python(
    args: list[str], *, drop: Iterable[str] = (), **env: str
) -> subprocess.CompletedProcess[str]:
    """``python <args>`` at the project root, with this process's environment
    without ``drop`` and with ``env``."""
    dropped = set(drop)
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run(  # noqa: S603 - our own interpreter, arguments from tests
        [sys.executable, *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,  # a restore of the backup tests takes the longest
        check=False,
    )


def manage_in_production(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``manage.py <args>`` with production settings (no secret key unless given)."""
    return run_python(
        ["manage.py", *args], drop=PRODUCTION_VARIABLES, DJANGO_SETTINGS_MODULE=PRODUCTION, **env
    )


def production_settings(**env: str) -> dict[str, Any]:
    """DATABASES, DATABASE_ROUTERS and MIDDLEWARE as production settings make
    them from ``env`` (a test secret key and a PostgreSQL URL by default)."""
    script = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps({'db': s.DATABASES, 'routers': s.DATABASE_ROUTERS, "
        "'middleware': s.MIDDLEWARE}, default=str))"
    )
    values = {
        "DJANGO_SETTINGS_MODULE": PRODUCTION,
        "SECRET_KEY": TEST_SECRET_KEY,
        "DATABASE_URL": "postgres://lede:motdepasse@db.internal:5432/lede",
        **env,
    }
    result = run_python(["-c", script], drop=PRODUCTION_VARIABLES, **values)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))
