"""Arabic search: the normaliser, per-document language and configuration, and
queries with or without tashkeel, tatweel and letter variants finding the same
articles. Runs on SQLite (FTS5) and PostgreSQL (the 'arabic' configuration).

The Arabic sentences are written for these tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from wagtail.models import Locale

from lede.core.testing import factories as f
from lede.editorial.models import ArticlePage
from lede.search.arabic import normalize_arabic
from lede.search.models import SearchDocument, search_language, ts_config
from lede.search.selectors import search_articles

pytestmark = pytest.mark.django_db

LIBRARY_TITLE = "افتتاح مكتبة جديدة في مدينة فاس"
LIBRARY_BODY = (
    "<p>أعلنت البلدية أمس عن افتتاح مكتبة عمومية قرب المستشفى الجامعي، "
    "تضم آلاف الكتب للأطفال والطلبة.</p>"
)
RAIN_TITLE = "أمطار غزيرة على الساحل الأطلسي"
RAIN_BODY = "<p>توقعت نشرة Maroc Meteo إنذارا بأمطار قوية مصحوبة برياح خلال الليل.</p>"


def test_normaliser_merges_the_documented_forms() -> None:
    assert normalize_arabic("مَكْتَبَةٌ") == "مكتبه"
    assert normalize_arabic("مكتـــبة") == "مكتبه"
    assert normalize_arabic("أمطار إنذار آلاف ٱلكتاب") == "امطار انذار الاف الكتاب"
    assert normalize_arabic("المستشفى") == "المستشفي"
    # Hamza on waw and ya is kept; French text is untouched.
    assert normalize_arabic("مسؤول رئيس") == "مسؤول رئيس"
    assert normalize_arabic("Élève à Fès, l’été") == "Élève à Fès, l’été"


def test_language_and_configuration() -> None:
    assert search_language("ar-MA") == "ar"
    assert search_language("") == "fr"
    assert ts_config("ar") == "arabic"
    assert ts_config("fr") == ts_config("en") == "lede_french"


@pytest.fixture
def arabic_edition(db: Any) -> dict[str, ArticlePage]:
    arabic = Locale.objects.get_or_create(language_code="ar")[0]
    section = f.make_section("Société", default_access_level="public")
    now = timezone.now()
    library = f.make_article(
        section,
        LIBRARY_TITLE,
        body=[("paragraph", LIBRARY_BODY)],
        published_at=now - timedelta(hours=1),
        locale=arabic,
        slug="maktaba",
    )
    rain = f.make_article(
        section,
        RAIN_TITLE,
        body=[("paragraph", RAIN_BODY)],
        published_at=now - timedelta(hours=2),
        locale=arabic,
        slug="amtar",
    )
    french = f.make_article(
        section,
        "Une nouvelle bibliothèque à Fès",
        body=[("paragraph", "<p>La bibliothèque ouvre ses portes près de Maroc Meteo.</p>")],
        published_at=now - timedelta(hours=3),
    )
    return {"library": library, "rain": rain, "french": french}


def ids(query: str, language: str = "ar") -> list[int]:
    return [hit.article.pk for hit in search_articles(query, language=language)]


def test_documents_store_their_language(arabic_edition: dict[str, ArticlePage]) -> None:
    languages = dict(SearchDocument.objects.values_list("article_id", "language"))
    assert languages[arabic_edition["library"].pk] == "ar"
    assert languages[arabic_edition["french"].pk] == "fr"
    # The stored text is the text as written (the fragments show it).
    assert SearchDocument.objects.get(pk=arabic_edition["library"].pk).title == LIBRARY_TITLE


@pytest.mark.parametrize(
    ("plain", "variants"),
    [
        ("مكتبة", ["مَكْتَبَةٌ", "مكتـــبة", "مكتبه", "مَكتـبه"]),  # tashkeel, tatweel, ta marbuta
        ("أمطار", ["امطار", "إمطار", "أَمْطَار"]),  # alef forms
        ("الأطلسي", ["الاطلسي", "الأطلـسي"]),
        ("المستشفى", ["المستشفي", "المُسْتَشْفَى"]),  # alef maqsura
        ("آلاف", ["الاف", "ألاف"]),
    ],
)
def test_with_or_without_diacritics_the_same_articles(
    arabic_edition: dict[str, ArticlePage], plain: str, variants: list[str]
) -> None:
    expected = ids(plain)
    assert expected, plain
    for variant in variants:
        assert ids(variant) == expected, variant


def test_queries_find_the_right_articles(arabic_edition: dict[str, ArticlePage]) -> None:
    library, rain = arabic_edition["library"].pk, arabic_edition["rain"].pk
    assert ids("مَكْتَبَةٌ فاس") == [library]
    assert ids("أمطار غزيرة") == [rain]
    # Latin letters in the Arabic edition: the brand name inside Arabic text.
    assert ids("Meteo") == [rain]


def test_each_edition_searches_its_own_language(arabic_edition: dict[str, ArticlePage]) -> None:
    assert ids("Meteo", language="fr") == [arabic_edition["french"].pk]
    assert ids("مكتبة", language="fr") == []
    assert ids("bibliothèque", language="ar") == []


def test_fragments_keep_the_text_as_written(arabic_edition: dict[str, ArticlePage]) -> None:
    hits = search_articles("المستشفي", language="ar")
    assert [h.article.pk for h in hits] == [arabic_edition["library"].pk]
    assert "المستشفى" in hits[0].snippet  # ى as written, not the normalised ي


def test_rebuild_keeps_the_normalisation(arabic_edition: dict[str, ArticlePage]) -> None:
    call_command("rebuild_search_index", "--force", stdout=None)
    assert ids("مكتبه") == ids("مكتبة") == [arabic_edition["library"].pk]


def test_the_search_page_uses_the_active_language(arabic_edition: dict[str, ArticlePage]) -> None:
    # The edition is the address's (/ar/recherche/), whatever the browser says.
    page = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/ar/recherche/", {"q": "مَكتبة"})
    assert page.status_code == 200
    assert LIBRARY_TITLE in page.content.decode()
    french = Client(HTTP_ACCEPT_LANGUAGE="ar").get("/recherche/", {"q": "مكتبة"})
    assert LIBRARY_TITLE not in french.content.decode()
