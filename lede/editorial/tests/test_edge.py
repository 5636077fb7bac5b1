"""Listings at the edge (lede/core/caching/edge.py): cacheable for anonymous
readers, private for signed-in ones, and purged when an article is published
or unpublished. The purge itself reaches a real Varnish in tests/stack."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.test import Client
from wagtail.contrib.frontend_cache.backends import BaseBackend

from lede.accounts.models import User
from lede.core.testing import factories as f

pytestmark = pytest.mark.django_db


class RecordingBackend(BaseBackend):
    """Keeps the URLs Wagtail asks the edge to purge (a test double for the
    HTTP call; the VCL's handling of PURGE is tested against Varnish)."""

    purged: ClassVar[list[str]] = []

    def purge(self, url: str) -> None:
        self.purged.append(url)


def _listings(publication: dict[str, Any]) -> list[str]:
    section = publication["lead"].get_parent().specific
    return ["/", section.url, section.url + "rss/", "/rss/", "/news-sitemap.xml", "/sitemap.xml"]


def test_listings_are_public_for_anonymous_readers(
    client: Client, publication: dict[str, Any]
) -> None:
    for url in _listings(publication):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "public, max-age=60", url
        assert "Cookie" in response["Vary"], url
        assert not response.cookies, url  # the edge never stores a Set-Cookie


def test_listings_are_private_for_signed_in_readers(
    client: Client, publication: dict[str, Any]
) -> None:
    client.force_login(User.objects.create_user("lecteur@example.com", "pw-lecteur-2026"))
    for url in _listings(publication):
        response = client.get(url)
        assert response.status_code == 200, url
        cache_control = response["Cache-Control"]
        assert "private" in cache_control and "public" not in cache_control, url


def test_errors_and_other_pages_are_left_alone(client: Client, publication: dict[str, Any]) -> None:
    assert "public" not in client.get("/rubrique-inexistante/").get("Cache-Control", "")
    section = publication["lead"].get_parent().specific
    assert client.get(section.url + "?page=999").status_code == 404


def test_publishing_and_unpublishing_purge_the_listings(
    publication: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.WAGTAILFRONTENDCACHE = {
        "edge": {"BACKEND": f"{__name__}.RecordingBackend", "LOCATION": "http://edge"}
    }
    settings.LEDE_BASE_URL = "https://www.example.ma"
    section = publication["lead"].get_parent().specific
    RecordingBackend.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article = f.make_article(section, "Un article tout neuf")
    root = settings.LEDE_BASE_URL  # the site's one address (lede/core/site.py)
    purged = set(RecordingBackend.purged)
    expected = {
        root + "/",
        root + section.url,
        root + section.url + "rss/",
        root + section.get_parent().url,  # the section above
        root + "/rss/",
        root + "/news-sitemap.xml",
        root + "/sitemap.xml",
        root + article.url,  # Wagtail's own purge of the article
    }
    assert expected <= purged, sorted(purged)

    RecordingBackend.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert {root + "/", root + section.url, root + "/news-sitemap.xml"} <= set(
        RecordingBackend.purged
    )


def test_no_frontend_cache_means_no_purge(
    publication: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.WAGTAILFRONTENDCACHE = {}
    section = publication["lead"].get_parent().specific
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        f.make_article(section, "Sans cache en façade")
    assert not any("purge" in getattr(c, "__qualname__", "") for c in callbacks)


def test_moving_an_article_purges_both_sections_and_its_old_address(
    publication: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.WAGTAILFRONTENDCACHE = {
        "edge": {"BACKEND": f"{__name__}.RecordingBackend", "LOCATION": "http://edge"}
    }
    settings.LEDE_BASE_URL = "https://www.example.ma"
    article = publication["lead"]
    before = article.get_parent().specific
    after = f.make_section("Société")
    old_url = article.url
    RecordingBackend.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article.move(after, pos="last-child")
    article.refresh_from_db()
    root = settings.LEDE_BASE_URL  # the site's one address (lede/core/site.py)
    assert article.url != old_url
    expected = {
        root + old_url,  # the old address
        root + article.url,  # the new one
        root + before.url,  # the old section and its feed
        root + before.url + "rss/",
        root + after.url,  # the new section and its feed
        root + after.url + "rss/",
        root + "/",
        root + "/news-sitemap.xml",
    }
    assert expected <= set(RecordingBackend.purged), sorted(RecordingBackend.purged)
