"""Billing periods: calendar months added to an anchor, without drift.

A subscription keeps its *anchor* (the start of its first paid period) and the
number of months paid; each period end is ``add_months(anchor, months_paid)``,
so a subscription started on 31 January renews on 28/29 February, then on 31
March — never sliding to the 28th for ever.

Months are counted on the publication's wall clock
(:func:`lede.core.dates.publication_zone`, i.e. ``settings.TIME_ZONE``), the
same zone as the paywall meter and every date the reader is shown.
"""

from __future__ import annotations

from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from lede.core.dates import publication_zone

PERIOD_MONTHS = {"month": 1, "year": 12}


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus ``months`` calendar months on the publication's wall
    clock, clamped to the end of shorter months (relativedelta does both)."""
    if timezone.is_naive(moment):
        return moment + relativedelta(months=months)
    # Aware arithmetic with one tzinfo is wall-clock arithmetic; the UTC
    # offset is worked out again on the new date (it may differ).
    shifted = timezone.localtime(moment, publication_zone()) + relativedelta(months=months)
    return shifted.astimezone(UTC)


def local_year(moment: datetime) -> int:
    """The year of ``moment`` on the publication's calendar (receipt series)."""
    return timezone.localtime(moment, publication_zone()).year
