"""What a refund takes back."""

from __future__ import annotations

from typing import Any

import pytest

from lede.payments import services as payments
from lede.payments.models import Order
from lede.subscriptions.models import LedgerEntry
from lede.subscriptions.testing import subscribe


def test_partial_refund_keeps_access(catalogue: dict[str, Any], reader: Any) -> None:
    subscription = subscribe(reader, catalogue["monthly_offer"])
    order = Order.objects.get(subscription=subscription)
    assert payments.order_refund(order=order, amount_minor=2000) == 2000
    order.refresh_from_db()
    assert order.status == "partially_refunded"
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert LedgerEntry.objects.get(kind="refund").amount_minor == -2000
    with pytest.raises(payments.PaymentError):
        payments.order_refund(order=order, amount_minor=6000)
