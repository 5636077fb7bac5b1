"""Production settings refuse the demo key and pass Django's deploy checks."""

from __future__ import annotations

import os

from lede.core.testing.processes import manage_in_production


def test_production_refuses_the_demo_secret_key() -> None:
    result = manage_in_production("check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    result = manage_in_production("check", SECRET_KEY="lede-demo-secret-key-not-for-production")
    assert result.returncode != 0


def test_check_deploy_is_clean() -> None:
    result = manage_in_production(
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
