"""Automatic publication of urgent items, at ingest and when the embargo lifts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from lede.wires.models import ItemStatus, WireItemRecord, WireSource
from lede.wires.services import autopublish, desk
from lede.wires.services.ingest import wire_ingest_bytes

from ..builders import (
    FakeDispatch,
    ninjs_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wire_media")]


def test_urgent_items_from_chosen_sources_are_auto_published(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []

    def fake_publish(**kwargs: Any) -> FakeDispatch:
        calls.append(kwargs)
        return FakeDispatch(pk=len(calls))

    monkeypatch.setattr(desk, "dispatch_publish", fake_publish)
    source = WireSource.objects.create(
        name="MAP", provider="MAP", kind="upload", auto_publish_urgent=True, urgency_threshold=2
    )
    urgent = wire_ingest_bytes(
        data=ninjs_bytes(guid="urn:t:urgent", urgency=1), filename="u.json", source=source
    )
    routine = wire_ingest_bytes(
        data=ninjs_bytes(guid="urn:t:routine", urgency=5), filename="r.json", source=source
    )
    embargoed = wire_ingest_bytes(
        data=ninjs_bytes(
            guid="urn:t:embargo", urgency=1, embargo=timezone.now() + timedelta(hours=1)
        ),
        filename="e.json",
        source=source,
    )
    assert "publiée automatiquement" in urgent[0].reason
    assert "automatique" not in routine[0].reason
    assert "levée de l'embargo" in embargoed[0].reason
    assert [c["source_guid"] for c in calls] == ["urn:t:urgent"]
    assert WireItemRecord.objects.get(guid="urn:t:urgent").status == ItemStatus.PUBLISHED_DISPATCH
    # The poller publishes the embargoed one once the embargo has lifted.
    autopublish.wire_auto_publish_due(now=timezone.now() + timedelta(hours=2))
    assert [c["source_guid"] for c in calls] == ["urn:t:urgent", "urn:t:embargo"]


def test_failed_auto_publication_keeps_the_item(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("feed down")

    monkeypatch.setattr(desk, "dispatch_publish", broken)
    source = WireSource.objects.create(
        name="MAP", provider="MAP", kind="upload", auto_publish_urgent=True, urgency_threshold=2
    )
    outcome = wire_ingest_bytes(data=ninjs_bytes(urgency=1), filename="u.json", source=source)
    assert outcome[0].outcome == "imported"
    assert "publication automatique impossible" in outcome[0].reason
    assert WireItemRecord.objects.get().status == ItemStatus.NEW
