"""Listing pages rendered once per change and shared by every reader
(lede/core/caching/listings.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lede.accounts.models import User
from lede.core.testing import factories as f

pytestmark = pytest.mark.django_db


def _reader(client: Client) -> User:
    user = User.objects.create_user("lecteur@example.com", "pw-lecteur-2026")
    client.force_login(user)
    return user


def _queries(client: Client, url: str) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response, len(ctx)


@pytest.mark.parametrize("url", ["/", "section"])
def test_second_request_is_served_from_the_shared_copy(
    client: Client, publication: dict[str, Any], url: str
) -> None:
    if url == "section":
        url = publication["lead"].get_parent().url
    first, first_queries = _queries(client, url)
    second, second_queries = _queries(client, url)
    assert second.content == first.content
    # What is left is Wagtail's routing (site, the active locale's home —
    # docs/editions.md —, page path, view restrictions), the same whatever
    # the archive's size.
    assert second_queries <= 10 and second_queries <= first_queries // 2, (
        first_queries,
        second_queries,
    )
    # A signed-in reader shares it too: only the header differs.
    _reader(client)
    client.get(url)  # builds the reader's cached paywall profile
    signed_in, signed_in_queries = _queries(client, url)
    html = signed_in.content.decode()
    assert "Mon compte" in html and "Se connecter" not in html
    assert "Se connecter" in first.content.decode()
    assert signed_in_queries <= second_queries + 2  # the session and the user
    assert "private" in signed_in["Cache-Control"]
    assert "<!--lede:account-nav-->" not in html


def test_publishing_shows_at_once(
    client: Client, publication: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    section = publication["lead"].get_parent().specific
    client.get("/")
    client.get(section.url)
    with django_capture_on_commit_callbacks(execute=True):
        f.make_article(section, "Une nouvelle toute fraîche")
    assert "Une nouvelle toute fraîche" in client.get("/").content.decode()
    assert "Une nouvelle toute fraîche" in client.get(section.url).content.decode()


def test_while_one_reader_renders_a_change_the_others_get_the_previous_copy(
    client: Client,
    publication: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A publish makes the home page stale for everyone at once: one reader
    renders it, those arriving meanwhile are not all sent to render it too."""
    from django.core.cache import cache

    from lede.core.caching import listings as listing_cache

    section = publication["lead"].get_parent().specific
    _page, cached_queries = _queries(client, "/")  # the copy from before
    _page, cached_queries = _queries(client, "/")
    with django_capture_on_commit_callbacks(execute=True):
        f.make_article(section, "Une nouvelle toute fraîche")
    # Someone else is rendering the new home page: hold their lock.
    added: list[str] = []

    class LockHeld:
        def __getattr__(self, name: str) -> Any:
            return getattr(cache, name)

        def add(self, key: str, *args: Any, **kwargs: Any) -> bool:
            added.append(key)
            return False if key.endswith(":rendering") else bool(cache.add(key, *args, **kwargs))

    monkeypatch.setattr(listing_cache, "cache", LockHeld())
    response, queries = _queries(client, "/")
    assert any(key.endswith(":rendering") for key in added)
    assert "Une nouvelle toute fraîche" not in response.content.decode()
    assert queries <= cached_queries  # no render
    # The lock is released (or the render is over): the new page.
    monkeypatch.setattr(listing_cache, "cache", cache)
    response, queries = _queries(client, "/")
    assert "Une nouvelle toute fraîche" in response.content.decode()
    assert queries > cached_queries
    assert cache.add(added[-1], 1, 5)  # the renderer let go of its lock


def test_staff_messages_and_other_queries_get_a_fresh_render(
    client: Client, publication: dict[str, Any]
) -> None:
    section_url = publication["lead"].get_parent().url
    client.get("/")
    client.get(section_url)
    _response, fresh = _queries(client, section_url + "?utm_source=x")
    assert fresh >= 5
    client.cookies["messages"] = "quelque-chose"
    _response, with_messages = _queries(client, "/")
    assert with_messages >= 5
    del client.cookies["messages"]
    staff = User.objects.create_superuser("chef@example.com", "pw-chef-2026-x")
    client.force_login(staff)
    response, staff_queries = _queries(client, "/")
    assert staff_queries >= 5
    assert "wagtail-userbar" in response.content.decode()


def test_bad_page_numbers_are_still_404(client: Client, publication: dict[str, Any]) -> None:
    section_url = publication["lead"].get_parent().url
    client.get(section_url)
    for bad in ("?page=abc", "?page=999", "?page=0"):
        assert client.get(section_url + bad).status_code == 404, bad


def test_switched_off(client: Client, publication: dict[str, Any], settings: Any) -> None:
    settings.LEDE_LISTING_CACHE_ENABLED = False
    client.get("/")
    _response, queries = _queries(client, "/")
    assert queries >= 5


@pytest.mark.parametrize("url", ["/news-sitemap.xml", "/sitemap.xml", "/rss/"])
def test_sitemaps_and_feeds_are_shared_and_keep_their_type(
    client: Client,
    publication: dict[str, Any],
    url: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first, first_queries = _queries(client, url)
    second, second_queries = _queries(client, url)
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "xml" in second["Content-Type"]
    assert second_queries < first_queries or first_queries == 0, (first_queries, second_queries)
    if url != "/sitemap.xml":  # the index lists sections, not articles
        section = publication["lead"].get_parent().specific
        with django_capture_on_commit_callbacks(execute=True):
            f.make_article(section, "Dernière minute au port")
        assert "Dernière minute au port" in client.get(url).content.decode()


def test_junk_query_strings_are_never_stored(
    client: Client, publication: dict[str, Any], monkeypatch: Any
) -> None:
    from lede.core.caching import listings as listing_cache

    section_url = publication["lead"].get_parent().url
    stored: list[str] = []
    real_set = listing_cache.cache.set

    def spy(key: str, *args: Any, **kwargs: Any) -> Any:
        if "listing-html" in key:
            stored.append(key)
        return real_set(key, *args, **kwargs)

    monkeypatch.setattr(listing_cache.cache, "set", spy)
    client.get("/")
    client.get(section_url + "?page=1")
    assert len(stored) == 2
    for url in ("/?page=2", "/?x=1", section_url + "?page=01", section_url + "?page=1&x=1"):
        client.get(url)
    assert len(stored) == 2
    client.get(section_url)  # the same page as ?page=1: already stored
    assert len(stored) == 2


def test_deleting_a_live_article_drops_it_from_the_listings(
    client: Client, publication: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    section = publication["lead"].get_parent().specific
    with django_capture_on_commit_callbacks(execute=True):
        doomed = f.make_article(section, "Un article qui sera supprimé")
    assert "Un article qui sera supprimé" in client.get(section.url).content.decode()
    assert "Un article qui sera supprimé" in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        doomed.delete()
    assert "Un article qui sera supprimé" not in client.get(section.url).content.decode()
    assert "Un article qui sera supprimé" not in client.get("/").content.decode()


def test_the_shared_render_sees_nothing_of_the_readers_request(
    client: Client, publication: dict[str, Any]
) -> None:
    from lede.core.caching.anonymous import anonymous_copy

    _reader(client)
    request = client.get("/").wsgi_request
    request.META["CSRF_COOKIE"] = "secret-du-lecteur"
    copy = anonymous_copy(request)
    assert not copy.user.is_authenticated
    assert "HTTP_COOKIE" not in copy.META and "CSRF_COOKIE" not in copy.META
    assert copy.COOKIES == {} and copy.session.session_key is None
    assert request.META["CSRF_COOKIE"] == "secret-du-lecteur"  # the reader's own is intact


def test_the_shared_render_reads_from_the_primary(
    client: Client, publication: dict[str, Any], monkeypatch: Any
) -> None:
    from lede.core import db_router
    from lede.editorial import selectors

    seen: list[bool | None] = []
    real = selectors.home_blocks

    def spy(home: Any) -> Any:
        state = db_router.current_state()
        seen.append(None if state is None else state.replica_allowed)
        return real(home)

    monkeypatch.setattr(selectors, "home_blocks", spy)
    with db_router.reader_traffic(replica_allowed=True):
        client.get("/")
    assert seen == [False]
