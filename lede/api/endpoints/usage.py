"""A licensee's own usage (key with the ``usage`` scope)."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from lede.paywall.access import month_key
from lede.syndication.selectors import licence_usage

from ..calls import log_call
from ..clients import client_for
from ..errors import COMMON_ERRORS, ApiError, bad_parameter
from ..schemas import UsageOut

router = Router(tags=["Licence"])
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@router.get(
    "/usage",
    response={200: UsageOut, **COMMON_ERRORS},
    summary="Consommation de ma licence",
    description=(
        "Pour la licence de la clé : appels, éléments servis et articles distincts livrés "
        "en texte intégral dans le mois (AAAA-MM, par défaut le mois en cours)."
    ),
)
def usage(
    request: HttpRequest,
    month: str | None = Query(None, description="Mois AAAA-MM."),
) -> Any:
    now = timezone.now()
    client = client_for(request, now, scope="usage")
    if client.key is None:
        raise ApiError(401, "key_required", _("Une clé d’API est nécessaire."))
    if client.licence is None:
        raise ApiError(403, "no_licence", _("Cette clé n’est rattachée à aucune licence."))
    wanted = month or month_key(now)
    if not _MONTH.match(wanted):
        raise bad_parameter(_("Le paramètre « month » doit être un mois AAAA-MM."))
    report = licence_usage(client.licence, wanted)
    log_call(request, client, 200, items=1)
    return {
        "licence": client.licence.name,
        "organisation": client.licence.organisation.name,
        "month": wanted,
        "monthly_volume": client.licence.monthly_volume,
        "distinct_full_articles": report.distinct_full,
        "calls": report.calls,
        "items": report.items,
        "keys": [
            {
                "name": row.key_name,
                "prefix": row.key_prefix,
                "calls": row.calls,
                "items": row.items,
                "full_items": row.full_items,
            }
            for row in report.rows
        ],
    }
