"""Manual payments: instructions for the reader, the staff action in the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lede.payments import services
from lede.payments.models import Order
from lede.paywall.models import AccessGrant
from lede.subscriptions.models import Invoice, Subscription


@pytest.fixture
def manual_order(reader_client: Client, catalogue: dict[str, Any]) -> tuple[Order, Any]:
    response = reader_client.post(
        "/abonnement/commande/annuel/", {"provider": "manual", "action": "pay"}
    )
    order = Order.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"/paiement/commande/{order.uuid}/virement/"
    return order, response


def test_instructions_give_amount_and_reference(
    reader_client: Client, manual_order: tuple[Order, Any]
) -> None:
    order, response = manual_order
    page = reader_client.get(response["Location"])
    html = page.content.decode()
    assert order.attempts.get().oid in html
    assert "600\u00a0DH" in html
    assert not AccessGrant.objects.exists()
    # The status page sends the reader back to the instructions while unpaid.
    status = reader_client.get(f"/paiement/commande/{order.uuid}/")
    assert status["Location"].endswith("/virement/")


def test_staff_record_the_payment_in_the_admin(
    client: Client, manual_order: tuple[Order, Any], reader: Any
) -> None:
    from lede.accounts.models import User

    order, _ = manual_order
    staff = User.objects.create_superuser(email="compta@example.com", password="x")
    client.force_login(staff)
    response = client.post(
        "/django-admin/payments/order/",
        {"action": "record_payment", "_selected_action": [order.pk]},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "paid" and order.provider == "manual"
    assert Subscription.objects.get(user=reader).status == "active"
    assert AccessGrant.objects.filter(user=reader).count() == 1
    assert Invoice.objects.get().payment_method.startswith("Virement")
    # Recording it twice does nothing more.
    with pytest.raises(services.PaymentError):
        services.manual_payment_record(order=order, staff_user=staff)
    client.post(
        "/django-admin/payments/order/",
        {"action": "record_payment", "_selected_action": [order.pk]},
    )
    assert Invoice.objects.count() == 1


def test_full_refund_closes_access(
    client: Client, manual_order: tuple[Order, Any], reader: Any
) -> None:
    from django.utils import timezone

    from lede.accounts.models import User
    from lede.subscriptions.models import LedgerEntry

    order, _ = manual_order
    staff = User.objects.create_superuser(email="compta@example.com", password="x")
    services.manual_payment_record(order=order, staff_user=staff)
    services.order_refund(order=order, staff_user=staff)
    order.refresh_from_db()
    assert order.status == "refunded" and order.refunded_minor == order.amount_minor
    grant = AccessGrant.objects.get(user=reader)
    assert grant.ends_at is not None and grant.ends_at <= timezone.now()
    assert Subscription.objects.get(user=reader).status == "canceled"
    kinds = list(LedgerEntry.objects.values_list("kind", "amount_minor"))
    assert ("refund", -60000) in kinds and ("revoke", 0) in kinds
    with pytest.raises(services.PaymentError):
        services.order_refund(order=order, staff_user=staff)
