"""Desk actions: embargoes, drafts pre-filled from the wire, ignore and restore."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from lede.core.testing import factories as f
from lede.editorial.models import ArticlePage
from lede.wires.models import ItemStatus, WireItemRecord, WireSource
from lede.wires.services.desk import (
    WireActionError,
    wire_create_article,
    wire_ignore,
    wire_publish_dispatch,
    wire_restore,
)
from lede.wires.services.ingest import wire_ingest_bytes, wire_ingest_path

from ..builders import (
    jpeg_bytes,
    ninjs_bytes,
    photo_association,
    write_ninjs,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wire_media")]


def test_embargo_blocks_publish_and_article_until_the_time() -> None:
    section = f.make_section("Monde")
    until = timezone.now() + timedelta(hours=2)
    wire_ingest_bytes(data=ninjs_bytes(embargo=until), filename="e.json")
    record = WireItemRecord.objects.get()
    assert record.is_embargoed()
    with pytest.raises(WireActionError, match="sous embargo jusqu'au"):
        wire_create_article(record=record, section=section)
    with pytest.raises(WireActionError, match="sous embargo"):
        wire_publish_dispatch(record=record)
    assert not ArticlePage.objects.exists()
    later = until + timedelta(minutes=1)
    article, _notes = wire_create_article(record=record, section=section, now=later)
    assert not article.live


def test_create_article_is_a_prefilled_draft(tmp_path: Path) -> None:
    section = f.make_section("Économie")
    source = WireSource.objects.create(
        name="AFP",
        provider="AFP",
        kind="folder",
        folder_path=str(tmp_path),
        default_section=section,
    )
    (tmp_path / "photo.jpg").write_bytes(jpeg_bytes())
    write_ninjs(tmp_path, "a.json", associations=[photo_association("photo.jpg")])
    wire_ingest_path(path=tmp_path / "a.json", source=source)
    record = WireItemRecord.objects.get()
    assert record.photos[0]["stored"].startswith("wires/photos/")
    article, notes = wire_create_article(record=record)
    assert notes == []
    article = ArticlePage.objects.get(pk=article.pk)
    assert not article.live and article.get_parent().pk == section.pk
    assert article.title == "Le port de Tanger-Med bat un record"
    assert article.standfirst.startswith("Le trafic de conteneurs")
    assert article.agency_credit == "AFP"
    assert article.copyright_line == "© AFP 2026. Tous droits réservés."
    kinds = [block.block_type for block in article.body]
    assert kinds == ["paragraph", "subheading", "paragraph", "quote", "paragraph"]
    assert "Premier paragraphe" in str(article.body[0].value)
    assert "<script" not in str(article.body.raw_data)
    assert article.lead_image is not None
    assert article.lead_image.caption == "Des grues sur le quai du port."
    assert article.lead_image.credit == "Karim Tazi / AFP"
    assert article.latest_revision is not None
    record.refresh_from_db()
    assert record.status == ItemStatus.ARTICLE_CREATED and record.article_id == article.pk
    with pytest.raises(WireActionError, match="existe déjà"):
        wire_create_article(record=record)


def test_create_article_needs_a_section() -> None:
    wire_ingest_bytes(data=ninjs_bytes(), filename="a.json")
    with pytest.raises(WireActionError, match="rubrique"):
        wire_create_article(record=WireItemRecord.objects.get())


def test_remote_photo_is_noted_not_fetched() -> None:
    section = f.make_section("Sport")
    data = ninjs_bytes(associations=[photo_association("https://photos.example.invalid/a.jpg")])
    wire_ingest_bytes(data=data, filename="a.json")
    article, notes = wire_create_article(record=WireItemRecord.objects.get(), section=section)
    assert article.lead_image is None
    assert "https://photos.example.invalid/a.jpg" in notes[0]


def test_ignore_and_restore() -> None:
    wire_ingest_bytes(data=ninjs_bytes(), filename="a.json")
    record = wire_ignore(record=WireItemRecord.objects.get())
    assert record.status == ItemStatus.IGNORED
    record = wire_restore(record=record)
    assert record.status == ItemStatus.NEW
    with pytest.raises(WireActionError):
        wire_restore(record=record)
