"""Feeds, sitemaps, robots.txt and structured data."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import feedparser
import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree

from lede.core.testing import factories as f

pytestmark = pytest.mark.django_db

NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")


def test_site_rss_parses_without_bozo(client: Client, publication: dict[str, Any]) -> None:
    response = client.get("/rss/")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    titles = [e.title for e in feed.entries]
    assert publication["lead"].title in titles
    assert publication["old"].title in titles


def test_the_shared_feed_object_keeps_no_request(
    client: Client, publication: dict[str, Any]
) -> None:
    """config/urls.py holds one SiteFeed for every thread: a request stored on
    it could lend one reader's site (links, name) to another's render."""
    from django.urls import resolve

    shared = resolve("/rss/").func
    assert client.get("/rss/").status_code == 200
    assert getattr(shared, "request", None) is None


def test_section_rss_parses_and_includes_subsections(
    client: Client, publication: dict[str, Any]
) -> None:
    for section in (publication["monde"], publication["proche"], publication["eco"]):
        response = client.get(section.url + "rss/")
        assert response.status_code == 200
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.get("bozo_exception")
    monde = feedparser.parse(client.get(publication["monde"].url + "rss/").content)
    assert [e.title for e in monde.entries] == [publication["lead"].title]


def test_every_page_links_its_feeds(client: Client, publication: dict[str, Any]) -> None:
    html = client.get(publication["eco"].url).content.decode()
    assert 'type="application/rss+xml"' in html
    assert publication["eco"].url + "rss/" in html


def test_news_sitemap_has_only_last_48_hours(client: Client, publication: dict[str, Any]) -> None:
    response = client.get("/news-sitemap.xml")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    urls = root.findall("s:url", NS)
    assert len(urls) == 2  # the 10-day-old article is left out
    for url in urls:
        assert url.findtext("s:loc", namespaces=NS)
        news = url.find("news:news", NS)
        assert news is not None
        assert news.findtext("news:publication/news:name", namespaces=NS)
        assert news.findtext("news:publication/news:language", namespaces=NS) == "fr"
        date = news.findtext("news:publication_date", namespaces=NS) or ""
        assert W3C_DATETIME.match(date), date
        assert news.findtext("news:title", namespaces=NS)


def test_sitemap_index_and_robots(client: Client, publication: dict[str, Any]) -> None:
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    root = etree.fromstring(index.content)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    files = [el.text or "" for el in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(f.endswith("/sitemap-articles.xml") for f in files)
    assert any(f.endswith("/sitemap-pages.xml") for f in files)
    locs: list[str] = []
    for name in ("articles", "pages"):
        response = client.get(f"/sitemap-{name}.xml")
        assert response.status_code == 200
        tree = etree.fromstring(response.content)
        locs += [
            el.text or "" for el in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
        ]
    assert f"http://testserver{publication['lead'].url}" in locs
    # Wagtail writes section URLs with the Site's configured host name.
    assert any(loc.endswith(publication["eco"].url) for loc in locs)
    assert client.get("/sitemap-nothing.xml").status_code == 404
    assert client.get("/sitemap-articles.xml?p=999").status_code == 404
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    assert "Sitemap: http://testserver/news-sitemap.xml" in robots


def _json_ld(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_news_article_json_ld(client: Client, publication: dict[str, Any]) -> None:
    data = _json_ld(client.get(publication["lead"].url).content.decode())
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == publication["lead"].title
    assert data["image"] and data["image"][0].startswith("http://testserver/")
    assert W3C_DATETIME.match(data["datePublished"])
    assert W3C_DATETIME.match(data["dateModified"])
    assert [a["name"] for a in data["author"]] == ["Amina Berrada", "Karim Tazi"]
    assert data["publisher"]["name"] and data["publisher"]["logo"]["url"]
    assert data["articleSection"] == "Proche-Orient"
    assert data["inLanguage"] == "fr"


def test_agency_json_ld_has_organisation_author(
    client: Client, publication: dict[str, Any]
) -> None:
    data = _json_ld(client.get(publication["agency"].url).content.decode())
    assert data["author"] == {"@type": "Organization", "name": "AFP"}


def test_json_ld_escapes_script_breakers(client: Client, publication: dict[str, Any]) -> None:
    article = f.make_article(
        publication["eco"], "Titre </script><script>alert(1)</script>", standfirst="x"
    )
    html = client.get(article.url).content.decode()
    data = _json_ld(html)
    assert "</script><script>" in data["headline"]
    assert "<script>alert(1)</script>" not in html


def test_open_graph_and_canonical(client: Client, publication: dict[str, Any]) -> None:
    lead = publication["lead"]
    html = client.get(lead.url).content.decode()
    assert re.search(rf'<link rel="canonical" href="https?://[^"/]+{re.escape(lead.url)}">', html)
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert 'property="og:image"' in html


def test_scheduled_article_appears_after_its_time(
    client: Client, publication: dict[str, Any]
) -> None:
    from django.core.management import call_command

    from lede.editorial.models import ArticlePage

    article = f.make_article(publication["eco"], "Article programmé", publish=False)
    article.go_live_at = timezone.now() + timedelta(minutes=5)
    revision = article.save_revision()
    revision.publish()  # with a future go-live time, Wagtail schedules it
    revision.refresh_from_db()
    assert revision.approved_go_live_at is not None
    assert not ArticlePage.objects.get(pk=article.pk).live
    assert "Article programmé" not in client.get("/").content.decode()
    # The time passes; nobody touches the article; the scheduler ticks.
    # Simulate the clock passing the go-live time: move the schedule into the past.
    past = timezone.now() - timedelta(seconds=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save()
    call_command("run_scheduler", "--once")
    article = ArticlePage.objects.get(pk=article.pk)
    assert article.live
    assert article.published_at is not None
    assert client.get(article.url).status_code == 200
    assert "Article programmé" in client.get("/").content.decode()
