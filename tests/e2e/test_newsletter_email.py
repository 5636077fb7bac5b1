"""The newsletter e-mail in Chromium at 375 and 600 px, light and dark, with
images off: no horizontal scrolling, the sheet at most 600 px wide, every
image with alt text, the text readable. Screenshots go to the test's
temporary directory (kept by pytest for a look)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lede.newsletters import services
from lede.newsletters.models import Newsletter
from lede.newsletters.rendering import EditionRenderer, personalise

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


@pytest.fixture
def email_html(publication: dict[str, Any]) -> str:
    newsletter = Newsletter.objects.create(
        name="La Matinale",
        slug="la-matinale",
        sender_name="La Matinale",
        sender_address="matinale@lede.example",
    )
    edition = services.edition_build(newsletter=newsletter)
    edition.intro = "Bonjour, voici l'essentiel de ce matin."
    edition.save()
    variant = EditionRenderer(edition).variant(frozenset())
    return personalise(
        variant.html,
        unsubscribe_url="http://testserver/lettres/desinscription/x/",
        email="lectrice@example.ma",
        escape=True,
    )


@pytest.mark.parametrize("width", [375, 600])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_email_layout(
    browser: Any, email_html: str, width: int, scheme: str, tmp_path: Path
) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, java_script_enabled=True
    )
    page = context.new_page()
    page.route("**/*", lambda route: route.abort())  # images off, nothing fetched
    page.set_content(email_html)
    page.screenshot(path=str(tmp_path / f"matinale-{width}-{scheme}.png"), full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"horizontal scrolling at {width}px: {scroll_width}"
    sheet = page.evaluate("document.querySelector('.sheet').getBoundingClientRect().width")
    assert sheet <= 600
    assert page.evaluate("[...document.images].every(i => i.alt && i.alt.trim())")
    text = page.inner_text("body")
    assert "Les négociations reprennent à Doha" in text and "Se désinscrire" in text
    background = page.evaluate("getComputedStyle(document.querySelector('.sheet')).backgroundColor")
    assert (background == "rgb(28, 28, 28)") == (scheme == "dark")
    context.close()
