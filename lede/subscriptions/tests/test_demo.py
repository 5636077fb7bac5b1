from __future__ import annotations

from typing import Any

from lede.subscriptions.demo import ensure_demo_offers
from lede.subscriptions.models import Offer, Plan
from lede.subscriptions.selectors import current_offers


def test_demo_offers_idempotent(db: Any) -> None:
    assert ensure_demo_offers() == {"plans": 2, "offers": 3}
    assert ensure_demo_offers() == {"plans": 0, "offers": 0}
    assert Plan.objects.count() == 2 and Offer.objects.count() == 3
    offers = current_offers()
    assert offers[0].slug == "lancement" and offers[0].featured
    launch = offers[0]
    assert launch.price_for_period(0) == 6000
    assert launch.price_for_period(1) == launch.plan.price_minor
    assert launch.plan.period == "month"
    assert Plan.objects.get(slug="annuel").period == "year"
