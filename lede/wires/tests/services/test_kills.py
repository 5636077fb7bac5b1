"""Kills: canceled or withheld by the agency, taken back wherever the desk used it."""

from __future__ import annotations

from typing import Any

import pytest

from lede.core.testing import factories as f
from lede.editorial.models import ArticlePage
from lede.wires.models import ItemStatus, WireItemRecord
from lede.wires.services import desk, kills
from lede.wires.services.desk import (
    WireActionError,
    wire_create_article,
    wire_ignore,
    wire_publish_dispatch,
)
from lede.wires.services.ingest import wire_ingest_bytes

from ..builders import (
    FakeDispatch,
    ninjs_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wire_media")]


def _make_article(record: WireItemRecord, section: Any, *, publish: bool) -> ArticlePage:
    article, _notes = wire_create_article(record=record, section=section)
    if publish:
        article.save_revision().publish()
        article.refresh_from_db()
    return article


def test_canceled_version_kills_and_unpublishes_the_article() -> None:
    section = f.make_section("Économie")
    wire_ingest_bytes(data=ninjs_bytes(version=1), filename="v1.json")
    record = WireItemRecord.objects.get()
    article = _make_article(record, section, publish=True)
    assert article.live
    outcome = wire_ingest_bytes(data=ninjs_bytes(version=2, pub_status="canceled"), filename="k")
    assert outcome[0].outcome == "updated"
    assert "article dépublié" in outcome[0].reason
    record.refresh_from_db()
    article.refresh_from_db()
    assert record.status == ItemStatus.KILLED and record.is_killed
    assert "canceled" in record.kill_note
    assert not article.live
    with pytest.raises(WireActionError, match="retirée par l'agence"):
        wire_create_article(record=record, section=section)
    with pytest.raises(WireActionError, match="retirée"):
        wire_ignore(record=record)
    # Canceled is final: a later "usable" version does not bring it back.
    wire_ingest_bytes(data=ninjs_bytes(version=3), filename="v3.json")
    record.refresh_from_db()
    assert record.status == ItemStatus.KILLED


def test_first_version_already_canceled_is_stored_killed() -> None:
    outcome = wire_ingest_bytes(data=ninjs_bytes(pub_status="canceled"), filename="k.json")
    assert outcome[0].outcome == "imported"
    assert WireItemRecord.objects.get().status == ItemStatus.KILLED


def test_kill_withdraws_the_dispatch_through_the_live_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The wiring with the live feed, whatever state that app is in (see also
    test_livefeed_integration.py for the real thing)."""
    published: list[dict[str, Any]] = []
    dispatch = FakeDispatch(pk=41)

    def fake_publish(**kwargs: Any) -> FakeDispatch:
        published.append(kwargs)
        return dispatch

    def fake_withdraw(*, dispatch: FakeDispatch, note: str) -> None:
        dispatch.withdrawn_note = note

    monkeypatch.setattr(desk, "dispatch_publish", fake_publish)
    monkeypatch.setattr(kills, "dispatch_withdraw", fake_withdraw)
    monkeypatch.setattr(
        WireItemRecord,
        "get_dispatch",
        lambda self: dispatch if self.dispatch_id == dispatch.pk else None,
    )
    wire_ingest_bytes(data=ninjs_bytes(holder="Reuters"), filename="v1.json")
    record = WireItemRecord.objects.get()
    wire_publish_dispatch(record=record)
    call = published[0]
    assert call["headline"] == record.headline
    assert call["credit"] == "Reuters"
    assert call["source_guid"] == record.guid
    assert call["access_level"] == "public"
    assert call["body"].count("<p>") == 3  # one to three short paragraphs
    assert "<script" not in call["body"]
    record.refresh_from_db()
    assert record.status == ItemStatus.PUBLISHED_DISPATCH and record.dispatch_id == 41
    with pytest.raises(WireActionError, match="déjà publiée"):
        wire_publish_dispatch(record=record)
    outcome = wire_ingest_bytes(data=ninjs_bytes(version=2, pub_status="canceled"), filename="k")
    assert "brève retirée du fil" in outcome[0].reason
    assert "retirée par l'agence" in dispatch.withdrawn_note
    record.refresh_from_db()
    assert record.status == ItemStatus.KILLED
