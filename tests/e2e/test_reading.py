"""A reader goes home → section → article in headless Chromium and sees the
whole article anatomy of PAGE-ANATOMY.md."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_section_article(live_server: Any, page: Any, publication: dict[str, Any]) -> None:
    lead = publication["lead"]
    page.goto(live_server.url + "/")
    assert page.locator("h1").count() == 1
    assert page.get_by_role("link", name="S’abonner").is_visible()
    assert page.get_by_role("link", name="Se connecter").is_visible()

    # Home → section, through the navigation.
    page.get_by_role("navigation", name="Rubriques").get_by_role("link", name="Monde").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Monde"

    # Section → article.
    page.get_by_role("link", name=lead.title).first.click()
    page.wait_for_load_state()
    assert page.url.endswith(lead.url)

    article = page.locator("article.article")
    assert article.locator("h1").inner_text() == lead.title
    assert page.locator("h1").count() == 1
    assert article.locator(".standfirst").inner_text() == lead.standfirst
    byline = article.locator(".byline").inner_text()
    assert byline.startswith("Par ") and "Amina Berrada" in byline and "Karim Tazi" in byline
    assert article.locator(".kicker").inner_text().upper() == "PROCHE-ORIENT"
    dateline = article.locator(".dateline").inner_text()
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} à \d\d H \d\d", dateline), dateline
    figure = article.locator("figure.lead-figure")
    assert figure.locator(".caption").inner_text() == "Le port au lever du jour"
    assert figure.locator(".credit").inner_text() == "SARA ALAOUI / AFP"
    assert figure.locator("img").get_attribute("alt") == "Le port au lever du jour"
    assert article.locator("h2.subheading").inner_text() == "Un calendrier serré"
    assert "Rien n’est acquis." in article.locator(".quote blockquote").inner_text()
    assert "Un diplomate" in article.locator(".quote figcaption").inner_text()
    footer = page.locator("footer.site-footer").inner_text()
    assert "Tous droits réservés." in footer
    assert "veille média" in footer
    # Landmarks and the skip link.
    assert page.locator("header[role=banner]").count() == 1
    assert page.locator("main#contenu").count() == 1
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"


def test_updated_article_shows_both_dates(
    live_server: Any, page: Any, publication: dict[str, Any]
) -> None:
    from lede.editorial.models import ArticlePage

    article = ArticlePage.objects.get(pk=publication["agency"].pk)
    article.significant_update = True
    article.save_revision().publish()
    page.goto(live_server.url + article.url)
    dateline = page.locator(".dateline").inner_text()
    assert re.fullmatch(
        r"\d\d\.\d\d\.\d{4} à \d\d H \d\d • Mis à jour le \d\d\.\d\d\.\d{4} à \d\d H \d\d",
        dateline,
    ), dateline
    assert page.locator(".byline").inner_text() == "AFP"


def test_narrow_screen_has_no_horizontal_scroll(
    live_server: Any, browser: Any, publication: dict[str, Any]
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    for path in ("/", publication["lead"].url, publication["eco"].url):
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, (path, width)
    context.close()


def test_long_headlines_and_unbroken_words_fit_a_320_px_screen(
    live_server: Any, browser: Any, publication: dict[str, Any]
) -> None:
    from lede.core.testing import factories as f

    long_title = (
        "Anticonstitutionnellement" * 4
        + " : une très longue manchette qui ne tient jamais sur une seule ligne, même en grand"
    )
    article = f.make_article(
        publication["eco"],
        long_title,
        standfirst="https://exemple.ma/" + "x" * 120,
        body=[("paragraph", "<p>" + "Mot" * 80 + "</p>")],
    )
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    for path in (article.url, publication["eco"].url, "/"):
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        header = page.evaluate(
            "document.querySelector('.site-header').getBoundingClientRect().width"
        )
        assert width <= 320, (path, width)
        assert header == 320, (path, header)
    context.close()
