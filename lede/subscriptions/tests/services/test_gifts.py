"""Gift subscriptions: bought, sent, redeemed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from lede.subscriptions.models import GiftCode
from lede.subscriptions.periods import add_months
from lede.subscriptions.services.errors import SubscriptionError
from lede.subscriptions.services.gifts import gift_checkout, gift_redeem
from lede.subscriptions.testing import make_reader, pay_order, subscribe
from lede.subscriptions.tests.services.helpers import grant_of


def test_gift_bought_sent_and_redeemed(
    catalogue: dict[str, Any],
    reader: Any,
    django_capture_on_commit_callbacks: Any,
    smtp_server: Any,
) -> None:
    order = gift_checkout(
        user=reader, months=3, recipient_email="Ami@Example.com", message="Bonne lecture !"
    )
    assert order.amount_minor == 21000
    with django_capture_on_commit_callbacks(execute=True):
        pay_order(order)
    gift = GiftCode.objects.get()
    assert gift.recipient_email == "ami@example.com" and gift.months == 3
    smtp_server.wait_for(3)  # the friend's gift, the buyer's receipt and notice
    [to_friend] = smtp_server.to("ami@example.com")
    [to_buyer] = [m for m in smtp_server.to(reader.email) if "cadeau" in m.subject]
    for part in ("plain", "html"):
        assert gift.code in to_friend.body(part) and "Bonne lecture" in to_friend.body(part)
        assert gift.code in to_buyer.body(part)
    assert "/abonnement/" in to_friend.body("html")
    friend = make_reader("ami@example.com")
    subscription = gift_redeem(user=friend, code=gift.code.lower().replace("-", " "))
    assert subscription.is_gift and subscription.cancel_at_period_end
    assert subscription.current_period_start is not None
    assert grant_of(subscription).ends_at == add_months(subscription.current_period_start, 3)
    with pytest.raises(SubscriptionError, match="déjà été utilisé"):
        gift_redeem(user=friend, code=gift.code)


def test_gift_yearly_uses_the_yearly_price_and_stacks(
    catalogue: dict[str, Any], reader: Any
) -> None:
    order = gift_checkout(user=reader, months=12, recipient_email="x@example.com")
    assert order.amount_minor == 60000
    pay_order(order)
    gift = GiftCode.objects.get()
    friend = make_reader("x@example.com")
    current = subscribe(friend, catalogue["monthly_offer"])
    gifted = gift_redeem(user=friend, code=gift.code)
    assert gifted.current_period_start == current.current_period_end


def test_gift_refusals(catalogue: dict[str, Any], reader: Any) -> None:
    with pytest.raises(SubscriptionError, match="n’existe pas"):
        gift_redeem(user=reader, code="AAAA-BBBB-CCCC")
    with pytest.raises(SubscriptionError, match="Durée"):
        gift_checkout(user=reader, months=5, recipient_email="x@example.com")
    order = gift_checkout(user=reader, months=1, recipient_email="x@example.com")
    pay_order(order)
    GiftCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(SubscriptionError, match="expiré"):
        gift_redeem(user=reader, code=GiftCode.objects.get().code)
