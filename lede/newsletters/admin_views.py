"""The sending desk (/admin/envois/): filled in by the next commit."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def desk(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


edition_detail = edition_preview = edition_test = edition_send = desk
edition_schedule = edition_progress = delivery_resend = desk
