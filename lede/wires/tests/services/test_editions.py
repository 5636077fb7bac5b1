"""Wires in Arabic: the item's language is stored, and the desk routes the item
to the Arabic edition (the section's translation in the item's locale), or
says clearly why it could not.

The Arabic sample files in ``tests/arabic/`` are written for these tests
(a fictional agency, original sentences)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from wagtail.models import Locale

from lede.core.testing import factories as f
from lede.editorial.models import SectionPage
from lede.livefeed.models import Dispatch
from lede.wires.models import WireItemRecord, WireSource
from lede.wires.services.desk import wire_create_article, wire_publish_dispatch
from lede.wires.services.editions import item_locale, section_for_language
from lede.wires.services.ingest import wire_ingest_path

from ..builders import ninjs_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wire_media")]

ARABIC_SAMPLES = Path(__file__).resolve().parent.parent / "arabic"
PORT_GUID = "urn:almadar.example:20261207:tanger-port"
TRAM_GUID = "urn:almadar.example:20261207:rabat-tram"


@pytest.fixture
def editions(db: Any) -> dict[str, Any]:
    arabic = Locale.objects.get_or_create(language_code="ar")[0]
    economie = f.make_section("Économie")
    translated = economie.copy_for_translation(arabic, copy_parents=True)
    translated.title = "اقتصاد"
    translated.save_revision().publish()
    untranslated = f.make_section("Culture")
    source = WireSource.objects.create(name="Al-Madar", provider="المدار", default_section=economie)
    return {
        "arabic": arabic,
        "economie": economie,
        "iqtisad": SectionPage.objects.get(pk=translated.pk),
        "culture": untranslated,
        "source": source,
    }


def ingest_arabic(source: WireSource | None = None) -> dict[str, WireItemRecord]:
    outcomes = wire_ingest_path(path=ARABIC_SAMPLES, source=source)
    assert [o.outcome for o in outcomes] == ["imported", "imported"]
    return {r.guid: r for r in WireItemRecord.objects.all()}


def test_arabic_items_keep_their_language(db: Any) -> None:
    records = ingest_arabic()
    port, tram = records[PORT_GUID], records[TRAM_GUID]
    assert (port.language, port.language_tag) == ("ar", "ar")  # NewsML-G2 contentMeta/language
    assert (tram.language, tram.language_tag) == ("ar", "ar-MA")  # ninjs language
    assert port.headline.startswith("ميناء طنجة المتوسط")  # the Arabic headline, not the French one
    assert "الحاويات" in port.body_html


def test_article_goes_to_the_arabic_translation_of_the_section(editions: dict[str, Any]) -> None:
    records = ingest_arabic(editions["source"])
    article, notes = wire_create_article(record=records[PORT_GUID])
    assert article.get_parent().pk == editions["iqtisad"].pk
    assert article.locale == editions["arabic"]
    assert not any("édition arabe" in note for note in notes)


def test_an_arabic_section_chosen_by_the_editor_is_kept(editions: dict[str, Any]) -> None:
    records = ingest_arabic()
    article, _notes = wire_create_article(record=records[TRAM_GUID], section=editions["iqtisad"])
    assert article.get_parent().pk == editions["iqtisad"].pk


def test_no_arabic_section_falls_back_with_a_clear_message(editions: dict[str, Any]) -> None:
    records = ingest_arabic()
    article, notes = wire_create_article(record=records[TRAM_GUID], section=editions["culture"])
    assert article.get_parent().pk == editions["culture"].pk
    [note] = [n for n in notes if "édition arabe" in n]
    assert "rubrique « Culture »" in note and "traduction" in note


def test_french_items_stay_in_the_french_edition(editions: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "fr.json").write_bytes(ninjs_bytes(language="fr"))
    wire_ingest_path(path=tmp_path / "fr.json", source=editions["source"])
    article, notes = wire_create_article(record=WireItemRecord.objects.get())
    assert article.get_parent().pk == editions["economie"].pk
    assert notes == []


def test_a_language_without_an_edition_is_said(db: Any) -> None:
    section = f.make_section("Monde")
    routed, note = section_for_language(section, "es")
    assert routed == section and "pas d'édition" in note
    assert item_locale("es-ES") is None  # no Spanish edition (fr and ar exist)


def test_a_breve_goes_to_the_arabic_section(editions: dict[str, Any]) -> None:
    records = ingest_arabic(editions["source"])
    dispatch = wire_publish_dispatch(record=records[PORT_GUID])
    assert Dispatch.objects.get(pk=dispatch.pk).section_id == editions["iqtisad"].pk
