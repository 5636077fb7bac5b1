"""Group licences: ``seats`` readers of an organisation (recognised by their
verified company address or their network), bought as one order; paying it
creates or extends a paywall :class:`~lede.paywall.models.Organisation`."""

from __future__ import annotations

import secrets
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from lede.core.money import months_label
from lede.payments.models import Order
from lede.paywall.models import Organisation

from ..models import LedgerEntry, Plan
from ..periods import add_months
from .errors import SubscriptionError
from .ledger import ledger_append
from .orders import order_get_or_create, purpose_key

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


def _group_domains(user: Any, raw: str) -> list[str]:
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
                gettext("Domaine refusé : %(domain)s (adresse d’entreprise requise).")
                % {"domain": domain}
            )
        if domain not in verified:
            raise SubscriptionError(
                gettext(
                    "Pour le domaine %(domain)s, ajoutez et vérifiez d’abord une adresse "
                    "e-mail de ce domaine dans votre compte."
                )
                % {"domain": domain}
            )
    return domains


@transaction.atomic
def group_checkout(
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
    if not plan.active:
        raise SubscriptionError(gettext("Cette formule n’est plus disponible."))
    if not 2 <= seats <= GROUP_MAX_SEATS:
        raise SubscriptionError(
            gettext("Une licence de groupe compte de 2 à %(max)d postes.")
            % {"max": GROUP_MAX_SEATS}
        )
    name = " ".join(organisation_name.split())[:200]
    if not name:
        raise SubscriptionError(gettext("Indiquez le nom de l’organisation."))
    domains = _group_domains(user, email_domains)
    if not domains:
        raise SubscriptionError(gettext("Indiquez au moins un domaine e-mail."))
    order, _created = order_get_or_create(
        user=user,
        purpose_key=purpose_key(
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


def group_fulfil(*, order: Order) -> Organisation:
    """Open (or extend) the organisation's licence a paid group order bought."""
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
    ledger_append(
        kind=LedgerEntry.Kind.GRANT,
        event_key=f"group:{order.uuid}",
        order=order,
        period_start=org.starts_at,
        period_end=org.ends_at,
        note=f"licence de groupe {org.name} ({org.seats} postes)",
    )
    return org
