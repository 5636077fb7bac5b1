"""Is the seller's legal identity on receipts complete?

Moroccan receipts must name the seller: raison sociale, address, ICE,
identifiant fiscal (IF, which is also the VAT identifier in Morocco) and
registre de commerce. ``BillingSettings`` holds them; an operator who leaves
them empty is told twice: by ``manage.py check --deploy`` (a warning) and by
a panel on the admin dashboard.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError
from django.utils.translation import gettext as _

from .invoices import billing_settings

#: The field every receipt needs, in the order the warning lists them.
REQUIRED_FIELDS = ("legal_name", "address", "ice", "tax_id", "trade_register")
#: The model's default raison sociale: a placeholder, not a real company.
PLACEHOLDER_LEGAL_NAME = "Éditions Lede SARL"


def billing_identity_missing() -> list[str]:
    """Labels of the seller's details still missing (empty when complete)."""
    billing = billing_settings()
    missing = []
    for name in REQUIRED_FIELDS:
        value = str(getattr(billing, name, "") or "").strip()
        if not value or (name == "legal_name" and value == PLACEHOLDER_LEGAL_NAME):
            missing.append(str(billing._meta.get_field(name).verbose_name))
    return missing


@checks.register("lede", deploy=True)
def check_billing_identity(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``check --deploy``: warn when the receipts' seller identity is incomplete.

    Reads the database, so it is a deployment check only (never run at import
    or by every command) and says nothing when there is no database or no
    table to read yet.
    """
    try:
        missing = billing_identity_missing()
    except DatabaseError:
        return []
    if not missing:
        return []
    return [
        checks.Warning(
            _("L’identité légale du vendeur est incomplète : %(fields)s.")
            % {"fields": ", ".join(missing)},
            hint=_(
                "Les reçus doivent porter la raison sociale, l’adresse, l’ICE, l’IF et le RC "
                "de l’éditeur : remplissez Paramètres › Facturation dans l’administration."
            ),
            id="lede.W101",
        )
    ]
