"""Writes of the subscriptions domain.

The subscription state machine::

    pending ──pay──▶ active ──period ends unpaid──▶ past_due ──grace ends──▶ expired
       │               ▲  │                            │
       └─trial─▶ trialing  └─cancel at period end ─────┼──period ends──▶ canceled
                       │        (resume before the end)│
                       └──────────── pay ──────────────┘ (back to active)

It moves only through verified provider events (via
:mod:`lede.payments.services`) and staff or reader actions here. Every
change of money or access appends to the ledger (:class:`LedgerEntry`, unique
``event_key``) in the same transaction, and the reader's entitlement — one
``AccessGrant(kind="subscription", source="subscription:<id>")`` whose
``ends_at`` is the end of the paid period — is updated with it. Cancelling at
period end just lets ``ends_at`` pass.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from lede.paywall.models import AccessGrant, Organisation

from . import emails
from .invoices import invoice_issue
from .models import (
    Coupon,
    GiftCode,
    LedgerEntry,
    Offer,
    Plan,
    Subscription,
    normalise_code,
)
from .money import format_amount, months_label
from .periods import add_months

if TYPE_CHECKING:
    from lede.payments.models import Order, PaymentAttempt

logger = logging.getLogger(__name__)

GIFT_MONTHS = (1, 3, 12)
GIFT_VALIDITY_DAYS = 365
GROUP_MAX_SEATS = 500
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.fr",
        "hotmail.com",
        "hotmail.fr",
        "outlook.com",
        "outlook.fr",
        "live.com",
        "live.fr",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.com",
        "gmx.fr",
        "proton.me",
        "protonmail.com",
        "menara.ma",
        "laposte.net",
        "orange.fr",
        "free.fr",
    }
)


class SubscriptionError(Exception):
    """Refused, with a French message for the reader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def reminder_days() -> int:
    return int(getattr(settings, "LEDE_RENEWAL_REMINDER_DAYS", 7))


def grace_days() -> int:
    return int(getattr(settings, "LEDE_RENEWAL_GRACE_DAYS", 7))


def _purpose_key(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:40]


def live_subscription(user: Any) -> Subscription | None:
    return (
        Subscription.objects.filter(user=user, status__in=Subscription.LIVE_STATUSES, is_gift=False)
        .select_related("plan", "offer", "next_plan")
        .order_by("-created_at")
        .first()
    )


# --- Quotes and coupons ---------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    plan: Plan
    offer: Offer | None
    coupon: Coupon | None
    gross_minor: int
    discount_minor: int
    currency: str
    then_minor: int  # what each later period costs

    @property
    def amount_minor(self) -> int:
        return self.gross_minor - self.discount_minor

    @property
    def amount_display(self) -> str:
        return format_amount(self.amount_minor, self.currency)

    @property
    def gross_display(self) -> str:
        return format_amount(self.gross_minor, self.currency)

    @property
    def discount_display(self) -> str:
        return format_amount(self.discount_minor, self.currency)

    @property
    def then_display(self) -> str:
        return format_amount(self.then_minor, self.currency)


def coupon_validate(*, code: str, plan: Plan, now: datetime | None = None) -> Coupon:
    now = now or timezone.now()
    normalised = normalise_code(code)
    coupon = Coupon.objects.filter(code=normalised).prefetch_related("plans").first()
    if coupon is None or not coupon.active:
        raise SubscriptionError(gettext("Ce code de réduction n'existe pas."))
    if coupon.starts_at and now < coupon.starts_at:
        raise SubscriptionError(gettext("Ce code de réduction n'est pas encore valable."))
    if coupon.expires_at and now >= coupon.expires_at:
        raise SubscriptionError(gettext("Ce code de réduction a expiré."))
    if coupon.max_uses is not None and coupon.uses >= coupon.max_uses:
        raise SubscriptionError(gettext("Ce code de réduction a déjà été utilisé."))
    plan_ids = {p.pk for p in coupon.plans.all()}
    if plan_ids and plan.pk not in plan_ids:
        raise SubscriptionError(gettext("Ce code de réduction ne s'applique pas à cette offre."))
    if coupon.amount_off_minor is not None and coupon.currency.upper() != plan.currency.upper():
        raise SubscriptionError(gettext("Ce code de réduction ne s'applique pas à cette offre."))
    return coupon


def quote_offer(*, offer: Offer, coupon: Coupon | None = None) -> Quote:
    plan = offer.plan
    gross = offer.price_for_period(0)
    discount = coupon.discount_for(gross, plan.currency) if coupon is not None else 0
    then = offer.price_for_period(max(offer.intro_periods, 1)) if offer.has_intro else gross
    return Quote(
        plan=plan,
        offer=offer,
        coupon=coupon,
        gross_minor=gross,
        discount_minor=discount,
        currency=plan.currency,
        then_minor=then if offer.has_intro else plan.price_minor,
    )


def offer_description(offer: Offer) -> str:
    plan = offer.plan
    if offer.has_intro:
        return gettext("%(plan)s — %(headline)s (%(period)s)") % {
            "plan": plan.name,
            "headline": offer.headline,
            "period": offer.first_period_display,
        }
    return gettext("%(plan)s (%(period)s)") % {
        "plan": plan.name,
        "period": offer.first_period_display,
    }


# --- Checkouts: pending orders, idempotent --------------------------------------


def _order_get_or_create(*, user: Any, purpose_key: str, **fields: Any) -> tuple[Order, bool]:
    from lede.payments.models import Order

    existing = Order.objects.filter(
        user=user, purpose_key=purpose_key, status=Order.Status.PENDING
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Order.objects.create(user=user, purpose_key=purpose_key, **fields), True
    except IntegrityError:
        # A double click raced us to it: the other request's order wins.
        return (
            Order.objects.get(user=user, purpose_key=purpose_key, status=Order.Status.PENDING),
            False,
        )


@transaction.atomic
def checkout_subscription(
    *, user: Any, offer: Offer, coupon_code: str = "", next_url: str = ""
) -> Order:
    """The pending order (and pending subscription) for buying ``offer``.
    Asking twice for the same purchase returns the same order."""
    from lede.payments.models import Order

    if not offer.is_current():
        raise SubscriptionError(gettext("Cette offre n'est plus disponible."))
    if live_subscription(user) is not None:
        raise SubscriptionError(
            gettext("Vous êtes déjà abonné. Gérez votre abonnement dans « Mon abonnement ».")
        )
    coupon = coupon_validate(code=coupon_code, plan=offer.plan) if coupon_code.strip() else None
    quote = quote_offer(offer=offer, coupon=coupon)
    purpose = _purpose_key("subscription", offer.pk, coupon.code if coupon else "")
    existing = Order.objects.filter(
        user=user, purpose_key=purpose, status=Order.Status.PENDING
    ).first()
    if existing is not None:
        if next_url and existing.next_url != next_url:
            existing.next_url = next_url
            existing.save(update_fields=["next_url", "updated_at"])
        return existing
    subscription = Subscription.objects.create(
        user=user, plan=offer.plan, offer=offer, status=Subscription.Status.PENDING
    )
    order, created = _order_get_or_create(
        user=user,
        purpose_key=purpose,
        kind=Order.Kind.SUBSCRIPTION,
        description=offer_description(offer)[:255],
        amount_minor=quote.amount_minor,
        discount_minor=quote.discount_minor,
        currency=quote.currency,
        plan=offer.plan,
        offer=offer,
        coupon=coupon,
        subscription=subscription,
        months=offer.plan.months,
        next_url=next_url[:500],
    )
    if not created:
        subscription.delete()
    return order


@transaction.atomic
def trial_start(*, user: Any, offer: Offer) -> Subscription:
    """A free trial: access at once, no payment until the trial ends."""
    if not offer.is_current() or not offer.trial_days:
        raise SubscriptionError(gettext("Cette offre n'est plus disponible."))
    type(user).objects.select_for_update().get(pk=user.pk)  # one trial at a time
    if live_subscription(user) is not None:
        raise SubscriptionError(gettext("Vous êtes déjà abonné."))
    if Subscription.objects.filter(user=user, offer=offer).exclude(
        status=Subscription.Status.PENDING
    ):
        raise SubscriptionError(gettext("Vous avez déjà profité de cet essai gratuit."))
    now = timezone.now()
    end = now + timedelta(days=offer.trial_days)
    subscription = Subscription.objects.create(
        user=user,
        plan=offer.plan,
        offer=offer,
        status=Subscription.Status.TRIALING,
        current_period_start=now,
        current_period_end=end,
        trial_ends_at=end,
    )
    _sync_grant(subscription)
    _ledger(
        kind=LedgerEntry.Kind.GRANT,
        event_key=f"trial:{subscription.pk}",
        subscription=subscription,
        period_start=now,
        period_end=end,
        note=f"essai gratuit de {offer.trial_days} jours",
    )
    return subscription


@transaction.atomic
def renewal_order_for(
    *, subscription: Subscription, provider: str = "", next_url: str = ""
) -> Order:
    """The pending order paying the next period of ``subscription`` (one per
    period: paying from two tabs pays once)."""
    from lede.payments.models import Order

    sub = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan", "offer")
        .get(pk=subscription.pk)
    )
    if sub.status not in Subscription.LIVE_STATUSES:
        raise SubscriptionError(gettext("Cet abonnement ne peut plus être renouvelé."))
    if sub.is_gift:
        raise SubscriptionError(gettext("Un abonnement offert ne se renouvelle pas."))
    plan = sub.renewal_plan
    amount = sub.renewal_amount_minor()
    order, _created = _order_get_or_create(
        user=sub.user,
        purpose_key=_purpose_key("renewal", sub.pk, sub.periods_paid, plan.pk, amount),
        kind=Order.Kind.RENEWAL,
        description=(
            gettext("Renouvellement — %(plan)s (%(period)s)")
            % {"plan": plan.name, "period": months_label(plan.months)}
        )[:255],
        amount_minor=amount,
        currency=plan.currency,
        plan=plan,
        offer=sub.offer,
        subscription=sub,
        months=plan.months,
        provider=provider,
        next_url=next_url[:500],
    )
    return order


def gift_price_minor(*, months: int) -> tuple[Plan, int]:
    """A gift of 12 months costs the yearly plan when there is one; otherwise
    the monthly plan times the number of months."""
    plans = list(Plan.objects.filter(active=True))
    yearly = sorted((p for p in plans if p.period == "year"), key=lambda p: p.price_minor)
    monthly = sorted((p for p in plans if p.period == "month"), key=lambda p: p.price_minor)
    if months == 12 and yearly:
        return yearly[0], yearly[0].price_minor
    if monthly:
        return monthly[-1], monthly[-1].price_minor * months
    raise SubscriptionError(gettext("Les abonnements cadeaux ne sont pas disponibles."))


@transaction.atomic
def checkout_gift(
    *,
    user: Any,
    months: int,
    recipient_email: str,
    recipient_name: str = "",
    message: str = "",
    idempotency_key: str = "",
) -> Order:
    from lede.payments.models import Order

    if months not in GIFT_MONTHS:
        raise SubscriptionError(gettext("Durée de cadeau invalide."))
    plan, amount = gift_price_minor(months=months)
    email = recipient_email.strip().lower()
    order, _created = _order_get_or_create(
        user=user,
        purpose_key=_purpose_key("gift", months, email, idempotency_key or secrets.token_hex(8)),
        kind=Order.Kind.GIFT,
        description=(
            gettext("Abonnement cadeau — %(duration)s") % {"duration": months_label(months)}
        )[:255],
        amount_minor=amount,
        currency=plan.currency,
        plan=plan,
        months=months,
        details={
            "recipient_email": email,
            "recipient_name": recipient_name.strip()[:120],
            "message": message.strip()[:1000],
        },
    )
    return order


def _group_domains(user: Any, raw: str) -> list[str]:
    from allauth.account.models import EmailAddress

    domains = sorted({d.strip().lower().lstrip("@") for d in raw.replace(",", " ").split() if d})
    verified = {
        e.rsplit("@", 1)[-1].lower()
        for e in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }
    for domain in domains:
        if "." not in domain or domain in FREE_MAIL_DOMAINS:
            raise SubscriptionError(
                gettext("Domaine refusé : %(domain)s (adresse d'entreprise requise).")
                % {"domain": domain}
            )
        if domain not in verified:
            raise SubscriptionError(
                gettext(
                    "Pour le domaine %(domain)s, ajoutez et vérifiez d'abord une adresse "
                    "e-mail de ce domaine dans votre compte."
                )
                % {"domain": domain}
            )
    return domains


@transaction.atomic
def checkout_group(
    *,
    user: Any,
    plan: Plan,
    seats: int,
    organisation_name: str,
    email_domains: str,
    organisation: Organisation | None = None,
    idempotency_key: str = "",
) -> Order:
    """A group licence: ``seats`` readers of an organisation, for one period
    of ``plan``. Paying it creates (or extends) a paywall Organisation."""
    from lede.payments.models import Order

    if not plan.active:
        raise SubscriptionError(gettext("Cette formule n'est plus disponible."))
    if not 2 <= seats <= GROUP_MAX_SEATS:
        raise SubscriptionError(
            gettext("Une licence de groupe compte de 2 à %(max)d postes.")
            % {"max": GROUP_MAX_SEATS}
        )
    name = " ".join(organisation_name.split())[:200]
    if not name:
        raise SubscriptionError(gettext("Indiquez le nom de l'organisation."))
    domains = _group_domains(user, email_domains)
    if not domains:
        raise SubscriptionError(gettext("Indiquez au moins un domaine e-mail."))
    order, _created = _order_get_or_create(
        user=user,
        purpose_key=_purpose_key(
            "group",
            plan.pk,
            seats,
            name,
            ",".join(domains),
            idempotency_key or secrets.token_hex(8),
        ),
        kind=Order.Kind.GROUP,
        description=(
            gettext("Licence de groupe — %(name)s, %(seats)d postes, %(period)s")
            % {"name": name, "seats": seats, "period": months_label(plan.months)}
        )[:255],
        amount_minor=plan.price_minor * seats,
        currency=plan.currency,
        plan=plan,
        months=plan.months,
        seats=seats,
        organisation=organisation,
        details={"organisation_name": name, "email_domains": domains, "contact": user.email},
    )
    return order


# --- Entitlement and ledger -----------------------------------------------------


def _sync_grant(subscription: Subscription) -> AccessGrant | None:
    """Make the subscription's AccessGrant cover what has been paid."""
    start, end = subscription.current_period_start, subscription.current_period_end
    if start is None or end is None:
        return None
    grant = AccessGrant.objects.filter(source=subscription.grant_source).first()
    if grant is None:
        grant = AccessGrant.objects.create(
            user_id=subscription.user_id,
            kind=AccessGrant.Kind.SUBSCRIPTION,
            starts_at=start,
            ends_at=end,
            source=subscription.grant_source,
            note=subscription.plan.name[:255],
        )
    else:
        grant.starts_at = min(grant.starts_at, start)
        grant.ends_at = end
        grant.note = subscription.plan.name[:255]
        grant.save(update_fields=["starts_at", "ends_at", "note"])
    plan = subscription.plan
    if plan.unlocks_all:
        grant.sections.clear()
    else:
        grant.sections.set(plan.sections.all())
    return grant


def _end_grant(subscription: Subscription, at: datetime) -> None:
    AccessGrant.objects.filter(source=subscription.grant_source, ends_at__gt=at).update(ends_at=at)
    AccessGrant.objects.filter(source=subscription.grant_source, ends_at__isnull=True).update(
        ends_at=at
    )
    # update() sends no signal: tell the paywall its cached profile is stale.
    from lede.paywall.services import reader_changed

    if subscription.user_id is not None:
        reader_changed(user_id=subscription.user_id)


def _ledger(
    *,
    kind: str,
    event_key: str,
    subscription: Subscription | None = None,
    order: Order | None = None,
    user: Any = None,
    amount_minor: int = 0,
    currency: str = "MAD",
    provider: str = "",
    period_start: datetime | None = None,
    period_end: datetime | None = None,
    note: str = "",
) -> LedgerEntry:
    if user is None:
        user = subscription.user if subscription is not None else None
    if user is None and order is not None:
        user = order.user
    return LedgerEntry.objects.create(
        kind=kind,
        event_key=event_key[:255],
        user=user,
        subscription=subscription,
        order=order,
        amount_minor=amount_minor,
        currency=currency,
        provider=provider,
        period_start=period_start,
        period_end=period_end,
        note=note[:255],
    )


# --- Fulfilment: called by lede.payments.services inside its transaction ----------


def order_fulfil(
    *, order: Order, attempt: PaymentAttempt, event_key: str, provider_data: dict[str, str]
) -> None:
    """A verified payment of ``order``: start or extend what was bought,
    write the ledger, issue the receipt. Runs inside the payment's
    transaction (the order and attempt rows are locked)."""
    from lede.payments.models import Order

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("order_fulfil must run inside the payment's transaction")
    subscription: Subscription | None = None
    kind = LedgerEntry.Kind.PAYMENT
    if order.kind == Order.Kind.SUBSCRIPTION:
        subscription = _activate(order, provider_data)
    elif order.kind == Order.Kind.RENEWAL:
        subscription = _renew(order, provider_data)
        kind = LedgerEntry.Kind.RENEWAL
    elif order.kind == Order.Kind.GIFT:
        _gift_issue(order)
    elif order.kind == Order.Kind.GROUP:
        _group_fulfil(order)
    if order.coupon_id is not None:
        Coupon.objects.filter(pk=order.coupon_id).update(uses=F("uses") + 1)
    _ledger(
        kind=kind,
        event_key=event_key,
        subscription=subscription,
        order=order,
        amount_minor=order.amount_minor,
        currency=order.currency,
        provider=order.provider,
        period_start=subscription.current_period_start if subscription else None,
        period_end=subscription.current_period_end if subscription else None,
        note=order.description,
    )
    invoice = invoice_issue(order=order)
    emails.send_on_commit(
        "payment_confirmed",
        order.user.email,
        {
            "order_description": order.description,
            "amount": order.amount_display,
            "invoice_number": invoice.number,
            "receipt_url": emails.absolute(reverse("subscriptions:receipt", args=[invoice.number])),
            "account_url": emails.absolute(reverse("subscriptions:account")),
            "period_end": subscription.current_period_end if subscription else None,
        },
    )


def _activate(order: Order, provider_data: dict[str, str]) -> Subscription:
    from lede.payments.models import Order

    if order.subscription_id is None:
        raise RuntimeError(f"subscription order {order.uuid} has no subscription")
    sub = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=order.subscription_id)
    )
    if sub.status == Subscription.Status.TRIALING:
        return _renew(order, provider_data)
    now = timezone.now()
    plan = order.plan or sub.plan
    sub.plan = plan
    sub.status = Subscription.Status.ACTIVE
    sub.anchor = now
    sub.months_paid = plan.months
    sub.periods_paid = 1
    sub.current_period_start = now
    sub.current_period_end = add_months(now, plan.months)
    sub.cancel_at_period_end = False
    sub.canceled_at = None
    sub.ended_at = None
    sub.grace_until = None
    _provider_data(sub, order.provider, provider_data)
    sub.save()
    _sync_grant(sub)
    # Other pending purchases of a subscription by this reader are void now:
    # paying one of them later is refused (and flagged for a refund).
    siblings = Order.objects.filter(
        user_id=order.user_id, kind=Order.Kind.SUBSCRIPTION, status=Order.Status.PENDING
    ).exclude(pk=order.pk)
    sibling_subs = [s for s in siblings.values_list("subscription_id", flat=True) if s]
    siblings.update(status=Order.Status.CANCELED, updated_at=now)
    Subscription.objects.filter(pk__in=sibling_subs, status=Subscription.Status.PENDING).update(
        status=Subscription.Status.EXPIRED, ended_at=now
    )
    return sub


def _provider_data(sub: Subscription, provider: str, data: dict[str, str]) -> None:
    sub.provider = provider
    if data.get("customer_id"):
        sub.provider_customer_id = data["customer_id"][:255]
    if data.get("subscription_id"):
        sub.provider_subscription_id = data["subscription_id"][:255]
    if data.get("token"):
        sub.provider_token = data["token"][:255]


def _renew(order: Order, provider_data: dict[str, str]) -> Subscription:
    if order.subscription_id is None:
        raise RuntimeError(f"renewal order {order.uuid} has no subscription")
    sub = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan", "next_plan")
        .get(pk=order.subscription_id)
    )
    now = timezone.now()
    plan = order.plan or sub.renewal_plan
    if sub.next_plan_id is not None and sub.next_plan_id == plan.pk:
        sub.next_plan = None
    sub.plan = plan
    if sub.status == Subscription.Status.TRIALING:
        trial_end = sub.trial_ends_at or now
        sub.anchor = max(trial_end, now)
        sub.months_paid = plan.months
        start = sub.anchor
    elif (
        sub.status in (Subscription.Status.ACTIVE, Subscription.Status.PAST_DUE)
        and sub.anchor is not None
        and sub.current_period_end is not None
    ):
        start = sub.current_period_end
        sub.months_paid += plan.months
    else:  # ended (expired, canceled) or never started: start afresh
        sub.anchor = now
        sub.months_paid = plan.months
        start = now
    sub.periods_paid += 1
    sub.status = Subscription.Status.ACTIVE
    sub.current_period_start = start
    sub.current_period_end = add_months(sub.anchor, sub.months_paid)
    sub.grace_until = None
    sub.dunning_count = 0
    sub.reminder_sent_for = None
    sub.ended_at = None
    if not sub.provider_subscription_id:
        sub.cancel_at_period_end = False
        sub.canceled_at = None
    _provider_data(sub, order.provider, provider_data)
    sub.save()
    _sync_grant(sub)
    return sub


def _gift_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        raw = "".join(secrets.choice(alphabet) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if not GiftCode.objects.filter(code=code).exists():
            return code


def _gift_issue(order: Order) -> GiftCode:
    if order.plan is None:
        raise RuntimeError(f"gift order {order.uuid} has no plan")
    details = order.details or {}
    gift = GiftCode.objects.create(
        code=_gift_code(),
        plan=order.plan,
        months=order.months,
        buyer=order.user,
        order=order,
        recipient_email=str(details.get("recipient_email", "")),
        recipient_name=str(details.get("recipient_name", "")),
        message=str(details.get("message", "")),
        expires_at=timezone.now() + timedelta(days=GIFT_VALIDITY_DAYS),
    )
    buyer: Any = order.user
    context = {
        "code": gift.code,
        "duration": gift.duration_display,
        "buyer_name": getattr(buyer, "display_name", "") or buyer.email,
        "recipient_name": gift.recipient_name,
        "message": gift.message,
        "expires_at": gift.expires_at,
        "redeem_url": emails.absolute(reverse("subscriptions:gift_redeem") + f"?code={gift.code}"),
    }
    emails.send_on_commit("gift_received", gift.recipient_email, context)
    emails.send_on_commit("gift_bought", buyer.email, context)
    return gift


def _group_fulfil(order: Order) -> Organisation:
    if order.plan is None or not order.seats:
        raise RuntimeError(f"group order {order.uuid} is incomplete")
    now = timezone.now()
    details = order.details or {}
    org = (
        Organisation.objects.select_for_update().filter(pk=order.organisation_id).first()
        if order.organisation_id
        else None
    )
    if org is None:
        org = Organisation.objects.create(
            name=str(details.get("organisation_name", ""))[:200] or order.user.email,
            email_domains="\n".join(details.get("email_domains", [])),
            seats=order.seats,
            starts_at=now,
            ends_at=add_months(now, order.plan.months),
            contact_email=order.user.email,
        )
    else:
        base = org.ends_at if org.ends_at and org.ends_at > now else now
        org.ends_at = add_months(base, order.plan.months)
        org.seats = max(org.seats or 0, order.seats)
        org.save()
    if not order.plan.unlocks_all:
        org.sections.set(order.plan.sections.all())
    order.organisation = org
    order.save(update_fields=["organisation", "updated_at"])
    _ledger(
        kind=LedgerEntry.Kind.GRANT,
        event_key=f"group:{order.uuid}",
        order=order,
        period_start=org.starts_at,
        period_end=org.ends_at,
        note=f"licence de groupe {org.name} ({org.seats} postes)",
    )
    return org


def payment_failure_record(
    *, order: Order, attempt: PaymentAttempt, event_key: str, note: str = ""
) -> None:
    _ledger(
        kind=LedgerEntry.Kind.FAILURE,
        event_key=event_key,
        subscription=None,
        order=order,
        amount_minor=0,
        currency=order.currency,
        provider=attempt.provider,
        note=note or gettext("paiement refusé"),
    )


@transaction.atomic
def renewal_paid_by_provider(
    *,
    subscription: Subscription,
    provider: str,
    event_id: str,
    reference: str,
    amount_minor: int,
    currency: str,
    payload: str,
) -> str:
    """A provider renewed on its own (Stripe ``invoice.paid``): record the
    period as an order paid by that provider, exactly once per ``reference``."""
    from lede.payments import services as payments
    from lede.payments.models import Order, PaymentAttempt

    sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if not reference:
        raise SubscriptionError("missing reference")
    if PaymentAttempt.objects.filter(provider=provider, provider_reference=reference).exists():
        return payments.Outcome.REPLAY.value
    if amount_minor < 0 or len(currency) != 3:
        raise SubscriptionError("bad amount")
    plan = sub.renewal_plan
    order = Order.objects.create(
        user_id=sub.user_id,
        kind=Order.Kind.RENEWAL,
        description=(
            gettext("Renouvellement — %(plan)s (%(period)s)")
            % {"plan": plan.name, "period": months_label(plan.months)}
        )[:255],
        amount_minor=amount_minor,
        currency=currency,
        plan=plan,
        offer=sub.offer,
        subscription=sub,
        months=plan.months,
        provider=provider,
        purpose_key=_purpose_key("provider-renewal", provider, reference),
    )
    attempt = PaymentAttempt.objects.create(
        order=order,
        provider=provider,
        amount_minor=amount_minor,
        currency=currency,
        provider_reference=reference,
    )
    return payments.payment_succeeded(
        provider=provider,
        event_id=event_id,
        attempt=attempt,
        payload=payload,
        reference=reference,
        event_kind="renewal",
    ).value


# --- Reader actions ---------------------------------------------------------------


def subscription_set_cancel_at_period_end(
    *, subscription: Subscription, cancel: bool, from_provider: bool = False
) -> Subscription:
    """Cancel at the end of the paid period, or resume before it ends."""
    from lede.payments.providers import UnknownProvider, get_provider
    from lede.payments.providers.base import ProviderError

    now = timezone.now()
    if not from_provider:
        if not subscription.is_live or subscription.is_gift:
            raise SubscriptionError(gettext("Cet abonnement n'est plus actif."))
        if (
            not cancel
            and subscription.current_period_end
            and subscription.current_period_end <= now
        ):
            raise SubscriptionError(gettext("La période payée est terminée : réabonnez-vous."))
        try:
            provider = get_provider(subscription.provider) if subscription.provider else None
        except UnknownProvider:
            provider = None
        if provider is not None:
            try:
                provider.cancel_at_period_end(subscription, cancel)
            except ProviderError as exc:
                raise SubscriptionError(exc.message) from exc
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if sub.cancel_at_period_end != cancel:
            sub.cancel_at_period_end = cancel
            sub.canceled_at = now if cancel else None
            sub.save(update_fields=["cancel_at_period_end", "canceled_at", "updated_at"])
            if cancel:
                emails.send_on_commit(
                    "cancel_confirmed",
                    sub.user.email,
                    {
                        "period_end": sub.current_period_end,
                        "account_url": emails.absolute(reverse("subscriptions:account")),
                    },
                )
    subscription.refresh_from_db()
    return subscription


def subscription_cancel(*, subscription: Subscription) -> Subscription:
    return subscription_set_cancel_at_period_end(subscription=subscription, cancel=True)


def subscription_resume(*, subscription: Subscription) -> Subscription:
    return subscription_set_cancel_at_period_end(subscription=subscription, cancel=False)


@transaction.atomic
def subscription_change_plan(*, subscription: Subscription, plan: Plan) -> Subscription:
    """Switch plans at the next renewal (nothing changes before)."""
    sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if not sub.is_live or sub.is_gift:
        raise SubscriptionError(gettext("Cet abonnement n'est plus actif."))
    if not plan.active:
        raise SubscriptionError(gettext("Cette formule n'est plus disponible."))
    if sub.provider_subscription_id:
        raise SubscriptionError(
            gettext("Pour changer de formule, passez par le portail de paiement Stripe.")
        )
    sub.next_plan = None if plan.pk == sub.plan_id else plan
    sub.save(update_fields=["next_plan", "updated_at"])
    return sub


@transaction.atomic
def subscription_ended_by_provider(*, subscription: Subscription, event_key: str) -> None:
    """The provider stopped renewing (Stripe ``customer.subscription.deleted``):
    the paid period runs to its end, then the subscription is canceled."""
    sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
    now = timezone.now()
    if sub.status in (Subscription.Status.CANCELED, Subscription.Status.EXPIRED):
        return
    sub.cancel_at_period_end = True
    sub.canceled_at = sub.canceled_at or now
    if sub.current_period_end is None or sub.current_period_end <= now:
        sub.status = Subscription.Status.CANCELED
        sub.ended_at = now
    sub.save()


@transaction.atomic
def order_refunded(
    *, order: Order, amount_minor: int, revoke: bool, event_key: str, note: str = ""
) -> None:
    """Record a refund; a full refund also ends what the order gave."""
    from lede.payments.models import Order

    now = timezone.now()
    sub = None
    if order.subscription_id is not None:
        sub = Subscription.objects.select_for_update().get(pk=order.subscription_id)
    _ledger(
        kind=LedgerEntry.Kind.REFUND,
        event_key=event_key,
        subscription=sub,
        order=order,
        amount_minor=-amount_minor,
        currency=order.currency,
        provider=order.provider,
        note=note,
    )
    if not revoke:
        return
    if sub is not None and order.kind in (Order.Kind.SUBSCRIPTION, Order.Kind.RENEWAL):
        sub.status = Subscription.Status.CANCELED
        sub.cancel_at_period_end = True
        sub.ended_at = now
        sub.save()
        _end_grant(sub, now)
        _ledger(
            kind=LedgerEntry.Kind.REVOKE,
            event_key=f"revoke:{event_key}",
            subscription=sub,
            order=order,
            note="remboursement intégral",
        )
    elif order.kind == Order.Kind.GIFT:
        gift = GiftCode.objects.filter(order=order).first()
        if gift is not None and gift.redeemed_at is None:
            gift.expires_at = now
            gift.save(update_fields=["expires_at"])
        elif gift is not None and gift.subscription_id is not None:
            gifted = Subscription.objects.get(pk=gift.subscription_id)
            gifted.status = Subscription.Status.CANCELED
            gifted.ended_at = now
            gifted.save()
            _end_grant(gifted, now)
    elif order.kind == Order.Kind.GROUP and order.organisation_id:
        Organisation.objects.filter(pk=order.organisation_id).update(ends_at=now)
        org = Organisation.objects.get(pk=order.organisation_id)
        org.save()  # let the paywall drop its cache of organisations


@transaction.atomic
def gift_redeem(*, user: Any, code: str) -> Subscription:
    now = timezone.now()
    gift = (
        GiftCode.objects.select_for_update(of=("self",))
        .select_related("plan")
        .filter(code=normalise_gift_code(code))
        .first()
    )
    if gift is None:
        raise SubscriptionError(gettext("Ce code cadeau n'existe pas."))
    if gift.redeemed_at is not None:
        raise SubscriptionError(gettext("Ce code cadeau a déjà été utilisé."))
    if gift.expires_at is not None and gift.expires_at <= now:
        raise SubscriptionError(gettext("Ce code cadeau a expiré."))
    # A gift adds to what the reader already has: it starts when their
    # current access ends.
    current_end = (
        Subscription.objects.filter(
            user=user, status__in=Subscription.LIVE_STATUSES, current_period_end__gt=now
        )
        .order_by("-current_period_end")
        .values_list("current_period_end", flat=True)
        .first()
    )
    start = max(now, current_end) if current_end else now
    sub = Subscription.objects.create(
        user=user,
        plan=gift.plan,
        status=Subscription.Status.ACTIVE,
        is_gift=True,
        cancel_at_period_end=True,
        anchor=start,
        months_paid=gift.months,
        periods_paid=1,
        current_period_start=start,
        current_period_end=add_months(start, gift.months),
        provider="gift",
    )
    _sync_grant(sub)
    gift.redeemed_by = user
    gift.redeemed_at = now
    gift.subscription = sub
    gift.save(update_fields=["redeemed_by", "redeemed_at", "subscription"])
    _ledger(
        kind=LedgerEntry.Kind.GRANT,
        event_key=f"gift:{gift.code}",
        subscription=sub,
        period_start=sub.current_period_start,
        period_end=sub.current_period_end,
        note=f"abonnement cadeau {gift.code}",
    )
    return sub


def normalise_gift_code(raw: str) -> str:
    compact = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    if len(compact) != 12:
        return compact
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}"


# --- Renewals, dunning, expiry (the scheduled task) ---------------------------------


def subscriptions_process_due(*, now: datetime | None = None) -> dict[str, int]:
    """One pass of the renewal scheduler; idempotent (safe to run twice)."""
    from lede.payments.providers import UnknownProvider, get_provider

    now = now or timezone.now()
    counts = {"ended": 0, "renewed": 0, "declined": 0, "reminded": 0, "past_due": 0, "expired": 0}
    live = Subscription.objects.filter(status__in=Subscription.LIVE_STATUSES).select_related(
        "user", "plan", "offer", "next_plan"
    )

    # 1. Cancelled (or gifted) subscriptions whose paid period is over.
    for sub in live.filter(cancel_at_period_end=True, current_period_end__lte=now):
        if _end_subscription(sub.pk, now):
            counts["ended"] += 1

    # 2. Renewals due soon: charge a stored token, else e-mail a renewal link.
    window = now + timedelta(days=reminder_days())
    due = live.filter(cancel_at_period_end=False, is_gift=False, current_period_end__lte=window)
    for sub in due:
        assert sub.current_period_end is not None
        provider = None
        if sub.provider_subscription_id:
            continue  # the provider renews on its own and tells us
        try:
            provider = get_provider(sub.provider) if sub.provider else None
        except UnknownProvider:
            provider = None
        charge_from = sub.current_period_end - timedelta(days=1)
        recently = sub.last_renewal_attempt_at and sub.last_renewal_attempt_at > now - timedelta(
            hours=20
        )
        if (
            provider is not None
            and provider.supports_renewal
            and provider.is_configured()
            and sub.provider_token
            and now >= charge_from
            and not recently
            and _renewal_claim(sub.pk, now)
        ):
            try:
                result = provider.renew(sub)
            except SubscriptionError as exc:
                logger.warning("renewal of subscription %s refused: %s", sub.pk, exc)
                continue
            if result.status == "paid":
                counts["renewed"] += 1
                continue
            if result.status == "declined":
                counts["declined"] += 1
            if result.status != "unsupported":
                continue
        if sub.status == Subscription.Status.PAST_DUE:
            continue  # the dunning e-mails of step 4 take over
        if sub.reminder_sent_for != sub.current_period_end:
            if (
                Subscription.objects.filter(pk=sub.pk)
                .exclude(reminder_sent_for=sub.current_period_end)
                .update(reminder_sent_for=sub.current_period_end)
            ):
                automatic = bool(
                    provider is not None and provider.supports_renewal and sub.provider_token
                )
                _send_reminder(sub, automatic=automatic)
                counts["reminded"] += 1

    # 3. Periods over and not paid: past due, with a grace period.
    for sub in live.filter(
        status__in=[Subscription.Status.ACTIVE, Subscription.Status.TRIALING],
        cancel_at_period_end=False,
        current_period_end__lte=now,
    ):
        if _mark_past_due(sub.pk, now):
            counts["past_due"] += 1

    # 4. Grace over: expired (a second dunning e-mail halfway through).
    for sub in live.filter(status=Subscription.Status.PAST_DUE):
        if sub.grace_until is not None and sub.grace_until <= now:
            if _expire(sub.pk, now):
                counts["expired"] += 1
        elif (
            sub.grace_until is not None
            and sub.dunning_count < 2
            and now >= sub.grace_until - timedelta(days=grace_days()) / 2
        ):
            if Subscription.objects.filter(pk=sub.pk, dunning_count=1).update(dunning_count=2):
                _send_dunning(sub, final=True)
    return counts


def _renewal_claim(pk: int, now: datetime) -> bool:
    """Claim the renewal charge of a subscription in the database: one
    conditional UPDATE, so of two passes at once (two workers, a task run
    again after its worker died) only one charges; none again for 20 hours."""
    return bool(
        Subscription.objects.filter(pk=pk)
        .filter(
            Q(last_renewal_attempt_at__isnull=True)
            | Q(last_renewal_attempt_at__lte=now - timedelta(hours=20))
        )
        .update(last_renewal_attempt_at=now)
    )


def _renewal_context(sub: Subscription) -> dict[str, Any]:
    return {
        "plan": sub.renewal_plan.name,
        "amount": format_amount(sub.renewal_amount_minor(), sub.renewal_plan.currency),
        "period_end": sub.current_period_end,
        "grace_until": sub.grace_until,
        "renew_url": emails.absolute(reverse("subscriptions:renew")),
        "account_url": emails.absolute(reverse("subscriptions:account")),
        "is_trial": sub.status == Subscription.Status.TRIALING,
    }


def _send_reminder(sub: Subscription, *, automatic: bool) -> None:
    context = _renewal_context(sub)
    context["automatic"] = automatic
    emails.send_on_commit("renewal_reminder", sub.user.email, context)


def _send_dunning(sub: Subscription, *, final: bool) -> None:
    context = _renewal_context(sub)
    context["final"] = final
    emails.send_on_commit("payment_overdue", sub.user.email, context)


@transaction.atomic
def _end_subscription(pk: int, now: datetime) -> bool:
    sub = Subscription.objects.select_for_update().get(pk=pk)
    if (
        sub.status not in Subscription.LIVE_STATUSES
        or not sub.cancel_at_period_end
        or sub.current_period_end is None
        or sub.current_period_end > now
    ):
        return False
    sub.status = Subscription.Status.EXPIRED if sub.is_gift else Subscription.Status.CANCELED
    sub.ended_at = now
    sub.save(update_fields=["status", "ended_at", "updated_at"])
    _ledger(
        kind=LedgerEntry.Kind.REVOKE,
        event_key=f"end:{sub.pk}:{sub.current_period_end.isoformat()}",
        subscription=sub,
        period_end=sub.current_period_end,
        note="fin de la période payée (résiliation)",
    )
    emails.send_on_commit(
        "subscription_ended",
        sub.user.email,
        {"offers_url": emails.absolute(reverse("offers")), "gift": sub.is_gift},
    )
    return True


@transaction.atomic
def _mark_past_due(pk: int, now: datetime) -> bool:
    sub = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan", "next_plan")
        .get(pk=pk)
    )
    if (
        sub.status not in (Subscription.Status.ACTIVE, Subscription.Status.TRIALING)
        or sub.cancel_at_period_end
        or sub.current_period_end is None
        or sub.current_period_end > now
    ):
        return False
    sub.status = Subscription.Status.PAST_DUE
    sub.grace_until = sub.current_period_end + timedelta(days=grace_days())
    sub.dunning_count = 1
    sub.save(update_fields=["status", "grace_until", "dunning_count", "updated_at"])
    _send_dunning(sub, final=False)
    return True


@transaction.atomic
def _expire(pk: int, now: datetime) -> bool:
    sub = Subscription.objects.select_for_update().get(pk=pk)
    if sub.status != Subscription.Status.PAST_DUE or (sub.grace_until and sub.grace_until > now):
        return False
    sub.status = Subscription.Status.EXPIRED
    sub.ended_at = now
    sub.save(update_fields=["status", "ended_at", "updated_at"])
    _ledger(
        kind=LedgerEntry.Kind.REVOKE,
        event_key=f"expire:{sub.pk}:{sub.periods_paid}",
        subscription=sub,
        period_end=sub.current_period_end,
        note="impayé après le délai de grâce",
    )
    emails.send_on_commit(
        "subscription_ended",
        sub.user.email,
        {"offers_url": emails.absolute(reverse("offers")), "gift": False, "unpaid": True},
    )
    return True


def pending_orders_forget(*, user: Any) -> None:
    """For account deletion: stop renewing what this reader holds."""
    Subscription.objects.filter(user=user, status__in=Subscription.LIVE_STATUSES).update(
        cancel_at_period_end=True, canceled_at=timezone.now()
    )
