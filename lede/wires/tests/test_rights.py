"""Rights read from real agency files (the IPTC and agency samples) and from the
usual phrasings of usage terms; stored at ingest with each version; the
desk's per-source defaults fill what an item does not say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from lede.wires import rights
from lede.wires.models import PhotoRestriction, SourceKind, WireItemRecord, WireSource
from lede.wires.parsers import parse_file
from lede.wires.services.ingest import wire_ingest_bytes

SAMPLES = Path(__file__).resolve().parent / "samples"


def test_newsml_g2_rights_info_is_read() -> None:
    item = parse_file(SAMPLES / "newsml-g2" / "LISTING_1_A_NewsML-G2_News_Item.xml").items[0]
    assert item.copyright_holder == "Example Enews LLP"
    assert item.copyright.startswith("Copyright 2017-18 Example Enews LLP")
    assert item.usage_terms == "Not for use outside the United States"
    # A territorial restriction: it may not be resold here.
    assert rights.read_terms(item.usage_terms).not_for_syndication is True


def test_newsml_g2_photo_terms_are_kept_as_text() -> None:
    item = parse_file(SAMPLES / "newsml-g2" / "LISTING_3_Photo_in_NewsML-G2.xml").items[0]
    assert item.copyright_holder == "Getty Images North America"
    assert "Full editorial rights UK" in item.usage_terms
    terms = rights.read_terms(item.usage_terms, is_picture=True)
    assert terms == rights.Terms()  # nothing recognised: carried as text only


def test_ninjs_usage_terms_and_linked_rights_are_read() -> None:
    image = parse_file(SAMPLES / "ninjs" / "ap_image.json").items[0]
    assert image.usage_terms.startswith("This content is intended for editorial use only")
    assert image.item_class == "picture"
    terms = rights.read_terms(image.usage_terms, is_picture=True)
    assert terms.photo_restriction == PhotoRestriction.EDITORIAL
    linked = parse_file(SAMPLES / "ninjs" / "imageLinkedRights.json").items[0]
    assert linked.rights_link == "http://example.agency.com/rights/editorialUseOnly"
    dpa = parse_file(SAMPLES / "ninjs" / "dpa_text.json").items[0]
    assert dpa.copyright.startswith("Copyright 2019, dpa")


@pytest.mark.parametrize(
    ("text", "nfs", "days", "photo"),
    [
        ("NOT FOR SYNDICATION", True, None, ""),
        ("Ne pas revendre. Pas d'archivage au-delà de 30 jours.", True, 30, ""),
        ("No archiving after 7 days.", None, 7, ""),
        ("Do not archive.", None, rights.NO_ARCHIVE_DAYS, ""),
        ("Photos not for resale.", None, None, PhotoRestriction.NO_RESALE),
        ("Photos non revendables ; texte libre de droits.", None, None, "no_resale"),
        ("Diffusion libre pour les abonnés du fil.", None, None, ""),
        ("", None, None, ""),
    ],
)
def test_usual_phrasings(text: str, nfs: bool | None, days: int | None, photo: str) -> None:
    assert rights.read_terms(text) == rights.Terms(nfs, days, photo)


G2_ITEM = b"""<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:test:rights:1" version="1"
  standard="NewsML-G2" standardversion="2.25" xml:lang="fr">
  <rightsInfo>
    <copyrightHolder><name>Agence Exemple</name></copyrightHolder>
    <copyrightNotice>(c) Agence Exemple 2026</copyrightNotice>
    <usageTerms>Not for syndication. No archiving after 10 days.</usageTerms>
  </rightsInfo>
  <itemMeta>
    <itemClass qcode="ninat:text"/>
    <provider literal="Agence Exemple"/>
    <versionCreated>2026-12-01T08:00:00Z</versionCreated>
    <firstCreated>2026-12-01T08:00:00Z</firstCreated>
    <pubStatus qcode="stat:usable"/>
  </itemMeta>
  <contentMeta><headline>Un titre de test</headline></contentMeta>
  <contentSet><inlineXML contenttype="application/xhtml+xml">
    <html xmlns="http://www.w3.org/1999/xhtml"><body><p>Un texte.</p></body></html>
  </inlineXML></contentSet>
</newsItem>
"""


@pytest.mark.django_db
def test_ingest_stores_the_items_rights() -> None:
    source = WireSource.objects.create(name="Test", provider="Exemple", kind=SourceKind.UPLOAD)
    wire_ingest_bytes(data=G2_ITEM, filename="item.xml", source=source)
    record = WireItemRecord.objects.get(guid="urn:test:rights:1")
    assert record.copyright_holder == "Agence Exemple"
    assert record.usage_terms == "Not for syndication. No archiving after 10 days."
    assert record.not_for_syndication is True
    assert record.archive_days == 10
    assert record.rights_expires_at == datetime(2026, 12, 11, 8, 0, tzinfo=UTC)
    effective = rights.effective(record)
    assert effective.not_for_syndication and effective.copyright_holder == "Agence Exemple"


@pytest.mark.django_db
def test_source_defaults_fill_what_the_item_does_not_say() -> None:
    now = timezone.now()
    source = WireSource.objects.create(
        name="Défauts",
        provider="MAP",
        kind=SourceKind.UPLOAD,
        rights_embargo_until=now + timedelta(hours=1),
        rights_not_for_syndication=True,
        rights_archive_days=3,
        rights_photo_restriction=PhotoRestriction.NO_RESALE,
        rights_usage_terms="Réservé à la presse marocaine.",
    )
    record = WireItemRecord.objects.create(
        guid="urn:test:defaults",
        format="ninjs",
        source=source,
        provider="MAP",
        first_created=now - timedelta(days=1),
    )
    effective = rights.effective(record)
    assert effective.embargo_until == source.rights_embargo_until
    assert effective.not_for_syndication
    assert effective.expires_at == now - timedelta(days=1) + timedelta(days=3)
    assert effective.photos_withheld
    assert effective.usage_terms == "Réservé à la presse marocaine."
    assert effective.withheld(now)
    assert rights.withheld(now).filter(pk=record.pk).exists()
    record.not_for_syndication = False
    record.save()
    source.rights_embargo_until = None
    source.save()
    assert not rights.withheld(now).filter(pk=record.pk).exists()
    assert rights.withheld(now + timedelta(days=3)).filter(pk=record.pk).exists()
