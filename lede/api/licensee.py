"""A licensee's own usage page: HTML in French, by month, with each month's
CSV. Authenticated by the licence's API key (``Authorization`` or
``X-Api-Key``, with the ``usage`` scope: scripts) or by a signed link
(``?jeton=``, made in the licence's admin page: people). Either names one
licence; nothing of another licence, and no person, is ever on the page."""

from __future__ import annotations

import re
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from lede.syndication.models import Licence
from lede.syndication.reports import usage_csv
from lede.syndication.selectors import (
    KeyError_,
    client_for_key,
    key_for,
    licence_for_usage_token,
    licence_usage,
    recent_months,
)

from .clients import presented_key
from .errors import ApiError

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _refused(status: int, message: str) -> HttpResponse:
    response = HttpResponse(
        format_html(
            '<!doctype html><html lang="fr"><meta charset="utf-8">'
            "<title>{}</title><p>{}</p></html>",
            message,
            message,
        ),
        status=status,
        content_type="text/html; charset=utf-8",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _licence(request: HttpRequest, now: datetime) -> Licence | HttpResponse:
    """The licence the request may see, or the French refusal."""
    token = request.GET.get("jeton", "")
    if token:
        licence = licence_for_usage_token(token)
        if licence is None:
            return _refused(403, _("Ce lien n’est pas valable ou a expiré."))
        return licence
    try:
        presented = presented_key(request)
    except ApiError as exc:
        return _refused(exc.status, exc.message)
    if presented is None:
        return _refused(401, _("Une clé d’API ou un lien signé est nécessaire."))
    try:
        key = key_for(presented, now)
    except KeyError_:
        return _refused(401, _("Clé d’API refusée (inconnue, révoquée ou expirée)."))
    client = client_for_key(key, now)
    if "usage" not in client.scopes:
        return _refused(403, _("Cette clé n’a pas le droit de consulter la consommation."))
    if client.licence is None:
        return _refused(403, _("Cette clé n’est rattachée à aucune licence."))
    return client.licence


@require_safe
def usage_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    found = _licence(request, now)
    if isinstance(found, HttpResponse):
        return found
    months = [licence_usage(found, month) for month in recent_months(now)]
    response = render(
        request,
        "api/licensee_usage.html",
        {"licence": found, "months": months, "jeton": request.GET.get("jeton", "")},
    )
    response["Cache-Control"] = "private, no-store"
    response["Vary"] = "Authorization, X-Api-Key"
    return response


@require_safe
def usage_month_csv(request: HttpRequest, month: str) -> HttpResponse:
    now = timezone.now()
    if not _MONTH.match(month):
        return _refused(400, _("Le mois doit s’écrire AAAA-MM."))
    found = _licence(request, now)
    if isinstance(found, HttpResponse):
        return found
    response = HttpResponse(
        usage_csv(licence_usage(found, month)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="consommation-{month}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
