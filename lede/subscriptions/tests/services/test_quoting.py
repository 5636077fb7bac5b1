"""Coupons: validity, plans, rounding and uses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from lede.payments import services as payments
from lede.payments.models import Order
from lede.subscriptions.models import Invoice
from lede.subscriptions.services.checkout import subscription_checkout
from lede.subscriptions.services.errors import SubscriptionError
from lede.subscriptions.testing import make_coupon, make_reader, pay_order


@pytest.mark.parametrize(
    ("coupon", "message"),
    [
        ({"percent_off": 10, "active": False}, "n’existe pas"),
        ({"percent_off": 10, "expires_at": timezone.now() - timedelta(days=1)}, "expiré"),
        ({"percent_off": 10, "starts_at": timezone.now() + timedelta(days=1)}, "pas encore"),
        ({"percent_off": 10, "max_uses": 1}, "déjà été utilisé"),
        ({"amount_off_minor": 500, "currency": "EUR"}, "ne s’applique pas"),
    ],
)
def test_invalid_coupons(
    catalogue: dict[str, Any], reader: Any, coupon: dict[str, Any], message: str
) -> None:
    made = make_coupon("CODE", **coupon)
    if coupon.get("max_uses"):
        made.uses = 1
        made.save()
    with pytest.raises(SubscriptionError, match=message):
        subscription_checkout(user=reader, offer=catalogue["launch"], coupon_code="code")
    with pytest.raises(SubscriptionError, match="n’existe pas"):
        subscription_checkout(user=reader, offer=catalogue["launch"], coupon_code="NOPE")
    assert not Order.objects.exists()


def test_coupon_restricted_to_plans(catalogue: dict[str, Any], reader: Any) -> None:
    coupon = make_coupon("ANNUEL", percent_off=20)
    coupon.plans.add(catalogue["yearly"])
    with pytest.raises(SubscriptionError, match="ne s’applique pas"):
        subscription_checkout(user=reader, offer=catalogue["launch"], coupon_code="annuel")
    order = subscription_checkout(
        user=reader, offer=catalogue["yearly_offer"], coupon_code="annuel"
    )
    assert order.amount_minor == 48000


def test_coupon_uses_counted_on_payment_and_rounding(
    catalogue: dict[str, Any], reader: Any
) -> None:
    coupon = make_coupon("QUINZE", percent_off=15, max_uses=1)
    order = subscription_checkout(
        user=reader, offer=catalogue["monthly_offer"], coupon_code="quinze"
    )
    assert order.discount_minor == 1050 and order.amount_minor == 5950
    coupon.refresh_from_db()
    assert coupon.uses == 0
    pay_order(order)
    coupon.refresh_from_db()
    assert coupon.uses == 1
    invoice = Invoice.objects.get()
    assert [line["amount_minor"] for line in invoice.lines] == [7000, -1050]
    assert invoice.total_minor == 5950
    with pytest.raises(SubscriptionError, match="déjà été utilisé"):
        subscription_checkout(
            user=make_reader("b@example.com"),
            offer=catalogue["monthly_offer"],
            coupon_code="quinze",
        )


def test_fixed_coupon_never_below_zero(catalogue: dict[str, Any], reader: Any) -> None:
    make_coupon("GRATUIT", amount_off_minor=100000)
    order = subscription_checkout(user=reader, offer=catalogue["launch"], coupon_code="gratuit")
    assert order.amount_minor == 0 and order.discount_minor == 6000
    payments.order_complete_free(order=order)
    order.refresh_from_db()
    assert order.status == "paid"
    assert Invoice.objects.get().total_minor == 0
