"""The Arabic edition's mechanics (docs/editions.md): routing under /ar/,
pairs and their hreflang, the switch, one meter per pair, entitlements
across editions, per-edition feeds and sitemaps, error pages, dates and
prices."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote

import pytest
from django.test import Client
from django.utils import timezone, translation

from lede.accounts.models import User
from lede.core.dates import format_long_date
from lede.core.money import format_amount
from lede.core.testing import factories as f
from lede.editorial import editions
from lede.editorial.panels import pair_status
from lede.editorial.services import article_pair, edition_home_ensure
from lede.paywall.models import AccessGrant

pytestmark = pytest.mark.django_db

MIXED = "Maroc Telecom تطلق شبكة 5G في 12 مدينة قبل نهاية 2026"


def _hreflangs(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', html))


@pytest.fixture
def edition(publication: dict[str, Any]) -> dict[str, Any]:
    home_ar = edition_home_ensure(language="ar")
    world_ar = f.make_section("العالم", parent=home_ar, slug="alam")
    # The Arabic "world" section is the French one's counterpart.
    type(world_ar).objects.filter(pk=world_ar.pk).update(
        translation_key=publication["monde"].translation_key
    )
    now = timezone.now()
    paired = f.make_article(
        world_ar,
        "استئناف المفاوضات في الدوحة",
        slug="استئناف-المفاوضات",
        standfirst="الوفود تلتقي بعد ثلاثة أسابيع من التوقف.",
        published_at=now - timedelta(hours=1),
        body=[("paragraph", "<p>فضل المندوبون انتظار نهاية القمة.</p>")],
    )
    article_pair(article=publication["lead"], counterpart=paired)
    alone = f.make_article(
        world_ar,
        MIXED,
        slug="maroc-telecom-5g",
        published_at=now - timedelta(hours=2),
        body=[("paragraph", "<p>الشركة تعلن استثمارا بقيمة 3 مليارات درهم.</p>")],
    )
    return {
        **publication,
        "home_ar": home_ar,
        "world_ar": world_ar,
        "paired": paired,
        "alone": alone,
    }


def test_each_edition_has_its_home_language_and_direction(edition: dict[str, Any]) -> None:
    client = Client()
    french = client.get("/").content.decode()
    arabic = client.get("/ar/").content.decode()
    assert '<html lang="fr" dir="ltr">' in french
    assert '<html lang="ar" dir="rtl">' in arabic
    # Each home lists its own edition's articles and sections.
    assert MIXED in arabic and MIXED not in french
    assert (
        "العالم" in arabic
        and "العالم" not in french.split("<footer")[0].split("edition-switch")[-1]
    )
    assert edition["lead"].title.replace("'", "&#x27;") not in arabic


def test_an_arabic_slug_routes_percent_encoded(edition: dict[str, Any]) -> None:
    url = edition["paired"].url
    assert url == "/ar/alam/" + quote("استئناف-المفاوضات") + "/"
    for address in (url, unquote(url)):
        response = Client().get(address)
        assert response.status_code == 200
        assert "استئناف المفاوضات في الدوحة" in response.content.decode()


def test_pairs_link_each_other_with_reciprocal_hreflang(edition: dict[str, Any]) -> None:
    client = Client()
    french = client.get(edition["lead"].url).content.decode()
    arabic = client.get(edition["paired"].url).content.decode()
    assert _hreflangs(french) == _hreflangs(arabic)
    links = _hreflangs(french)
    assert set(links) == {"fr", "ar", "x-default"}
    assert links["x-default"] == links["fr"]
    # Each link in the language of the page it is on (the Arabic catalogue).
    assert "Lire en arabe" in french and "اقرأ بالفرنسية" in arabic
    assert 'property="og:locale" content="ar_MA"' in arabic
    assert 'property="og:locale:alternate" content="fr_MA"' in arabic
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', arabic, re.S).group(1))  # type: ignore[union-attr]
    assert data["inLanguage"] == "ar"


def test_an_article_without_pair_has_no_alternate(edition: dict[str, Any]) -> None:
    html = Client().get(edition["alone"].url).content.decode()
    assert _hreflangs(html) == {}
    assert "article-pair" not in html
    assert MIXED in html


def test_an_unpublished_half_gives_no_link_and_a_locked_half_is_linked(
    edition: dict[str, Any],
) -> None:
    client = Client()
    assert "Lire en arabe" in client.get(edition["lead"].url).content.decode()
    edition["paired"].unpublish()
    html = client.get(edition["lead"].url).content.decode()
    assert "Lire en arabe" not in html and _hreflangs(html) == {}
    # Locked: still linked (the paywall applies on the Arabic page).
    edition["paired"].access_level = "subscribers"
    edition["paired"].save_revision().publish()
    html = client.get(edition["lead"].url).content.decode()
    assert "Lire en arabe" in html
    locked = client.get(edition["paired"].url)
    assert locked["X-Lede-Variant"] == "locked"


def test_a_corrected_half_shows_the_other_as_possibly_out_of_date(
    edition: dict[str, Any],
) -> None:
    french = type(edition["lead"]).objects.get(pk=edition["lead"].pk)
    assert pair_status(french)["out_of_date"] is False  # type: ignore[index]
    paired = type(edition["paired"]).objects.get(pk=edition["paired"].pk)
    paired.significant_update = True
    paired.save_revision().publish()
    paired.refresh_from_db()
    assert paired.updated_at is not None
    assert pair_status(french)["out_of_date"] is True  # type: ignore[index]
    admin = User.objects.create_superuser("chef@example.com", "pw-admin-2026")
    client = Client()
    client.force_login(admin)
    html = client.get(f"/admin/pages/{french.pk}/edit/").content.decode()
    assert "Peut-être plus à jour" in html


def test_reading_both_halves_costs_one_metered_article(edition: dict[str, Any]) -> None:
    for article in (edition["lead"], edition["paired"]):
        type(article).objects.filter(pk=article.pk).update(access_level="subscribers", metered=True)
        article.refresh_from_db()
        article.save_revision().publish()
    assert editions.meter_unit(edition["lead"]) == editions.meter_unit(edition["paired"])
    client = Client()
    first = client.get(edition["lead"].url)
    assert first["X-Lede-Access"] == "metered"
    second = client.get(edition["paired"].url)
    assert second["X-Lede-Access"] == "metered_reread"


def test_a_section_entitlement_covers_both_editions(edition: dict[str, Any]) -> None:
    from lede.paywall.models import AccessGrant as Grant

    for article in (edition["lead"], edition["paired"]):
        article.access_level = "subscribers"
        article.save_revision().publish()
    user = User.objects.create_user("monde@example.com", "pw-lecteur-2026")
    grant = Grant.objects.create(
        user=user, starts_at=timezone.now(), ends_at=timezone.now() + timedelta(days=30)
    )
    grant.sections.set([edition["monde"]])
    client = Client()
    client.force_login(user)
    assert client.get(edition["paired"].url)["X-Lede-Variant"] == "full"
    assert AccessGrant.objects.filter(user=user).count() == 1


def test_the_switch_remembers_the_choice_and_stays_on_the_site(edition: dict[str, Any]) -> None:
    client = Client()
    html = client.get(edition["lead"].url).content.decode()
    href = re.search(r'class="edition-switch"><li><a href="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    response = client.get(href.replace("&amp;", "&"))
    assert response.status_code == 302
    assert response["Location"].startswith("/ar/alam/")
    assert client.cookies["lede_language"].value == "ar"
    user = User.objects.create_user("lectrice@example.com", "pw-lecteur-2026")
    client.force_login(user)
    away = client.get("/langue/ar/?suivant=https://ailleurs.example/")
    assert away["Location"] == "/ar/"
    user.refresh_from_db()
    assert user.language == "ar"
    assert client.get("/langue/xx/").status_code == 404


def test_error_pages_are_in_the_edition(edition: dict[str, Any]) -> None:
    response = Client().get("/ar/لا-توجد/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    # A missing page has no twin: the switch leads to the French home.
    assert 'href="/langue/fr/?suivant=%2F"' in html
    assert Client().get("/ar/recherche/").status_code == 200


def test_feeds_and_sitemaps_per_edition(edition: dict[str, Any]) -> None:
    client = Client()
    news = client.get("/ar/news-sitemap.xml").content.decode()
    assert "<news:language>ar</news:language>" in news
    assert "/ar/alam/" in news and edition["lead"].slug not in news
    assert "<news:language>fr</news:language>" in client.get("/news-sitemap.xml").content.decode()
    rss = client.get("/ar/rss/").content.decode()
    assert "<language>ar</language>" in rss and MIXED in rss
    assert MIXED not in client.get("/rss/").content.decode()
    index = client.get("/ar/sitemap.xml").content.decode()
    articles = re.search(r"<loc>([^<]*sitemap-articles\.xml[^<]*)</loc>", index).group(1)  # type: ignore[union-attr]
    assert "/ar/" in articles
    listing = client.get(articles.split("testserver", 1)[1]).content.decode()
    assert quote("استئناف") in listing and edition["lead"].slug not in listing


def test_dates_and_prices_in_arabic() -> None:
    when = datetime(2016, 7, 26, 12, 3, tzinfo=UTC)
    with translation.override("ar"):
        assert format_long_date(when) == "26 يوليوز 2016"
        assert format_amount(6000) == "60\u00a0درهم"
    with translation.override("fr"):
        assert format_amount(6000) == "60\u00a0DH"
        assert "2016" in format_long_date(when)


def test_server_error_and_forbidden_pages_in_arabic(edition: dict[str, Any], rf: Any) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    from lede.core.views import server_error

    with translation.override("ar"):
        html = server_error(rf.get("/ar/")).content.decode()
        assert '<html lang="ar" dir="rtl">' in html and 'href="/ar/"' in html
        request = rf.get("/ar/compte/")
        request.user = AnonymousUser()
        forbidden = permission_denied(request, PermissionDenied())
        assert forbidden.status_code == 403
        assert '<html lang="ar" dir="rtl">' in forbidden.content.decode()


def test_each_edition_searches_its_own_articles(edition: dict[str, Any]) -> None:
    from lede.search.services import search_rebuild_index

    search_rebuild_index()
    client = Client()
    arabic = client.get("/ar/recherche/?q=Telecom").content.decode()
    assert "maroc-telecom-5g" in arabic
    french = client.get("/recherche/?q=Telecom").content.decode()
    assert "maroc-telecom-5g" not in french
    doha = client.get("/recherche/?q=Doha").content.decode()
    assert edition["lead"].slug in doha
