"""The site's one address (lede/core/site.py) and the demo profile that
renders like production (config/settings/dev.py)."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from lede.core.models import PublicationSettings
from lede.core.testing import factories as f

pytestmark = pytest.mark.django_db

#: Not the default port, not the test client's host: every link must use it.
BASE = "http://127.0.0.1:18765"


@pytest.fixture
def base_url(settings: Any) -> str:
    settings.LEDE_BASE_URL = BASE
    return BASE


def _meta(html: str, prop: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{prop}" content="([^"]*)"', html)
    return match.group(1) if match else ""


def _canonical(html: str) -> str:
    match = re.search(r'<link rel="canonical" href="([^"]*)"', html)
    return match.group(1) if match else ""


def _json_ld(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match
    data: dict[str, Any] = json.loads(match.group(1))
    return data


# --- the demo profile ---------------------------------------------------------
def test_demo_settings_render_like_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.delenv("LEDE_SANDBOX_ENABLED", raising=False)
    dev = importlib.reload(importlib.import_module("config.settings.dev"))
    assert dev.DEBUG is False
    assert dev.LEDE_DEMO is True
    assert dev.LEDE_SANDBOX_ENABLED is True
    assert dev.STORAGES["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_wrong_address_shows_the_french_404_page(client: Client, settings: Any) -> None:
    settings.DEBUG = False
    settings.LEDE_DEMO = True
    response = client.get("/cette-adresse-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "Page introuvable" in html
    assert "URLconf" not in html and "Page not found" not in html


def test_media_are_served_in_the_demo_without_debug(client: Client, settings: Any) -> None:
    settings.DEBUG = False
    path = Path(settings.MEDIA_ROOT) / "essai" / "fichier.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("bonjour")
    response = client.get("/media/essai/fichier.txt")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"bonjour"  # type: ignore[attr-defined]
    assert "max-age=86400" in response["Cache-Control"]
    assert client.head("/media/essai/fichier.txt").status_code == 200
    assert client.get("/media/../config/settings/base.py").status_code == 404
    assert client.get("/media/essai/absent.txt").status_code == 404


# --- one address ----------------------------------------------------------------
def test_article_canonical_og_url_and_json_ld_use_the_configured_address(
    client: Client, publication: dict[str, Any], base_url: str
) -> None:
    article = publication["lead"]
    html = client.get(article.url).content.decode()
    expected = base_url + article.url
    assert _canonical(html) == expected
    assert _meta(html, "og:url") == expected
    data = _json_ld(html)
    assert data["url"] == expected
    assert data["image"][0].startswith(base_url + "/")
    assert _meta(html, "og:image") == data["image"][0]
    assert "testserver" not in _canonical(html) + _meta(html, "og:image")


def test_other_pages_canonical_uses_the_configured_address(
    client: Client, publication: dict[str, Any], base_url: str
) -> None:
    html = client.get(publication["eco"].url + "?utm_source=x").content.decode()
    assert _canonical(html) == base_url + publication["eco"].url
    html = client.get("/").content.decode()
    assert _canonical(html) == base_url + "/"
    html = client.get("/newsroom/").content.decode()
    assert _canonical(html) == base_url + "/newsroom/"


def test_article_without_lead_image_has_the_default_share_image(
    client: Client, publication: dict[str, Any], base_url: str
) -> None:
    pub = PublicationSettings.for_site(f.home_page().get_site())
    pub.share_image = f.make_image("Carte de partage")
    pub.save()
    article = publication["agency"]
    assert article.lead_image is None
    html = client.get(article.url).content.decode()
    og_image = _meta(html, "og:image")
    assert og_image.startswith(base_url + "/media/images/")
    assert _json_ld(html)["image"] == [og_image]
    # And the image is served at that address (path part).
    assert client.get(og_image.removeprefix(base_url)).status_code == 200


def test_feeds_sitemaps_and_robots_use_the_configured_address(
    client: Client, publication: dict[str, Any], base_url: str
) -> None:
    rss = client.get("/rss/").content.decode()
    assert f"<link>{base_url}/</link>" in rss
    assert f"{base_url}{publication['lead'].url}" in rss
    assert "testserver" not in rss
    index = client.get("/sitemap.xml").content.decode()
    assert f"<loc>{base_url}/sitemap-pages.xml</loc>" in index
    for name in ("pages", "articles"):
        body = client.get(f"/sitemap-{name}.xml").content.decode()
        assert "testserver" not in body and base_url in body
    news = client.get("/news-sitemap.xml").content.decode()
    assert f"<loc>{base_url}{publication['lead'].url}</loc>" in news
    robots = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {base_url}/sitemap.xml" in robots


def _links(body: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", body)


def test_payment_email_links_use_the_configured_address(
    base_url: str, django_capture_on_commit_callbacks: Any, smtp_server: Any
) -> None:
    from lede.subscriptions.services.checkout import subscription_checkout
    from lede.subscriptions.testing import catalogue, make_reader, pay_order

    reader = make_reader("paiement@example.com")
    order = subscription_checkout(user=reader, offer=catalogue()["launch"])
    with django_capture_on_commit_callbacks(execute=True):
        pay_order(order)
    [message] = smtp_server.wait_for(1)
    assert "Paiement confirmé" in message.subject
    for part in ("plain", "html"):
        links = _links(message.body(part))
        assert any("/recus/" in link for link in links), message.body(part)
        for link in links:
            assert link.startswith(base_url + "/"), link


def test_account_email_links_use_the_configured_address(
    client: Client, base_url: str, smtp_server: Any
) -> None:
    from lede.subscriptions.testing import make_reader

    make_reader("oubli@example.com")
    client.post("/compte/password/reset/", {"email": "oubli@example.com"})
    [message] = smtp_server.wait_for(1)
    for part in ("plain", "html"):
        links = _links(message.body(part))
        assert any("/password/reset/key/" in link for link in links), links
        assert all(link.startswith(base_url + "/") for link in links), links


def test_article_has_a_share_image_even_when_the_publication_set_none(
    client: Client, publication: dict[str, Any], base_url: str
) -> None:
    """No lead image, no share image, no logo: the project's own card, so that
    every article still has og:image and a JSON-LD image."""
    article = publication["agency"]
    assert article.lead_image is None
    html = client.get(article.url).content.decode()
    og_image = _meta(html, "og:image")
    assert og_image.startswith(base_url + "/static/lede/share-default")
    assert _json_ld(html)["image"] == [og_image]
