"""Production refuses the payment sandbox: its test cards would give readers
subscriptions for free. ``check --deploy`` fails (lede.E020) and production
settings refuse to load."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from lede.core.testing.processes import TEST_SECRET_KEY, manage_in_production


def test_check_deploy_fails_while_the_sandbox_is_on(settings: Any) -> None:
    settings.DEBUG = False
    settings.LEDE_SANDBOX_ENABLED = True
    with pytest.raises(SystemCheckError) as excinfo:
        call_command("check", deploy=True, tags=["security"])
    message = str(excinfo.value)
    assert "lede.E020" in message
    assert "sandbox" in message and "for free" in message


def test_check_deploy_says_nothing_of_the_sandbox_when_it_is_off(settings: Any, db: None) -> None:
    """(With a database: the deploy checks also read the seller identity.)"""
    from django.core.checks import run_checks

    settings.DEBUG = False
    settings.LEDE_SANDBOX_ENABLED = False
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert "lede.E020" not in ids


@pytest.mark.parametrize("value", ["1", "true", "on"])
def test_production_settings_refuse_the_sandbox(value: str) -> None:
    result = manage_in_production("check", SECRET_KEY=TEST_SECRET_KEY, LEDE_SANDBOX_ENABLED=value)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "LEDE_SANDBOX_ENABLED is refused in production" in result.stderr


def test_production_settings_load_with_the_sandbox_off() -> None:
    result = manage_in_production("check", SECRET_KEY=TEST_SECRET_KEY, LEDE_SANDBOX_ENABLED="0")
    assert result.returncode == 0, result.stderr
