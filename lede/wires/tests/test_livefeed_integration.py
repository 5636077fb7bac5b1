"""The desk and the real live feed: "publier en brève", kills, automatic urgents."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lede.core.testing import factories as f
from lede.wires.models import ItemStatus, WireItemRecord, WireSource
from lede.wires.services.desk import WireActionError, wire_publish_dispatch
from lede.wires.services.ingest import wire_ingest_bytes, wire_ingest_path

from .builders import jpeg_bytes, ninjs_bytes, photo_association, write_ninjs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wire_media")]


def dispatch_of(record: WireItemRecord) -> Any:
    record.refresh_from_db()
    dispatch = record.get_dispatch()
    assert dispatch is not None
    return dispatch


def test_publish_in_one_click_keeps_the_credit(client: Client) -> None:
    section = f.make_section("Maroc")
    source = WireSource.objects.create(
        name="MAP", provider="MAP", kind="upload", default_section=section, default_credit="MAP"
    )
    wire_ingest_bytes(data=ninjs_bytes(holder=""), filename="a.json", source=source)
    record = WireItemRecord.objects.get()
    user = get_user_model().objects.create_superuser("desk@example.com", "pw-desk-2026-x")
    client.force_login(user)
    response = client.post(reverse("wires:publish", args=[record.pk]))
    assert response.status_code == 302
    dispatch = dispatch_of(record)
    assert dispatch.headline == record.headline
    assert dispatch.credit == "MAP"
    assert dispatch.section_id == section.pk
    assert dispatch.source_guid == record.guid
    assert dispatch.created_by_id == user.pk
    assert "<script" not in dispatch.body and dispatch.body.count("<p") <= 3
    assert record.status == ItemStatus.PUBLISHED_DISPATCH
    response = client.post(reverse("wires:publish", args=[record.pk]))
    assert response.status_code == 409  # already published: nothing twice


def test_publish_with_a_local_photo(tmp_path: Path) -> None:
    (tmp_path / "p.jpg").write_bytes(jpeg_bytes())
    write_ninjs(tmp_path, "a.json", associations=[photo_association("p.jpg")])
    wire_ingest_path(path=tmp_path / "a.json")
    record = WireItemRecord.objects.get()
    wire_publish_dispatch(record=record)
    dispatch = dispatch_of(record)
    assert dispatch.photo is not None
    assert dispatch.photo.credit == "Karim Tazi / AFP"


def test_long_wires_fit_the_feed() -> None:
    long_paragraph = "<p>" + " ".join(["mot"] * 1500) + "</p>"
    wire_ingest_bytes(
        data=ninjs_bytes(headline="Titre " * 60, body_html=long_paragraph * 4), filename="l.json"
    )
    record = WireItemRecord.objects.get()
    wire_publish_dispatch(record=record)
    dispatch = dispatch_of(record)
    assert dispatch.headline.endswith("…")


def test_cancel_withdraws_the_dispatch() -> None:
    wire_ingest_bytes(data=ninjs_bytes(version=1), filename="a.json")
    record = WireItemRecord.objects.get()
    wire_publish_dispatch(record=record)
    outcome = wire_ingest_bytes(data=ninjs_bytes(version=2, pub_status="canceled"), filename="k")
    assert "brève retirée du fil" in outcome[0].reason
    dispatch = dispatch_of(record)
    assert dispatch.is_withdrawn
    assert "retirée par l'agence" in dispatch.withdrawn_note
    assert record.status == ItemStatus.KILLED


def test_withheld_then_usable_can_be_published_again() -> None:
    wire_ingest_bytes(data=ninjs_bytes(version=1), filename="a.json")
    record = WireItemRecord.objects.get()
    first = wire_publish_dispatch(record=record)
    wire_ingest_bytes(data=ninjs_bytes(version=2, pub_status="withheld"), filename="b")
    wire_ingest_bytes(data=ninjs_bytes(version=3), filename="c")
    record.refresh_from_db()
    assert record.status == ItemStatus.NEW
    second = wire_publish_dispatch(record=record)
    assert second.pk != first.pk and second.source_guid == f"{record.guid}#v3"


def test_embargo_is_honoured_by_the_feed_too() -> None:
    wire_ingest_bytes(
        data=ninjs_bytes(embargo=timezone.now() + timedelta(hours=1)), filename="e.json"
    )
    with pytest.raises(WireActionError, match="embargo"):
        wire_publish_dispatch(record=WireItemRecord.objects.get())


def test_urgent_items_go_straight_to_the_feed() -> None:
    source = WireSource.objects.create(
        name="AFP urgents", provider="AFP", kind="upload", auto_publish_urgent=True
    )
    outcome = wire_ingest_bytes(data=ninjs_bytes(urgency=1), filename="u.json", source=source)
    assert "publiée automatiquement" in outcome[0].reason
    dispatch = dispatch_of(WireItemRecord.objects.get())
    assert dispatch.credit == "AFP"
