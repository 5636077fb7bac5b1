"""Group licences."""

from __future__ import annotations

from typing import Any

import pytest

from lede.paywall.models import Organisation
from lede.subscriptions.models import Invoice
from lede.subscriptions.periods import add_months
from lede.subscriptions.services.errors import SubscriptionError
from lede.subscriptions.services.groups import group_checkout
from lede.subscriptions.testing import make_reader, pay_order


def test_group_licence_creates_an_organisation(catalogue: dict[str, Any], db: Any) -> None:
    buyer = make_reader("direction@entreprise.ma")
    with pytest.raises(SubscriptionError, match="refusé"):
        group_checkout(
            user=buyer,
            plan=catalogue["yearly"],
            seats=10,
            organisation_name="Entreprise",
            email_domains="gmail.com",
        )
    with pytest.raises(SubscriptionError, match="vérifiez"):
        group_checkout(
            user=buyer,
            plan=catalogue["yearly"],
            seats=10,
            organisation_name="Entreprise",
            email_domains="autre.ma",
        )
    with pytest.raises(SubscriptionError, match="postes"):
        group_checkout(
            user=buyer,
            plan=catalogue["yearly"],
            seats=1,
            organisation_name="Entreprise",
            email_domains="entreprise.ma",
        )
    order = group_checkout(
        user=buyer,
        plan=catalogue["yearly"],
        seats=10,
        organisation_name="  Entreprise   SA ",
        email_domains="@Entreprise.ma",
    )
    assert order.amount_minor == 600000
    pay_order(order)
    org = Organisation.objects.get()
    assert org.name == "Entreprise SA" and org.seats == 10
    assert org.domains() == ["entreprise.ma"]
    assert org.ends_at == add_months(org.starts_at, 12)
    order.refresh_from_db()
    assert order.organisation_id == org.pk
    assert Invoice.objects.get().buyer["organisation"] == "Entreprise SA"
    # Renewing the licence extends the same organisation.
    again = group_checkout(
        user=buyer,
        plan=catalogue["yearly"],
        seats=12,
        organisation_name="Entreprise SA",
        email_domains="entreprise.ma",
        organisation=org,
    )
    pay_order(again)
    org.refresh_from_db()
    assert org.seats == 12 and org.ends_at == add_months(org.starts_at, 24)
