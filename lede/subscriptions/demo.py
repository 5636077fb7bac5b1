"""Demo offers: a monthly and a yearly plan, and the launch offer (60 DH for
the first month, then the monthly plan). Idempotent: looked up by slug,
created when missing, never changed when present."""

from __future__ import annotations

from django.db import transaction

from .checks import PLACEHOLDER_LEGAL_NAME
from .invoices import billing_settings
from .models import Offer, Plan
from .selectors import forget_launch_offer

MONTHLY = {
    "slug": "mensuel",
    "name": "Abonnement mensuel",
    "description": "Tous les articles, le Newsroom en continu et les archives.",
    "price_minor": 7000,
    "period": "month",
    "sort_order": 1,
}
YEARLY = {
    "slug": "annuel",
    "name": "Abonnement annuel",
    "description": "Un an d'accès à tout le journal, soit 50 DH par mois.",
    "price_minor": 60000,
    "period": "year",
    "sort_order": 2,
}


@transaction.atomic
def ensure_demo_offers() -> dict[str, int]:
    """Create what is missing; return how many plans and offers were created."""
    created = {"plans": 0, "offers": 0}
    plans = {}
    for spec in (MONTHLY, YEARLY):
        data = dict(spec)
        slug = data.pop("slug")
        plan, made = Plan.objects.get_or_create(slug=slug, defaults={**data, "currency": "MAD"})
        plans[slug] = plan
        created["plans"] += int(made)
    offers = [
        {
            "slug": "lancement",
            "plan": plans["mensuel"],
            "headline": "L'offre de lancement",
            "description": "Le premier mois à 60 DH, puis l'abonnement mensuel. "
            "Sans engagement : résiliable à tout moment.",
            "intro_price_minor": 6000,
            "intro_periods": 1,
            "featured": True,
            "sort_order": 0,
        },
        {
            "slug": "mensuel",
            "plan": plans["mensuel"],
            "headline": "Mensuel",
            "description": "Sans engagement : résiliable à tout moment.",
            "sort_order": 1,
        },
        {
            "slug": "annuel",
            "plan": plans["annuel"],
            "headline": "Annuel",
            "description": "Le meilleur prix : 600 DH pour un an.",
            "sort_order": 2,
        },
    ]
    for spec in offers:
        data = dict(spec)
        slug = data.pop("slug")
        _offer, made = Offer.objects.get_or_create(slug=slug, defaults=data)
        created["offers"] += int(made)
    if created["offers"]:
        transaction.on_commit(forget_launch_offer)
    return created


@transaction.atomic
def ensure_demo_billing(values: dict[str, str]) -> bool:
    """Fill the seller's identity on receipts where it is empty (or still the
    model's placeholder raison sociale); an operator's values are kept.
    Return whether anything changed."""
    billing = billing_settings()
    if billing.pk is None:
        return False
    changed = False
    for field, value in values.items():
        current = str(getattr(billing, field) or "").strip()
        if not current or (field == "legal_name" and current == PLACEHOLDER_LEGAL_NAME):
            setattr(billing, field, value)
            changed = True
    if changed:
        billing.save()
    return changed
