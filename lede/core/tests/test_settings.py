"""Production settings refuse the demo key and pass Django's deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process: a
    # deployment would not have it (and check --deploy rightly flags it).
    dropped = {"SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_the_demo_secret_key() -> None:
    result = _manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    result = _manage("check", SECRET_KEY="lede-demo-secret-key-not-for-production")
    assert result.returncode != 0


def test_check_deploy_is_clean() -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="p" * 20 + "-production-secret-key-that-is-long-enough-" + "q" * 20,
        ALLOWED_HOSTS="journal.example.ma",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_by_default() -> None:
    from config.settings import base

    assert base.DEBUG is False or os.environ.get("DEBUG")
    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
