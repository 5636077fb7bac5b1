"""Billing periods: calendar months added to an anchor, without drift.

A subscription keeps its *anchor* (the start of its first paid period) and the
number of months paid; each period end is ``add_months(anchor, months_paid)``,
so a subscription started on 31 January renews on 28/29 February, then on 31
March — never sliding to the 28th for ever.
"""

from __future__ import annotations

import calendar
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

LOCAL_TZ = ZoneInfo("Africa/Casablanca")
PERIOD_MONTHS = {"month": 1, "year": 12}


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus ``months`` calendar months, computed on the local wall
    clock (Africa/Casablanca) and clamped to the end of shorter months."""
    local = timezone.localtime(moment, LOCAL_TZ) if timezone.is_aware(moment) else moment
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    shifted = local.replace(year=year, month=month, day=day)
    if timezone.is_aware(moment):
        # Re-attach the zone: the UTC offset may differ on the other date.
        shifted = shifted.replace(tzinfo=LOCAL_TZ)
        return shifted.astimezone(ZoneInfo("UTC"))
    return shifted


def local_year(moment: datetime) -> int:
    return timezone.localtime(moment, LOCAL_TZ).year
