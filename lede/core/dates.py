"""Dates the way the paper prints them: ``26.07.2016 à 13 H 03``."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _


def local(value: datetime, tz: zoneinfo.ZoneInfo | None = None) -> datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return timezone.localtime(value, tz or zoneinfo.ZoneInfo("Africa/Casablanca"))


def format_news_datetime(value: datetime, tz: zoneinfo.ZoneInfo | None = None) -> str:
    v = local(value, tz)
    # Translators: date and time of an article, e.g. "26.07.2016 à 13 H 03"
    return _("%(date)s à %(hour)s H %(minute)s") % {
        "date": v.strftime("%d.%m.%Y"),
        "hour": v.strftime("%H"),
        "minute": v.strftime("%M"),
    }
