"""Invoices are kept by law; the data export includes subscriptions and payments."""

from __future__ import annotations

from typing import Any

from lede.accounts import services as accounts
from lede.subscriptions.models import Invoice, Subscription
from lede.subscriptions.selectors import user_has_invoices
from lede.subscriptions.testing import subscribe


def test_retention_and_export(catalogue: dict[str, Any], reader: Any) -> None:
    assert not user_has_invoices(reader)
    subscribe(reader, catalogue["launch"])
    assert user_has_invoices(reader)
    assert user_has_invoices in accounts.retention_checks()
    data = accounts.user_export_data(user=reader)
    assert data["apps"]["subscriptions"]["subscriptions"][0]["status"] == "active"
    payments = data["apps"]["payments"]
    assert payments["orders"][0]["amount_minor"] == 6000
    assert payments["receipts"][0]["number"] == Invoice.objects.get().number
    outcome = accounts.user_delete_account(user=reader)
    assert outcome == "anonymised"
    invoice = Invoice.objects.get()
    assert invoice.buyer["email"] == "lectrice@example.com"  # the receipt as issued
    assert Subscription.objects.get().cancel_at_period_end


def test_reader_without_invoices_is_deleted(catalogue: dict[str, Any], reader: Any) -> None:
    from lede.subscriptions.services.checkout import subscription_checkout

    subscription_checkout(user=reader, offer=catalogue["launch"])
    assert accounts.user_delete_account(user=reader) == "deleted"
