"""The demo's own French sample wires (lede/wires/demo_samples/)."""

from __future__ import annotations

import json

import pytest

from lede.wires.demo import SAMPLES_DIR, ensure_demo_wires
from lede.wires.models import IngestLogEntry, WireItemRecord
from lede.wires.ninjs_output import ninjs_errors

NINJS_SAMPLES = sorted((SAMPLES_DIR / "ninjs").glob("*.json"))
G2_SAMPLES = sorted((SAMPLES_DIR / "newsml-g2").glob("*.xml"))
AGENCIES = {"Zénith Dépêches", "Dépêches du Maghreb"}


def test_there_are_samples_in_both_formats() -> None:
    assert len(NINJS_SAMPLES) >= 3 and len(G2_SAMPLES) >= 3


@pytest.mark.parametrize("path", NINJS_SAMPLES, ids=lambda p: p.name)
def test_ninjs_samples_are_valid_ninjs_3_1(path: object) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    assert data["standard"]["version"] == "3.1"
    assert list(ninjs_errors(data, version="3.1")) == []


@pytest.mark.django_db
def test_the_french_samples_ingest_once() -> None:
    outcomes = ensure_demo_wires()
    assert [o for o in outcomes if o.outcome == "rejected"] == []
    records = WireItemRecord.objects.all()
    assert records.count() == len(NINJS_SAMPLES) + len(G2_SAMPLES)
    assert {r.format for r in records} == {"ninjs", "newsml-g2"}
    for record in records:
        assert record.language == "fr", record.guid
        assert record.provider in AGENCIES, record.provider
        assert record.headline and "<p>" in record.body_html, record.guid
        assert "agence fictive" in record.copyright, record.guid
    urgent = records.filter(urgency__lte=2)
    assert urgent.count() == 2
    log_lines = IngestLogEntry.objects.count()
    assert ensure_demo_wires() == []
    assert IngestLogEntry.objects.count() == log_lines
