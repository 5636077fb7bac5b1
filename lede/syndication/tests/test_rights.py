"""TDMRep, robots.txt's AI crawlers and the rights in articles' JSON-LD follow
the publisher's settings."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from wagtail.models import Site

from lede.syndication.models import RightsSettings

pytestmark = pytest.mark.django_db


def json_ld(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def rights_settings() -> RightsSettings:
    site = Site.objects.get(is_default_site=True)
    return RightsSettings.for_site(site)


def test_reserved_by_default_everywhere(publication: dict[str, Any]) -> None:
    c = Client()
    document = c.get("/.well-known/tdmrep.json").json()
    assert document[0]["location"] == "/*"
    assert document[0]["tdm-reservation"] == 1
    policy = document[0]["tdm-policy"]
    assert policy.endswith("/droits/licences/")
    page = c.get(publication["lead"].url)
    assert page["tdm-reservation"] == "1"
    assert page["tdm-policy"] == policy
    html = page.content.decode()
    assert '<meta name="tdm-reservation" content="1">' in html
    assert c.get("/api/v1/sections")["tdm-reservation"] == "1"
    assert c.get("/droits/licences/").status_code == 200


def test_the_publisher_lifts_the_reservation(publication: dict[str, Any]) -> None:
    chosen = rights_settings()
    chosen.tdm_reserved = False
    chosen.save()
    c = Client()
    assert c.get("/.well-known/tdmrep.json").json() == [{"location": "/*", "tdm-reservation": 0}]
    response = c.get("/")
    assert response["tdm-reservation"] == "0"
    assert "tdm-policy" not in response


def test_robots_names_ai_crawlers_per_the_settings(db: Any) -> None:
    c = Client()
    text = c.get("/robots.txt").content.decode()
    assert "User-agent: *\nDisallow: /admin/" in text  # search engines unaffected
    assert "User-agent: GPTBot\nDisallow: /\n" in text
    assert "User-agent: CCBot\nDisallow: /\n" in text
    chosen = rights_settings()
    chosen.allowed_ai_crawlers = "CCBot"
    chosen.extra_refused_crawlers = "NouveauBot"
    chosen.full_clean()
    chosen.save()
    text = c.get("/robots.txt").content.decode()
    assert "User-agent: CCBot\nAllow: /" in text
    assert "User-agent: CCBot\nDisallow: /\n" not in text
    assert "User-agent: NouveauBot\nDisallow: /\n" in text
    assert "User-agent: GPTBot\nDisallow: /\n" in text
    assert "Sitemap:" in text


def test_unknown_allowed_crawler_is_refused_in_the_form(db: Any) -> None:
    chosen = rights_settings()
    chosen.allowed_ai_crawlers = "RobotInconnu"
    with pytest.raises(ValidationError):
        chosen.full_clean()


def test_article_json_ld_carries_the_rights(publication: dict[str, Any]) -> None:
    c = Client()
    html = c.get(publication["lead"].url).content.decode()
    data = json_ld(html)
    assert data["copyrightHolder"]["name"]
    assert data["copyrightNotice"]
    assert data["copyrightYear"] == publication["lead"].published_at.year
    assert data["license"].endswith("/droits/licences/")
    agency = c.get(publication["agency"].url).content.decode()
    agency_ld = json_ld(agency)
    assert agency_ld["copyrightHolder"] == {"@type": "Organization", "name": "AFP"}


def test_saving_the_rights_reaches_cached_pages_at_once(
    publication: dict[str, Any], settings: Any
) -> None:
    """The TDM meta tag is baked into cached article variants and listings:
    saving the settings goes through lede.core.caching's invalidate
    (SETTINGS_CHANGED), which renders them anew and forgets the rights memo."""
    settings.LEDE_LISTING_CACHE_ENABLED = True
    article_url = publication["lead"].url
    reserved = '<meta name="tdm-reservation" content="1">'
    lifted = '<meta name="tdm-reservation" content="0">'
    c = Client()
    for url in (article_url, "/"):
        assert reserved in c.get(url).content.decode()
        assert reserved in c.get(url).content.decode()  # now from the caches
    chosen = rights_settings()
    chosen.tdm_reserved = False
    chosen.save()
    for url in (article_url, "/"):
        html = c.get(url).content.decode()
        assert lifted in html, url
        assert reserved not in html
    assert c.get(article_url)["tdm-reservation"] == "0"
