"""Payments sit below the app that sells: they never import it.

What a payment means is the seller's business (lede.payments.seller); a
provider returns normalised results and never touches subscriptions.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from lede.payments import seller

PAYMENTS = Path(__file__).resolve().parents[1]
#: Nothing of subscriptions is allowed (money formatting lives in core/money.py).
ALLOWED: set[str] = set()


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_payments_code_never_imports_subscriptions() -> None:
    offending = {
        f"{path.relative_to(PAYMENTS)}: {name}"
        for path in PAYMENTS.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
        for name in _imports(path)
        if name.startswith("lede.subscriptions") and name not in ALLOWED
    }
    assert not offending


def test_a_payment_with_nobody_to_deliver_it_is_refused(monkeypatch: Any) -> None:
    monkeypatch.setattr(seller, "_seller", None)
    with pytest.raises(ImproperlyConfigured):
        seller.current()


def test_subscriptions_is_the_registered_seller() -> None:
    from lede.subscriptions.seller import SubscriptionsSeller

    assert isinstance(seller.current(), SubscriptionsSeller)
