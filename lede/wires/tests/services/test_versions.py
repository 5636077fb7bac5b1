"""Versions: a higher one replaces the record, an equal or lower one is skipped."""

from __future__ import annotations

import pytest

from lede.core.testing import factories as f
from lede.wires.models import IngestLogEntry, ItemStatus, WireItemRecord
from lede.wires.services.desk import (
    wire_create_article,
)
from lede.wires.services.ingest import wire_ingest_bytes

from ..builders import (
    ninjs_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wire_media")]


def test_higher_version_replaces_lower_or_equal_is_skipped() -> None:
    first = wire_ingest_bytes(data=ninjs_bytes(version=1, headline="Titre 1"), filename="v1.json")
    assert first[0].outcome == "imported"
    second = wire_ingest_bytes(data=ninjs_bytes(version=3, headline="Titre 3"), filename="v3.json")
    assert second[0].outcome == "updated"
    assert "remplace la version 1" in second[0].reason
    record = WireItemRecord.objects.get()
    assert (record.version, record.headline, record.previous_versions) == (3, "Titre 3", 1)
    assert record.is_updated and record.updated_at is not None
    for version in (2, 3):
        again = wire_ingest_bytes(
            data=ninjs_bytes(version=version, headline="Ancien"), filename="old.json"
        )
        assert again[0].outcome == "skipped"
        assert again[0].reason.startswith("Version déjà reçue")
    record.refresh_from_db()
    assert record.headline == "Titre 3"
    assert [e.outcome for e in IngestLogEntry.objects.order_by("pk")] == [
        "imported",
        "updated",
        "skipped",
        "skipped",
    ]


def test_body_is_sanitised() -> None:
    wire_ingest_bytes(data=ninjs_bytes(), filename="a.json")
    record = WireItemRecord.objects.get()
    assert "<script" not in record.body_html and "alert" not in record.body_html
    assert "<p>Premier paragraphe de la dépêche.</p>" in record.body_html


def test_withheld_then_usable_goes_back_to_the_desk() -> None:
    wire_ingest_bytes(data=ninjs_bytes(version=1), filename="v1.json")
    wire_ingest_bytes(data=ninjs_bytes(version=2, pub_status="withheld"), filename="v2.json")
    record = WireItemRecord.objects.get()
    assert record.status == ItemStatus.KILLED
    outcome = wire_ingest_bytes(data=ninjs_bytes(version=3), filename="v3.json")
    assert "remise au desk" in outcome[0].reason
    record.refresh_from_db()
    assert record.status == ItemStatus.NEW and record.kill_note == ""


def test_new_version_after_use_is_flagged() -> None:
    section = f.make_section("Culture")
    wire_ingest_bytes(data=ninjs_bytes(version=1), filename="a.json")
    wire_create_article(record=WireItemRecord.objects.get(), section=section)
    outcome = wire_ingest_bytes(data=ninjs_bytes(version=2), filename="b.json")
    assert "à vérifier" in outcome[0].reason
    record = WireItemRecord.objects.get()
    assert record.updated_after_use and record.status == ItemStatus.ARTICLE_CREATED
