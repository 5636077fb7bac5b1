from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

from lede.core.dates import format_news_datetime


def test_seed_page_format() -> None:
    # 12:03 UTC is 13:03 in Casablanca in July 2016 (UTC+1).
    value = datetime(2016, 7, 26, 12, 3, tzinfo=UTC)
    assert format_news_datetime(value, zoneinfo.ZoneInfo("Africa/Casablanca")) == (
        "26.07.2016 à 13 H 03"
    )


def test_other_time_zone() -> None:
    value = datetime(2026, 1, 2, 23, 30, tzinfo=UTC)
    assert format_news_datetime(value, zoneinfo.ZoneInfo("Europe/Paris")) == "03.01.2026 à 00 H 30"
