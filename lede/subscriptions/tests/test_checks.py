"""The seller's legal identity on receipts: `check --deploy` and the admin
dashboard warn while it is incomplete."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks
from django.test import Client

from lede.subscriptions.invoices import billing_settings

pytestmark = pytest.mark.django_db


def _deploy_warnings() -> list[Any]:
    return [m for m in run_checks(include_deployment_checks=True) if m.id == "lede.W101"]


def _fill() -> None:
    billing = billing_settings()
    billing.legal_name = "Médias du Bouregreg SARL"
    billing.address = "14, avenue Al Amal\n10000 Rabat"
    billing.ice = "002145873000061"
    billing.tax_id = "40281937"
    billing.trade_register = "RC Rabat 148213"
    billing.save()


def test_check_deploy_warns_while_the_seller_identity_is_empty() -> None:
    (warning,) = _deploy_warnings()
    assert warning.level == 30  # a warning, never an error that stops a deploy
    assert "adresse" in warning.msg and "ICE" in warning.msg
    _fill()
    assert _deploy_warnings() == []


def test_the_check_is_deploy_only() -> None:
    assert not [m for m in run_checks() if m.id == "lede.W101"]


def test_the_check_is_silent_without_a_database(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    from lede.subscriptions import checks

    def no_database() -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(checks, "billing_settings", no_database)
    assert checks.check_billing_identity() == []


def test_the_dashboard_warns_administrators(admin_client: Client) -> None:
    html = admin_client.get("/admin/").content.decode()
    assert "identité du vendeur incomplète" in html
    _fill()
    html = admin_client.get("/admin/").content.decode()
    assert "identité du vendeur incomplète" not in html
