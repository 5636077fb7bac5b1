"""The leak tests' roads for the Arabic edition (docs/editions.md): an
Arabic article's locked part reaches no reader who may not read it, under
/ar/, on either road (Wagtail's and the fast path), through the Arabic
feeds, sitemaps, listings and search, and through its French pair's page.

The locked part holds sentences built by ``secret_ar()``; none may appear
anywhere a non-entitled client can reach."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lede.accounts.models import User
from lede.core.testing import factories as f
from lede.editorial.services import article_pair, edition_home_ensure

pytestmark = pytest.mark.django_db

LEVELS = ["registered", "subscribers", "metered"]


def secret_ar(level: str, n: int) -> str:
    return f"سر-{level}-{n} لا يقرؤه إلا القراء المخول لهم Phrase-secrète-ar-{level}-{n}"


def _locked(section: Any, slug: str, level: str) -> Any:
    metered = level == "metered"
    return f.make_article(
        section,
        f"مقال {level} — Maroc Telecom 2026",
        slug=slug,
        standfirst=f"تقديم عمومي للمقال {level}.",
        access_level="subscribers" if metered else level,
        metered=metered,
        published_at=timezone.now() - timedelta(hours=1),
        body=[
            ("paragraph", f"<p>الفقرة الأولى العمومية {level}.</p>"),
            ("subheading", f"عنوان فرعي {secret_ar(level, 0)}"),
            ("paragraph", f"<p>{secret_ar(level, 1)}</p>"),
            ("quote", {"text": secret_ar(level, 2), "attribution": "مصدر"}),
        ],
    )


@pytest.fixture
def arabic(db: Any) -> dict[str, Any]:
    home_ar = edition_home_ensure(language="ar")
    section_fr = f.make_section("Enquêtes")
    section_ar = f.make_section("تحقيقات", parent=home_ar, slug="تحقيقات")
    articles = {level: _locked(section_ar, f"مقال-{level}", level) for level in LEVELS}
    # Each Arabic article has a public French half: its page links to the
    # Arabic one and must carry none of the Arabic locked part.
    pairs = {}
    for level, article in articles.items():
        french = f.make_article(
            section_fr,
            f"Version française {level}",
            access_level="public",
            published_at=timezone.now() - timedelta(hours=2),
            body=[("paragraph", "<p>Texte public.</p>")],
        )
        article_pair(article=french, counterpart=article)
        pairs[level] = french
    more = [_locked(section_ar, f"عداد-{i}", "metered") for i in range(5)]
    return {"section": section_ar, "articles": articles, "pairs": pairs, "more": more}


def _assert_nothing(text: str, level: str, where: str) -> None:
    for n in range(3):
        needle = secret_ar(level, n)
        for form in (needle, json.dumps(needle)[1:-1], json.dumps(needle, ensure_ascii=False)):
            assert form not in text, f"{needle!r} leaked through {where}"
        assert f"Phrase-secrète-ar-{level}-{n}" not in text, f"leak through {where}"


def _client(state: str, arabic: dict[str, Any]) -> Client:
    client = Client()
    if state.startswith("registered"):
        client.force_login(User.objects.create_user(f"{state}@example.com", "pw-lecteur-2026"))
    if state.endswith("exhausted"):
        for article in arabic["more"]:
            client.get(article.url)
    return client


def _cases() -> list[tuple[str, str]]:
    cases = []
    for state in ("anonymous", "anonymous_exhausted", "registered_exhausted"):
        for level in LEVELS:
            if level == "registered" and state.startswith("registered"):
                continue
            if level == "metered" and not state.endswith("exhausted"):
                continue
            cases.append((state, level))
    return cases


@pytest.mark.parametrize(("state", "level"), _cases())
def test_no_road_leaks_an_arabic_locked_part(
    arabic: dict[str, Any], state: str, level: str
) -> None:
    client = _client(state, arabic)
    article = arabic["articles"][level]
    assert article.url.startswith("/ar/")
    # Twice: the second request takes the fast path when the first taught it.
    for _ in range(2):
        response = client.get(article.url)
        assert response.status_code == 200
        assert response["X-Lede-Variant"] == "locked", (state, level)
        html = response.content.decode()
        assert '<html lang="ar" dir="rtl">' in html
        _assert_nothing(html, level, "the Arabic article page")
    for suffix in ("?full=1", "?page=2"):
        _assert_nothing(client.get(article.url + suffix).content.decode(), level, suffix)

    roads = [
        "/ar/",
        arabic["section"].url,
        arabic["section"].url + "rss/",
        "/ar/rss/",
        "/ar/news-sitemap.xml",
        "/ar/sitemap.xml",
        "/ar/recherche/?q=سر",
        "/rss/",
        "/",
        arabic["pairs"][level].url,  # the French half links to it
    ]
    for url in roads:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_nothing(response.content.decode(), level, url)


def test_an_entitled_reader_does_get_the_arabic_locked_part(arabic: dict[str, Any]) -> None:
    from lede.paywall.models import AccessGrant

    user = User.objects.create_user("abonne-ar@example.com", "pw-lecteur-2026")
    AccessGrant.objects.create(
        user=user, starts_at=timezone.now(), ends_at=timezone.now() + timedelta(days=30)
    )
    client = Client()
    client.force_login(user)
    html = client.get(arabic["articles"]["subscribers"].url).content.decode()
    assert secret_ar("subscribers", 1) in html
