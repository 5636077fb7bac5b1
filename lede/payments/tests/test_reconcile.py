from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import stripe
from django.core.management import call_command

from lede.payments import reconcile, services
from lede.subscriptions.services.checkout import subscription_checkout
from lede.subscriptions.testing import make_reader, pay_order


@pytest.fixture
def paid(catalogue: dict[str, Any]) -> list[Any]:
    attempts = []
    for i in range(3):
        order = subscription_checkout(
            user=make_reader(f"r{i}@example.com"), offer=catalogue["launch"]
        )
        attempt = services.attempt_start(order=order, provider="cmi")
        services.on_payment_approved(
            provider="cmi", event_id=f"{attempt.oid}:approved", attempt=attempt, payload=""
        )
        attempts.append(attempt)
    return attempts


def test_cmi_statement_differences(paid: list[Any], tmp_path: Path, capsys: Any) -> None:
    a, b, c = paid
    statement = tmp_path / "releve.csv"
    statement.write_text(
        "Numéro de commande;Montant;Devise;Statut\n"
        f"{a.oid};60,00;504;Approuvée\n"
        f"{b.oid};6,00;504;Approuvée\n"
        "LQFOREIGN;80,00;504;Approuvée\n"
        f"{c.oid};60,00;504;Refusée\n",
        encoding="cp1252",
    )
    with pytest.raises(SystemExit) as exit_info:
        call_command("payments_reconcile", "cmi", "--statement", str(statement))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert f"{b.oid} : 60" in out and "6\u00a0DH chez le prestataire" in out
    assert "LQFOREIGN : encaissé chez le prestataire" in out
    assert f"{c.oid} : payé chez nous" in out
    assert "3 différence(s)" in out


def test_clean_statement(paid: list[Any], tmp_path: Path, capsys: Any) -> None:
    statement = tmp_path / "releve.csv"
    statement.write_text("oid,amount\n" + "".join(f"{a.oid},60.00\n" for a in paid))
    call_command("payments_reconcile", "cmi", "--statement", str(statement))
    assert "0 différence(s)" in capsys.readouterr().out


def test_bad_statement(db: Any, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    statement = tmp_path / "releve.csv"
    statement.write_text("a;b\n1;2\n")
    with pytest.raises(CommandError, match="colonnes"):
        call_command("payments_reconcile", "cmi", "--statement", str(statement))
    with pytest.raises(CommandError, match="date invalide"):
        call_command("payments_reconcile", "cmi", "--statement", str(statement), "--since", "x")


def test_stripe_reconciliation(
    catalogue: dict[str, Any], reader: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = subscription_checkout(user=reader, offer=catalogue["launch"])
    pay_order(order, provider="stripe")
    oid = order.attempts.get().oid
    intents = [
        SimpleNamespace(
            to_dict=lambda: {
                "id": "pi_1",
                "status": "succeeded",
                "amount_received": 6000,
                "currency": "mad",
                "metadata": {"oid": oid},
            }
        ),
        SimpleNamespace(
            to_dict=lambda: {
                "id": "pi_2",
                "status": "succeeded",
                "amount_received": 7000,
                "currency": "mad",
                "metadata": {},
            }
        ),
    ]
    calls: list[dict[str, Any]] = []

    def fake_list(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return SimpleNamespace(auto_paging_iter=lambda: iter(intents))

    monkeypatch.setattr(stripe.PaymentIntent, "list", fake_list)
    differences = reconcile.compare(
        reconcile.ours("stripe", None, None), reconcile.stripe_lines(None, None)
    )
    assert [d.kind for d in differences] == ["missing_here"]
    assert differences[0].reference == "pi_2"
    assert calls[0]["api_key"] == "sk_test_lede"
