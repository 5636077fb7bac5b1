"""The meter's month follows the publication's one time zone (settings.TIME_ZONE)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from lede.paywall.access import month_key

# 23:30 UTC on 31 January: still January in UTC, already February in
# Casablanca (UTC+1), still January in New York.
LATE_JANUARY = datetime(2024, 1, 31, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Africa/Casablanca", "2024-02"),
        ("UTC", "2024-01"),
        ("America/New_York", "2024-01"),
        ("Asia/Tokyo", "2024-02"),
    ],
)
def test_meter_month_boundary_follows_time_zone_setting(
    settings: Any, zone: str, expected: str
) -> None:
    settings.TIME_ZONE = zone
    assert month_key(LATE_JANUARY) == expected


def test_default_zone_is_casablanca() -> None:
    assert month_key(LATE_JANUARY) == "2024-02"
