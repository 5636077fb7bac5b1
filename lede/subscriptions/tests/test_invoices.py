"""Receipts: gapless sequential numbers, seller snapshot, tax lines, the PDF."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from lede.subscriptions.invoices import billing_settings, invoice_issue, receipt_html, receipt_pdf
from lede.subscriptions.models import Invoice, InvoiceCounter
from lede.subscriptions.periods import local_year
from lede.subscriptions.selectors import price_text
from lede.subscriptions.services.checkout import subscription_checkout
from lede.subscriptions.testing import make_reader, pay_order


def _paid_orders(catalogue: dict[str, Any], n: int) -> list[Any]:
    orders = []
    for i in range(n):
        user = make_reader(f"r{i}@example.com")
        order = subscription_checkout(user=user, offer=catalogue["launch"])
        pay_order(order)
        orders.append(order)
    return orders


def test_numbers_are_sequential_per_year(catalogue: dict[str, Any]) -> None:
    _paid_orders(catalogue, 3)
    year = local_year(timezone.now())
    numbers = list(Invoice.objects.order_by("sequence").values_list("number", flat=True))
    assert numbers == [f"LQ-{year}-00000{i}" for i in (1, 2, 3)]
    assert InvoiceCounter.objects.get(series=f"LQ-{year}").last == 3


def test_a_rolled_back_payment_gives_its_number_back(catalogue: dict[str, Any]) -> None:
    orders = _paid_orders(catalogue, 1)
    order = subscription_checkout(user=make_reader("z@example.com"), offer=catalogue["launch"])
    with pytest.raises(RuntimeError), transaction.atomic():
        order.status = "paid"
        invoice_issue(order=order)
        raise RuntimeError("the payment failed later in the same transaction")
    pay_order(order)
    numbers = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert numbers == [1, 2]
    assert orders[0].invoice.sequence == 1


def test_prefix_and_seller_come_from_billing_settings(catalogue: dict[str, Any]) -> None:
    billing = billing_settings()
    billing.invoice_prefix = "LED"
    billing.legal_name = "Éditions Lede SARL"
    billing.address = "12, rue des Imprimeurs\nCasablanca"
    billing.ice = "001234567000089"
    billing.tax_id = "12345678"
    billing.save()
    (order,) = _paid_orders(catalogue, 1)
    invoice = order.invoice
    assert invoice.number.startswith("LED-")
    assert invoice.seller["ice"] == "001234567000089"
    # Later changes do not rewrite issued receipts.
    billing.ice = "999"
    billing.save()
    invoice.refresh_from_db()
    assert invoice.seller["ice"] == "001234567000089"


def test_tax_lines_and_rendering(catalogue: dict[str, Any], settings: Any) -> None:
    settings.LEDE_VAT_RATE = "20"
    (order,) = _paid_orders(catalogue, 1)
    invoice = order.invoice
    assert invoice.total_minor == 6000
    assert invoice.total_excl_tax_minor == 5000 and invoice.tax_minor == 1000
    assert invoice.tax_lines[0]["rate"] == "20"
    html = price_text(receipt_html(invoice))
    for text in ["Reçu n° " + invoice.number, "TVA 20 %", "50 DH", "10 DH", "60 DH", "Total TTC"]:
        assert text in html, text
    pdf = receipt_pdf(invoice)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_vat_rate_is_configurable(catalogue: dict[str, Any], settings: Any) -> None:
    settings.LEDE_VAT_RATE = "0"
    (order,) = _paid_orders(catalogue, 1)
    assert order.invoice.tax_minor == 0 and order.invoice.total_excl_tax_minor == 6000


def test_receipt_prints_the_email_once_when_no_name_is_known(catalogue: dict[str, Any]) -> None:
    (order,) = _paid_orders(catalogue, 1)
    invoice = order.invoice
    assert invoice.buyer["email"] == "r0@example.com"
    html = receipt_html(invoice)
    assert html.count("r0@example.com") == 1
    # Receipts frozen before the fix (name = e-mail) print it once as well.
    invoice.buyer = {"name": "r0@example.com", "email": "r0@example.com"}
    assert receipt_html(invoice).count("r0@example.com") == 1
