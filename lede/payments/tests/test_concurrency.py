"""Real concurrent deliveries (PostgreSQL only: SQLite serialises writers)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from lede.payments import services
from lede.paywall.models import AccessGrant
from lede.subscriptions.models import Invoice, LedgerEntry
from lede.subscriptions.services.checkout import subscription_checkout
from lede.subscriptions.testing import catalogue, make_reader

from .test_cmi import gateway_params

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_five_simultaneous_callbacks_apply_once() -> None:
    offers = catalogue()
    reader = make_reader()
    order = subscription_checkout(user=reader, offer=offers["launch"])
    attempt = services.attempt_start(order=order, provider="cmi")
    params = gateway_params(attempt)
    bodies: list[bytes] = []
    barrier = threading.Barrier(5)

    def deliver() -> None:
        try:
            barrier.wait()
            bodies.append(Client().post("/paiement/notification/cmi/", params).content)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert bodies == [b"ACTION=POSTAUTH"] * 5
    assert AccessGrant.objects.filter(user=reader).count() == 1
    assert Invoice.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="payment").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_simultaneous_payments_number_receipts_without_gaps() -> None:
    offers = catalogue()
    attempts = []
    for i in range(8):
        order = subscription_checkout(user=make_reader(f"c{i}@example.com"), offer=offers["launch"])
        attempts.append(services.attempt_start(order=order, provider="cmi"))
    barrier = threading.Barrier(len(attempts))

    def pay(attempt: Any) -> None:
        try:
            barrier.wait()
            Client().post("/paiement/notification/cmi/", gateway_params(attempt))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(a,)) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(Invoice.objects.values_list("sequence", flat=True)) == list(range(1, 9))
