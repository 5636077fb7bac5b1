"""The monthly volume and the usage report."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from lede.paywall.access import month_key
from lede.syndication.reports import usage_csv, usage_pdf
from lede.syndication.selectors import Quota, licence_usage, quota_for, seconds_to_next_month
from lede.syndication.services import api_call_record, delivery_record

from .builders import make_key, make_licence

pytestmark = pytest.mark.django_db


def test_volume_counts_distinct_articles_per_month() -> None:
    licence = make_licence(monthly_volume=2)
    now = timezone.now()
    assert quota_for(licence, 1, now) is Quota.AVAILABLE
    assert delivery_record(licence=licence, item_id=1, now=now)
    assert not delivery_record(licence=licence, item_id=1, now=now)  # a repeat is free
    assert quota_for(licence, 1, now) is Quota.DELIVERED
    assert delivery_record(licence=licence, item_id=2, now=now)
    assert quota_for(licence, 3, now) is Quota.EXHAUSTED
    assert quota_for(licence, 2, now) is Quota.DELIVERED


def test_seconds_to_next_month_is_positive() -> None:
    assert 0 < seconds_to_next_month(timezone.now()) <= 31 * 24 * 3600


def test_usage_report_sums_calls_per_key() -> None:
    licence = make_licence(monthly_volume=10)
    key, _text = make_key(licence, name="Intranet")
    other, _other = make_key(licence, name="Outil de veille")
    now = timezone.now()
    api_call_record(key=key, endpoint="/api/v1/articles", status=200, items=20, now=now)
    api_call_record(
        key=key, endpoint="/api/v1/articles/1", status=200, items=1, full_items=1, now=now
    )
    api_call_record(
        key=other, endpoint="/api/v1/articles/2", status=200, items=1, full_items=1, now=now
    )
    delivery_record(licence=licence, item_id=1, now=now)
    delivery_record(licence=licence, item_id=2, now=now)
    usage = licence_usage(licence, month_key(now))
    assert usage.calls == 3 and usage.items == 22 and usage.distinct_full == 2
    rows = list(csv.reader(io.StringIO(usage_csv(usage))))
    assert rows[0][0] == "mois"
    by_key = {row[3]: row for row in rows[1:]}
    assert by_key["Intranet"][5:8] == ["2", "21", "1"]
    assert by_key["Outil de veille"][5:8] == ["1", "1", "1"]
    assert by_key["TOTAL"][5] == "3"
    assert by_key["articles distincts en texte intégral"][7] == "2"


def test_usage_report_pdf_is_a_pdf() -> None:
    licence = make_licence()
    pdf = usage_pdf(licence_usage(licence, month_key(timezone.now())))
    assert pdf.startswith(b"%PDF")
