"""Shared reads of the subscriptions domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext

from lede.core.caching import keys
from lede.core.money import NBSP
from lede.core.translated import localized
from lede.payments.models import Order
from lede.payments.seller import StoredMethod
from lede.paywall import access
from lede.paywall.models import AccessGrant, Organisation

from .models import GiftCode, Invoice, Offer, Plan, Subscription

LAUNCH_OFFER_CACHE_KEY = keys.LAUNCH_OFFER_KEY


def current_offers(now: datetime | None = None) -> list[Offer]:
    """Offers on sale now: the featured (launch) offer first, then by order."""
    return list(
        Offer.objects.current(now)
        .select_related("plan")
        .order_by("-featured", "sort_order", "plan__price_minor", "pk")
    )


def offer_by_slug(slug: str, now: datetime | None = None) -> Offer | None:
    return Offer.objects.current(now).select_related("plan").filter(slug=slug).first()


def current_launch_offer() -> dict[str, str]:
    """The paywall box's offer (the paywall's offer source, registered in
    apps.py): ``{"price": "60 DH", "period": "1 mois", "headline": …}``. The
    featured current offer when there is one, else the settings' defaults.
    Cached for a minute (the paywall's variant cache holds it longer)."""
    # Per edition: the price, period and headline are in its words.
    key = keys.launch_offer_key(get_language() or settings.LANGUAGE_CODE)
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    offer = next((o for o in current_offers() if o.featured), None)
    if offer is None:
        value = {
            "price": str(settings.LEDE_LAUNCH_OFFER_PRICE),
            "period": str(settings.LEDE_LAUNCH_OFFER_PERIOD),
            "headline": "",
            "slug": "",
        }
    else:
        value = {
            "price": offer.first_amount_display,
            "period": offer.first_period_display,
            "headline": localized(offer, "headline"),
            "slug": offer.slug,
        }
    cache.set(key, value, timeout=keys.LAUNCH_OFFER_SECONDS)
    return value


def forget_launch_offer() -> None:
    cache.delete_many(keys.in_every_language(keys.launch_offer_key))


def active_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(active=True).order_by("sort_order", "price_minor")


def live_subscription(user: Any) -> Subscription | None:
    """The reader's paid subscription that is still running (not a gift)."""
    return (
        Subscription.objects.filter(user=user, status__in=Subscription.LIVE_STATUSES, is_gift=False)
        .select_related("plan", "offer", "next_plan")
        .order_by("-created_at")
        .first()
    )


def reader_subscription(user: Any) -> Subscription | None:
    """The subscription "Mon abonnement" is about: the live paid one, else
    the most recent one that ever started."""
    base = (
        Subscription.objects.filter(user=user, is_gift=False)
        .select_related("plan", "offer", "next_plan")
        .exclude(status=Subscription.Status.PENDING)
    )
    live = base.filter(status__in=Subscription.LIVE_STATUSES).order_by("-created_at").first()
    return live or base.order_by("-created_at").first()


def reader_gift_subscriptions(user: Any) -> list[Subscription]:
    return list(
        Subscription.objects.filter(
            user=user, is_gift=True, status__in=Subscription.LIVE_STATUSES
        ).select_related("plan")
    )


def reader_orders(user: Any) -> QuerySet[Order]:
    return (
        Order.objects.filter(user=user)
        .exclude(status__in=[Order.Status.PENDING, Order.Status.CANCELED])
        .select_related("invoice")
        .order_by("-paid_at", "-created_at")
    )


def reader_invoice(user: Any, number: str) -> Invoice | None:
    return Invoice.objects.filter(user=user, number=number).first()


def gifts_bought(user: Any) -> QuerySet[GiftCode]:
    return GiftCode.objects.filter(buyer=user).select_related("redeemed_by")


def gifts_redeemed(user: Any) -> QuerySet[GiftCode]:
    return GiftCode.objects.filter(redeemed_by=user).select_related("subscription")


def provider_customer_id(*, user: Any, provider: str) -> str:
    """The reader's customer id at ``provider``, if a subscription has one."""
    value = (
        Subscription.objects.filter(user=user, provider=provider)
        .exclude(provider_customer_id="")
        .order_by("-created_at")
        .values_list("provider_customer_id", flat=True)
        .first()
    )
    return value or ""


def stored_method(subscription: Subscription) -> StoredMethod:
    """What the subscription's provider stored to charge it again, in
    payments' terms."""
    return StoredMethod(
        customer_id=subscription.provider_customer_id,
        token=subscription.provider_token,
        provider_subscription_id=subscription.provider_subscription_id,
        owner=str(subscription.pk),
    )


def user_has_invoices(user: Any) -> bool:
    """Retention check: receipts must be kept by law."""
    return Invoice.objects.filter(user_id=user.pk).exists()


def price_text(text: str) -> str:
    """For tests and plain-text contexts: no-break spaces as plain spaces."""
    return text.replace(NBSP, " ").replace("\u202f", " ")


# --- Every access a reader has ("Mon abonnement") ------------------------------


@dataclass(frozen=True)
class ReaderAccess:
    """One access of a reader, as "Mon abonnement" lists it."""

    #: ``offer`` (a paid subscription), ``gift``, ``complimentary`` or ``organisation``.
    source: str
    label: str
    starts_at: datetime | None
    ends_at: datetime | None
    #: When it renews (a paid subscription that is not cancelled), else None.
    renews_at: datetime | None
    active: bool
    #: Section names it is limited to; empty: every section.
    sections: tuple[str, ...] = ()
    #: How a group licence recognises the reader: ``email`` or ``network``.
    via: str = ""


#: How many ended accesses "Mon abonnement" still shows.
ENDED_SHOWN = 5


def reader_accesses(
    *, user: Any, reader: access.Reader, now: datetime | None = None
) -> list[ReaderAccess]:
    """Every access ``user`` has or had: their personal grants (paid
    subscriptions, gifts, complimentary access, with their end or renewal
    date) and the group licences that cover them now — ``reader`` is the
    reader the paywall decision sees (``lede.paywall.selectors
    .reader_for_request``), so the list says exactly what the decision uses.
    Active first (soonest end last), then the most recently ended."""
    now = now or timezone.now()
    result: list[ReaderAccess] = []
    grants = list(
        AccessGrant.objects.filter(user_id=user.pk)
        .prefetch_related("sections")
        .order_by("-ends_at", "-pk")
    )
    sub_ids = [
        int(g.source.split(":", 1)[1])
        for g in grants
        if g.source.startswith("subscription:") and g.source.split(":", 1)[1].isdigit()
    ]
    subs = {
        s.pk: s
        for s in Subscription.objects.filter(pk__in=sub_ids, user_id=user.pk).select_related(
            "plan", "offer"
        )
    }
    for grant in grants:
        active = grant.starts_at <= now and (grant.ends_at is None or now < grant.ends_at)
        sections = tuple(s.title for s in grant.sections.all())
        sub = None
        if grant.source.startswith("subscription:"):
            key = grant.source.split(":", 1)[1]
            sub = subs.get(int(key)) if key.isdigit() else None
        if sub is not None:
            source = "gift" if sub.is_gift else "offer"
            label = sub.plan.name
            headline = sub.offer.headline if sub.offer is not None and not sub.is_gift else ""
            if headline and headline.casefold() not in label.casefold():
                label = f"{label} — {headline}"
            renews_at = sub.current_period_end if sub.renews and active else None
        elif grant.kind == AccessGrant.Kind.SUBSCRIPTION:
            source, label, renews_at = "offer", grant.note or gettext("Abonnement"), None
        else:
            source, label, renews_at = "complimentary", gettext("Accès offert"), None
        result.append(
            ReaderAccess(
                source=source,
                label=label,
                starts_at=grant.starts_at,
                ends_at=grant.ends_at,
                renews_at=renews_at,
                active=active,
                sections=sections,
            )
        )
    groups = {
        e.organisation_id: e
        for e in reader.entitlements
        if e.kind is access.EntitlementKind.GROUP
        and e.organisation_id is not None
        and e.is_active(now)
    }
    if groups:
        domain = str(getattr(user, "email", "") or "").rsplit("@", 1)[-1].lower()
        orgs = Organisation.objects.filter(pk__in=groups).prefetch_related("sections")
        for org in orgs.order_by("name"):
            result.append(
                ReaderAccess(
                    source="organisation",
                    label=org.name,
                    starts_at=org.starts_at,
                    ends_at=org.ends_at,
                    renews_at=None,
                    active=True,
                    sections=tuple(s.title for s in org.sections.all()),
                    via="email" if domain and domain in org.domains() else "network",
                )
            )
    active_ones = sorted(
        (a for a in result if a.active),
        key=lambda a: (a.ends_at is None, a.ends_at or now),
        reverse=True,
    )
    ended = [a for a in result if not a.active][:ENDED_SHOWN]
    return active_ones + ended
