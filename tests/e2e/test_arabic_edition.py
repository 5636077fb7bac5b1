# ruff: noqa: F811  (the reader-face fixtures, imported by name, are parameters here)
"""The Arabic edition in a browser (issue 18, "Done when"): every Arabic page
type at 1366, 390 and 320 px in Debian's Chromium, right to left.

On every page: ``<html lang="ar" dir="rtl">``, the site header spans the
viewport and is mirrored (the logo on the right, the first section of the
menu right of the second), nothing overflows horizontally, axe-core finds no
violation (the walk of test_reader_face.py); on a locked article the paywall
box is laid out right to left; the hreflang of a pair is reciprocal.
Screenshots go to ``var/e2e-screens/arabe-*.png`` for a human to look at.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from lede.core.testing import factories as f
from lede.editorial.services import article_pair, edition_home_ensure

from .test_reader_face import PASSWORD, Walk, axe_source, browser_context, site  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MIXED = "Maroc Telecom تطلق شبكة 5G في 12 مدينة قبل نهاية 2026 بميزانية 3 مليارات درهم"


class ArabicWalk(Walk):
    """The reader-face walk, plus the right-to-left facts."""

    def check(self, where: str, *, article: bool, lead_image: bool = True) -> None:
        super().check(where, article=article, lead_image=lead_image)
        facts = self.page.evaluate(
            """() => {
              const html = document.documentElement;
              const logo = document.querySelector('.site-logo');
              const items = Array.from(document.querySelectorAll('.section-nav li'))
                .map(li => li.getBoundingClientRect())
                .filter(r => r.width > 0);
              const box = document.querySelector('.paywall');
              return {
                lang: html.getAttribute('lang'), dir: html.getAttribute('dir'),
                width: html.clientWidth,
                logo: logo ? [logo.getBoundingClientRect().left, logo.getBoundingClientRect().right]
                           : null,
                nav: items.length > 1 && Math.abs(items[0].top - items[1].top) < 2
                     ? [items[0].left, items[1].left] : null,
                box: box ? getComputedStyle(box).direction : null,
                boxText: box ? getComputedStyle(box.querySelector('p') || box).textAlign : null,
              };
            }"""
        )
        if (facts["lang"], facts["dir"]) != ("ar", "rtl"):
            self.failures.append(f"{where}: html lang={facts['lang']} dir={facts['dir']}")
        if facts["logo"] is not None:
            left, right = facts["logo"]
            if right < facts["width"] / 2:
                self.failures.append(f"{where}: logo not on the right ({left:.0f}–{right:.0f})")
        if facts["nav"] is not None and not facts["nav"][0] > facts["nav"][1]:
            self.failures.append(f"{where}: section menu runs left to right {facts['nav']}")
        if facts["box"] is not None and facts["box"] != "rtl":
            self.failures.append(f"{where}: paywall box direction {facts['box']}")


@pytest.fixture
def arabic(site: dict[str, Any]) -> dict[str, Any]:
    """The test publication's Arabic edition: a home, two sections (one the
    counterpart of "Monde"), a pair, a locked article with a French half, a
    mixed-direction headline without pair, and a metered article."""
    from lede.search.services import search_rebuild_index

    home = edition_home_ensure(language="ar")
    world = f.make_section("العالم", parent=home, slug="alam")
    type(world).objects.filter(pk=world.pk).update(translation_key=site["monde"].translation_key)
    economy = f.make_section("اقتصاد", parent=home, slug="اقتصاد")
    now = timezone.now()
    body = [
        ("paragraph", "<p>تبقى الفقرة الأولى مفتوحة لجميع القراء، ومنها رقم 2026.</p>"),
        ("subheading", "جدول زمني ضيق"),
        ("paragraph", "<p>تفصل البقية أرقام التقرير السنوي لشركة OCP.</p>"),
    ]
    paired = f.make_article(
        world,
        "استئناف المفاوضات في الدوحة بعد ثلاثة أسابيع",
        slug="استئناف-المفاوضات",
        standfirst="الوفود تلتقي من جديد بعد توقف دام ثلاثة أسابيع.",
        lead_image=site["image"],
        authors=[site["amina"]],
        published_at=now - timedelta(hours=1),
        body=body,
        tags="commerce",
    )
    article_pair(article=site["lead"], counterpart=paired)
    locked = f.make_article(
        world,
        "كواليس اتفاق تجاري: ما الذي حصل عليه المفاوضون",
        slug="kawalis-ittifaq",
        standfirst="ما حصل عليه المفاوضون وما تنازلوا عنه.",
        access_level="subscribers",
        lead_image=site["image"],
        published_at=now - timedelta(hours=2),
        body=body,
    )
    article_pair(article=site["locked"], counterpart=locked)
    mixed = f.make_article(
        economy,
        MIXED,
        slug="maroc-telecom-5g",
        standfirst="الشركة تعلن استثمارا على ثلاث سنوات في 12 مدينة.",
        agency_credit="MAP",
        published_at=now - timedelta(hours=3),
        body=body,
    )
    metered = f.make_article(
        economy,
        "دليل المساعدات الجديدة للسكن",
        slug="dalil-al-musaadat",
        standfirst="من يستفيد منها وكيف يطلبها.",
        access_level="subscribers",
        metered=True,
        published_at=now - timedelta(hours=4),
        body=body,
    )
    search_rebuild_index()
    return {
        **site,
        "home_ar": home,
        "world_ar": world,
        "economy_ar": economy,
        "paired": paired,
        "locked_ar": locked,
        "mixed": mixed,
        "metered_ar": metered,
    }


def test_every_arabic_page_type_reads_right_to_left(
    live_server: Any, browser_context: Any, axe_source: str, arabic: dict[str, Any]
) -> None:
    walk = ArabicWalk(browser_context.new_page(), live_server.url, axe_source, "arabe")
    walk.visit("accueil", "/ar/")
    walk.visit("rubrique", arabic["world_ar"].url)
    walk.visit("rubrique-slug-arabe", arabic["economy_ar"].url)
    walk.visit("article-paire", arabic["paired"].url, article=True)
    walk.visit("article-abonnes", arabic["locked_ar"].url, article=True)
    walk.visit("article-mixte", arabic["mixed"].url, article=True, lead_image=False)
    walk.visit("article-compteur", arabic["metered_ar"].url, article=True, lead_image=False)
    walk.visit("auteur", f"/ar/auteurs/{arabic['amina'].slug}/")
    walk.visit("mot-cle", "/ar/mots-cles/commerce/")
    walk.visit("recherche", "/ar/recherche/?q=المفاوضات")
    walk.visit("newsroom", "/ar/newsroom/")
    walk.visit("offres", "/ar/offres/")
    walk.visit("commande", "/ar/abonnement/commande/lancement/")
    walk.visit("connexion", "/ar/compte/login/")
    walk.visit("404", "/ar/لا-توجد-هذه-الصفحة/", status=404)
    # A signed-in reader's pages.
    page = walk.page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + "/ar/compte/login/")
    page.fill("input[name=login]", "inscrit@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    walk.visit("mon-compte", "/ar/compte/")
    walk.visit("mon-abonnement", "/ar/abonnement/")
    walk.assert_clean()


def test_pairs_are_reciprocal_and_the_switch_leads_to_the_other_half(
    live_server: Any, browser_context: Any, arabic: dict[str, Any]
) -> None:
    page = browser_context.new_page()

    def alternates(path: str) -> dict[str, str]:
        page.goto(live_server.url + path)
        links = page.locator('link[rel="alternate"][hreflang]')
        return {
            links.nth(i).get_attribute("hreflang"): links.nth(i).get_attribute("href")
            for i in range(links.count())
        }

    french, arabic_half = arabic["lead"].url, arabic["paired"].url
    from_french = alternates(french)
    from_arabic = alternates(arabic_half)
    assert from_french == from_arabic
    assert from_french["fr"].endswith(french) and from_french["ar"].endswith(arabic_half)
    assert from_french["x-default"] == from_french["fr"]
    # The locked Arabic half is linked from its French half too.
    assert "ar" in alternates(arabic["locked"].url)
    # The switch on the Arabic half leads to the French one, and back.
    page.goto(live_server.url + arabic_half)
    page.locator(".edition-switch a").first.click()
    page.wait_for_load_state()
    assert page.url == live_server.url + french
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.get_by_role("link", name="Lire en arabe").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert re.search(r"/ar/alam/", page.url)
    cookies = {c["name"]: c["value"] for c in browser_context.cookies()}
    assert cookies.get("lede_language") == "fr"  # the last switch was to French


def test_french_pages_never_load_the_arabic_face(
    live_server: Any, browser_context: Any, arabic: dict[str, Any]
) -> None:
    page = browser_context.new_page()
    fonts: list[str] = []
    page.on("request", lambda r: fonts.append(r.url) if r.url.endswith(".woff2") else None)
    page.goto(live_server.url + arabic["lead"].url, wait_until="networkidle")
    assert fonts == []
    page.goto(live_server.url + arabic["paired"].url, wait_until="networkidle")
    assert any("NotoNaskhArabic" in url for url in fonts)
    assert all(url.startswith(live_server.url) for url in fonts)
