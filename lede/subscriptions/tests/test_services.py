"""Checkout, fulfilment, the subscription lifecycle, coupons, gifts, group licences."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from lede.payments import services as payments
from lede.payments.models import Order
from lede.paywall.models import AccessGrant, Organisation
from lede.subscriptions import services
from lede.subscriptions.models import GiftCode, Invoice, LedgerEntry, Offer, Subscription
from lede.subscriptions.periods import add_months
from lede.subscriptions.testing import make_coupon, make_reader, pay_order, subscribe


def grant_of(subscription: Subscription) -> AccessGrant:
    return AccessGrant.objects.get(source=f"subscription:{subscription.pk}")


# --- checkout --------------------------------------------------------------------


def test_checkout_is_idempotent_per_purchase(catalogue: dict[str, Any], reader: Any) -> None:
    first = services.checkout_subscription(user=reader, offer=catalogue["launch"])
    again = services.checkout_subscription(user=reader, offer=catalogue["launch"])
    assert first.pk == again.pk
    assert first.amount_minor == 6000 and first.currency == "MAD"
    assert Subscription.objects.filter(status="pending").count() == 1
    make_coupon("MOITIE", percent_off=50)
    other = services.checkout_subscription(
        user=reader, offer=catalogue["launch"], coupon_code="moitié".replace("é", "e")
    )
    assert other.pk != first.pk and other.amount_minor == 3000 and other.discount_minor == 3000


def test_checkout_refusals_are_french(catalogue: dict[str, Any], reader: Any) -> None:
    launch: Offer = catalogue["launch"]
    launch.ends_at = timezone.now() - timedelta(minutes=1)
    launch.save()
    with pytest.raises(services.SubscriptionError, match="plus disponible"):
        services.checkout_subscription(user=reader, offer=launch)
    subscribe(reader, catalogue["monthly_offer"])
    with pytest.raises(services.SubscriptionError, match="déjà abonné"):
        services.checkout_subscription(user=reader, offer=catalogue["yearly_offer"])


def test_payment_activates_and_grants_the_paid_period(
    catalogue: dict[str, Any], reader: Any
) -> None:
    subscription = subscribe(reader, catalogue["launch"])
    assert subscription.status == "active"
    assert subscription.periods_paid == 1
    assert subscription.anchor is not None
    assert subscription.current_period_end == add_months(subscription.anchor, 1)
    grant = grant_of(subscription)
    assert grant.kind == "subscription"
    assert grant.starts_at == subscription.current_period_start
    assert grant.ends_at == subscription.current_period_end
    assert not grant.sections.exists()
    # The launch price was for the first month: the renewal costs the plan's price.
    assert subscription.renewal_amount_minor() == 7000
    entry = LedgerEntry.objects.get(kind="payment")
    assert entry.amount_minor == 6000 and entry.subscription_id == subscription.pk


def test_other_pending_purchases_are_void_once_one_is_paid(
    catalogue: dict[str, Any], reader: Any
) -> None:
    monthly = services.checkout_subscription(user=reader, offer=catalogue["monthly_offer"])
    yearly = services.checkout_subscription(user=reader, offer=catalogue["yearly_offer"])
    late_attempt = payments.attempt_start(order=yearly, provider="sandbox")
    pay_order(monthly)
    yearly.refresh_from_db()
    assert yearly.status == "canceled"
    outcome = payments.payment_succeeded(
        provider="sandbox", event_id="late", attempt=late_attempt, payload="{}"
    )
    assert outcome is payments.Outcome.REJECTED
    late_attempt.refresh_from_db()
    assert late_attempt.status == "duplicate"
    assert Subscription.objects.filter(user=reader, status="active").count() == 1
    assert Invoice.objects.count() == 1


# --- coupons ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coupon", "message"),
    [
        ({"percent_off": 10, "active": False}, "n'existe pas"),
        ({"percent_off": 10, "expires_at": timezone.now() - timedelta(days=1)}, "expiré"),
        ({"percent_off": 10, "starts_at": timezone.now() + timedelta(days=1)}, "pas encore"),
        ({"percent_off": 10, "max_uses": 1}, "déjà été utilisé"),
        ({"amount_off_minor": 500, "currency": "EUR"}, "ne s'applique pas"),
    ],
)
def test_invalid_coupons(
    catalogue: dict[str, Any], reader: Any, coupon: dict[str, Any], message: str
) -> None:
    made = make_coupon("CODE", **coupon)
    if coupon.get("max_uses"):
        made.uses = 1
        made.save()
    with pytest.raises(services.SubscriptionError, match=message):
        services.checkout_subscription(user=reader, offer=catalogue["launch"], coupon_code="code")
    with pytest.raises(services.SubscriptionError, match="n'existe pas"):
        services.checkout_subscription(user=reader, offer=catalogue["launch"], coupon_code="NOPE")
    assert not Order.objects.exists()


def test_coupon_restricted_to_plans(catalogue: dict[str, Any], reader: Any) -> None:
    coupon = make_coupon("ANNUEL", percent_off=20)
    coupon.plans.add(catalogue["yearly"])
    with pytest.raises(services.SubscriptionError, match="ne s'applique pas"):
        services.checkout_subscription(user=reader, offer=catalogue["launch"], coupon_code="annuel")
    order = services.checkout_subscription(
        user=reader, offer=catalogue["yearly_offer"], coupon_code="annuel"
    )
    assert order.amount_minor == 48000


def test_coupon_uses_counted_on_payment_and_rounding(
    catalogue: dict[str, Any], reader: Any
) -> None:
    coupon = make_coupon("QUINZE", percent_off=15, max_uses=1)
    order = services.checkout_subscription(
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
    with pytest.raises(services.SubscriptionError, match="déjà été utilisé"):
        services.checkout_subscription(
            user=make_reader("b@example.com"),
            offer=catalogue["monthly_offer"],
            coupon_code="quinze",
        )


def test_fixed_coupon_never_below_zero(catalogue: dict[str, Any], reader: Any) -> None:
    make_coupon("GRATUIT", amount_off_minor=100000)
    order = services.checkout_subscription(
        user=reader, offer=catalogue["launch"], coupon_code="gratuit"
    )
    assert order.amount_minor == 0 and order.discount_minor == 6000
    payments.order_complete_free(order=order)
    order.refresh_from_db()
    assert order.status == "paid"
    assert Invoice.objects.get().total_minor == 0


# --- lifecycle ---------------------------------------------------------------------


def test_cancel_and_resume(catalogue: dict[str, Any], reader: Any) -> None:
    subscription = subscribe(reader, catalogue["monthly_offer"])
    services.subscription_cancel(subscription=subscription)
    assert subscription.cancel_at_period_end and subscription.canceled_at is not None
    assert grant_of(subscription).ends_at == subscription.current_period_end  # access stays
    services.subscription_resume(subscription=subscription)
    assert not subscription.cancel_at_period_end


def test_plan_change_takes_effect_at_renewal(catalogue: dict[str, Any], reader: Any) -> None:
    subscription = subscribe(reader, catalogue["launch"])
    end = subscription.current_period_end
    services.subscription_change_plan(subscription=subscription, plan=catalogue["yearly"])
    subscription.refresh_from_db()
    assert subscription.plan == catalogue["monthly"]
    assert subscription.renewal_amount_minor() == 60000
    order = services.renewal_order_for(subscription=subscription)
    assert services.renewal_order_for(subscription=subscription).pk == order.pk
    pay_order(order)
    subscription.refresh_from_db()
    assert subscription.plan == catalogue["yearly"] and subscription.next_plan is None
    assert subscription.current_period_start == end
    assert subscription.anchor is not None
    assert subscription.current_period_end == add_months(subscription.anchor, 13)
    assert grant_of(subscription).ends_at == subscription.current_period_end
    assert Invoice.objects.count() == 2


def test_trial(catalogue: dict[str, Any], reader: Any) -> None:
    offer = catalogue["monthly_offer"]
    offer.trial_days = 14
    offer.save()
    subscription = services.trial_start(user=reader, offer=offer)
    assert subscription.status == "trialing"
    assert grant_of(subscription).ends_at == subscription.trial_ends_at
    with pytest.raises(services.SubscriptionError):
        services.trial_start(user=reader, offer=offer)
    pay_order(services.renewal_order_for(subscription=subscription))
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert subscription.anchor == subscription.trial_ends_at  # no trial day lost
    assert subscription.trial_ends_at is not None
    assert grant_of(subscription).ends_at == add_months(subscription.trial_ends_at, 1)


def _due(subscription: Subscription, **fields: Any) -> None:
    """Move a subscription (and its grant, as the services keep them) in time."""
    Subscription.objects.filter(pk=subscription.pk).update(**fields)
    subscription.refresh_from_db()
    AccessGrant.objects.filter(source=subscription.grant_source).update(
        ends_at=subscription.current_period_end
    )


def test_reminder_sent_once(
    catalogue: dict[str, Any], reader: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscription = subscribe(reader, catalogue["monthly_offer"], provider="cmi")
    now = timezone.now()
    _due(subscription, current_period_end=now + timedelta(days=3))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.subscriptions_process_due(now=now)
        second = services.subscriptions_process_due(now=now)
    assert first["reminded"] == 1 and second["reminded"] == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "échéance" in message.subject
    assert "/abonnement/renouveler/" in message.body
    assert getattr(message, "alternatives", None)


def test_token_renewal_through_the_sandbox(catalogue: dict[str, Any], reader: Any) -> None:
    subscription = subscribe(
        reader, catalogue["monthly_offer"], token="tok_sandbox_4242424242424242"
    )
    now = timezone.now()
    _due(subscription, current_period_end=now + timedelta(hours=6))
    counts = services.subscriptions_process_due(now=now)
    assert counts["renewed"] == 1
    subscription.refresh_from_db()
    assert subscription.periods_paid == 2
    assert grant_of(subscription).ends_at == subscription.current_period_end
    assert services.subscriptions_process_due(now=now)["renewed"] == 0


def test_declined_token_then_past_due_then_expired(
    catalogue: dict[str, Any], reader: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscription = subscribe(
        reader, catalogue["monthly_offer"], token="tok_sandbox_4000000000000002"
    )
    now = timezone.now()
    _due(subscription, current_period_end=now + timedelta(hours=6))
    assert services.subscriptions_process_due(now=now)["declined"] == 1
    assert LedgerEntry.objects.filter(kind="failure").count() == 1
    later = now + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.subscriptions_process_due(now=later)["past_due"] == 1
    subscription.refresh_from_db()
    assert subscription.status == "past_due"
    assert any("pas été renouvelé" in m.subject for m in mail.outbox)
    grant = grant_of(subscription)
    assert grant.ends_at is not None and grant.ends_at < later  # no access while unpaid
    assert services.subscriptions_process_due(now=later + timedelta(days=8))["expired"] == 1
    subscription.refresh_from_db()
    assert subscription.status == "expired"
    assert LedgerEntry.objects.filter(kind="revoke").count() == 1


def test_paying_during_grace_restores(catalogue: dict[str, Any], reader: Any) -> None:
    subscription = subscribe(reader, catalogue["monthly_offer"], provider="cmi")
    now = timezone.now()
    end = now - timedelta(days=1)
    _due(subscription, current_period_end=end)
    services.subscriptions_process_due(now=now)
    subscription.refresh_from_db()
    assert subscription.status == "past_due"
    pay_order(services.renewal_order_for(subscription=subscription))
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert subscription.current_period_start == end
    end_now = subscription.current_period_end
    assert end_now is not None and end_now > now
    assert grant_of(subscription).ends_at == end_now


def test_cancelled_subscription_ends_at_period_end(catalogue: dict[str, Any], reader: Any) -> None:
    subscription = subscribe(reader, catalogue["monthly_offer"])
    services.subscription_cancel(subscription=subscription)
    now = timezone.now()
    assert services.subscriptions_process_due(now=now)["ended"] == 0
    assert subscription.current_period_end is not None
    after = subscription.current_period_end + timedelta(minutes=1)
    assert services.subscriptions_process_due(now=after)["ended"] == 1
    subscription.refresh_from_db()
    assert subscription.status == "canceled"
    with pytest.raises(services.SubscriptionError):
        services.subscription_resume(subscription=subscription)


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


# --- gifts -----------------------------------------------------------------------


def test_gift_bought_sent_and_redeemed(
    catalogue: dict[str, Any], reader: Any, django_capture_on_commit_callbacks: Any
) -> None:
    order = services.checkout_gift(
        user=reader, months=3, recipient_email="Ami@Example.com", message="Bonne lecture !"
    )
    assert order.amount_minor == 21000
    with django_capture_on_commit_callbacks(execute=True):
        pay_order(order)
    gift = GiftCode.objects.get()
    assert gift.recipient_email == "ami@example.com" and gift.months == 3
    to_friend = next(m for m in mail.outbox if m.to == ["ami@example.com"])
    assert gift.code in to_friend.body and "Bonne lecture" in to_friend.body
    friend = make_reader("ami@example.com")
    subscription = services.gift_redeem(user=friend, code=gift.code.lower().replace("-", " "))
    assert subscription.is_gift and subscription.cancel_at_period_end
    assert subscription.current_period_start is not None
    assert grant_of(subscription).ends_at == add_months(subscription.current_period_start, 3)
    with pytest.raises(services.SubscriptionError, match="déjà été utilisé"):
        services.gift_redeem(user=friend, code=gift.code)


def test_gift_yearly_uses_the_yearly_price_and_stacks(
    catalogue: dict[str, Any], reader: Any
) -> None:
    order = services.checkout_gift(user=reader, months=12, recipient_email="x@example.com")
    assert order.amount_minor == 60000
    pay_order(order)
    gift = GiftCode.objects.get()
    friend = make_reader("x@example.com")
    current = subscribe(friend, catalogue["monthly_offer"])
    gifted = services.gift_redeem(user=friend, code=gift.code)
    assert gifted.current_period_start == current.current_period_end


def test_gift_refusals(catalogue: dict[str, Any], reader: Any) -> None:
    with pytest.raises(services.SubscriptionError, match="n'existe pas"):
        services.gift_redeem(user=reader, code="AAAA-BBBB-CCCC")
    with pytest.raises(services.SubscriptionError, match="Durée"):
        services.checkout_gift(user=reader, months=5, recipient_email="x@example.com")
    order = services.checkout_gift(user=reader, months=1, recipient_email="x@example.com")
    pay_order(order)
    GiftCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(services.SubscriptionError, match="expiré"):
        services.gift_redeem(user=reader, code=GiftCode.objects.get().code)


# --- group licences ------------------------------------------------------------------


def test_group_licence_creates_an_organisation(catalogue: dict[str, Any], db: Any) -> None:
    buyer = make_reader("direction@entreprise.ma")
    with pytest.raises(services.SubscriptionError, match="refusé"):
        services.checkout_group(
            user=buyer,
            plan=catalogue["yearly"],
            seats=10,
            organisation_name="Entreprise",
            email_domains="gmail.com",
        )
    with pytest.raises(services.SubscriptionError, match="vérifiez"):
        services.checkout_group(
            user=buyer,
            plan=catalogue["yearly"],
            seats=10,
            organisation_name="Entreprise",
            email_domains="autre.ma",
        )
    with pytest.raises(services.SubscriptionError, match="postes"):
        services.checkout_group(
            user=buyer,
            plan=catalogue["yearly"],
            seats=1,
            organisation_name="Entreprise",
            email_domains="entreprise.ma",
        )
    order = services.checkout_group(
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
    again = services.checkout_group(
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


def test_renewal_task_runs_the_pass(catalogue: dict[str, Any], reader: Any) -> None:
    from lede.subscriptions.tasks import renew_due_subscriptions

    subscription = subscribe(reader, catalogue["monthly_offer"], provider="cmi")
    _due(subscription, current_period_end=timezone.now() - timedelta(hours=1))
    result = renew_due_subscriptions.enqueue()
    assert result.return_value is not None and result.return_value["past_due"] == 1
    subscription.refresh_from_db()
    assert subscription.status == "past_due"
