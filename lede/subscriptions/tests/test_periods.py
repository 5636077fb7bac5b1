from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from lede.subscriptions.periods import add_months, local_year


def test_month_ends_are_clamped_without_drift() -> None:
    anchor = datetime(2026, 1, 30, 23, 30, tzinfo=UTC)  # 31 January, 00:30 in Casablanca
    ends = [add_months(anchor, n) for n in range(1, 5)]
    local = [e.astimezone(ZoneInfo("Africa/Casablanca")) for e in ends]
    assert [(d.month, d.day) for d in local] == [(2, 28), (3, 31), (4, 30), (5, 31)]
    assert all(d.hour == 0 and d.minute == 30 for d in local)


def test_year_and_leap_days() -> None:
    leap = datetime(2028, 2, 29, 12, tzinfo=UTC)
    assert add_months(leap, 12).date().isoformat() == "2029-02-28"
    assert add_months(leap, 48).date().isoformat() == "2032-02-29"
    assert add_months(datetime(2026, 12, 15, 12, tzinfo=UTC), 1).month == 1


def test_local_year_in_casablanca() -> None:
    # 31 December 23:30 UTC is already 1 January 00:30 in Casablanca (UTC+1).
    assert local_year(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == 2027


def test_naive_moments_add_months_without_zone() -> None:
    assert add_months(datetime(2026, 1, 31, 9), 1) == datetime(2026, 2, 28, 9)


@pytest.mark.parametrize(
    ("zone", "period_end", "year"),
    [
        # 30 January 23:30 UTC is 31 January 00:30 in Casablanca (UTC+1): the
        # period ends on 28 February 00:30 there, during Ramadan (UTC+0).
        ("Africa/Casablanca", datetime(2026, 2, 28, 0, 30, tzinfo=UTC), 2027),
        # In UTC the anchor is still 30 January: 28 February is as close as it gets.
        ("UTC", datetime(2026, 2, 28, 23, 30, tzinfo=UTC), 2026),
    ],
)
def test_billing_period_boundary_follows_time_zone_setting(
    settings: Any, zone: str, period_end: datetime, year: int
) -> None:
    settings.TIME_ZONE = zone
    assert add_months(datetime(2026, 1, 30, 23, 30, tzinfo=UTC), 1) == period_end
    # The receipt series (LQ-<year>) follows the same calendar.
    assert local_year(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == year
