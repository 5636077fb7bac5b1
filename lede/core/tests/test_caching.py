"""lede.core.caching: the one anonymous copy, the generations, and what
invalidate() clears for each event."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.test import RequestFactory

from lede.accounts.models import User
from lede.core import process_state
from lede.core.caching import keys, markers
from lede.core.caching.anonymous import anonymous_copy
from lede.core.caching.invalidation import Event, invalidate
from lede.core.testing import factories as f


def test_the_anonymous_copy_keeps_nothing_of_the_reader(db: Any) -> None:
    user = User.objects.create_user("lectrice@example.com", "pw-lecteur-2026")
    request = RequestFactory().get(
        "/", HTTP_COOKIE="sessionid=abc; csrftoken=jeton", HTTP_ACCEPT_LANGUAGE="fr"
    )
    request.user = user
    request.session = SessionStore()
    request.session["note"] = "à moi"
    request.META["CSRF_COOKIE"] = "jeton-de-la-lectrice"
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    setattr(request, "auser", lambda: user)

    copy = anonymous_copy(request)

    assert not copy.user.is_authenticated
    assert copy.COOKIES == {}
    assert {"HTTP_COOKIE", "CSRF_COOKIE", "CSRF_COOKIE_NEEDS_UPDATE"}.isdisjoint(copy.META)
    assert copy.META["HTTP_ACCEPT_LANGUAGE"] == "fr"  # not personal: kept
    assert copy.session.session_key is None and "note" not in copy.session
    assert not hasattr(copy, "_messages") and not hasattr(copy, "auser")
    assert markers.is_shared_render(copy) and not markers.is_shared_render(request)
    # The reader's own request is untouched.
    assert request.user == user and request.META["CSRF_COOKIE"] == "jeton-de-la-lectrice"
    assert request.COOKIES["sessionid"] == "abc" and request.session["note"] == "à moi"


def test_a_generation_starts_at_its_start_and_counts_up() -> None:
    generation = keys.Generation("test:generation", 1)
    assert generation.current() == 1
    generation.bump()
    assert generation.current() == 2
    cache.delete("test:generation")  # evicted: a bump goes past the start
    generation.bump()
    assert generation.current() == 2


def test_the_markers_are_filled_and_cut() -> None:
    html = f"a{markers.ACCOUNT_MARKER}b{markers.PAYWALL_LOGIN_START}x{markers.PAYWALL_LOGIN_END}c"
    assert markers.fill(html, markers.ACCOUNT_MARKER, "NAV").startswith("aNAVb")
    start, end = markers.PAYWALL_LOGIN_START, markers.PAYWALL_LOGIN_END
    assert markers.keep_or_cut(html, start, end, keep=False).endswith("bc")
    assert markers.keep_or_cut(html, start, end, keep=True).endswith("bxc")


def _generations() -> dict[str, int]:
    return {g.key: g.current() for g in (keys.CHROME, keys.SNAPSHOT, keys.LISTING, keys.READER)}


def _bumped(before: dict[str, int]) -> set[str]:
    return {key for key, value in _generations().items() if value != before[key]}


@pytest.mark.parametrize(
    ("event", "role", "expected"),
    [
        (Event.PUBLISHED, "article", {keys.SNAPSHOT.key, keys.LISTING.key}),
        (Event.UNPUBLISHED, "article", {keys.SNAPSHOT.key, keys.LISTING.key, keys.CHROME.key}),
        (Event.PUBLISHED, "section", {keys.SNAPSHOT.key, keys.LISTING.key, keys.CHROME.key}),
        (Event.MOVED, "article", {keys.SNAPSHOT.key, keys.LISTING.key}),
        (Event.DELETED, "article", {keys.SNAPSHOT.key, keys.LISTING.key}),
        (Event.SETTINGS_CHANGED, None, {keys.CHROME.key}),
        (Event.OFFERS_CHANGED, None, {keys.CHROME.key}),
        (Event.ORGANISATIONS_CHANGED, None, {keys.READER.key}),
        (Event.READERS_CHANGED, None, {keys.READER.key}),
    ],
)
def test_what_each_event_bumps(
    publication: dict[str, Any], event: Event, role: str | None, expected: set[str]
) -> None:
    page = {"article": publication["lead"], "section": publication["monde"], None: None}[role]
    before = _generations()
    invalidate(event, page)
    assert _bumped(before) == expected


def test_publishing_forgets_the_route_and_the_shared_entries(publication: dict[str, Any]) -> None:
    article = publication["lead"]
    cache.set(keys.route_key(article.url_path), article.pk)
    # One copy per edition (docs/editions.md): a change clears every one.
    for language in ("fr", "ar"):
        cache.set(keys.legal_links_key(language), [])
        cache.set(keys.launch_offer_key(language), {"price": "1 DH"})
    cache.set(keys.ORGANISATIONS_KEY, [])
    invalidate(Event.PUBLISHED, article)
    assert cache.get(keys.route_key(article.url_path)) is None
    assert cache.get(keys.legal_links_key("ar")) == []  # not a legal page: kept
    invalidate(Event.OFFERS_CHANGED)
    assert cache.get(keys.launch_offer_key("fr")) is None
    assert cache.get(keys.launch_offer_key("ar")) is None
    invalidate(Event.ORGANISATIONS_CHANGED)
    assert cache.get(keys.ORGANISATIONS_KEY) is None


def test_the_per_reader_events_forget_that_reader_only_now_and_after_commit(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from lede.paywall import services

    mine = [keys.reader_profile_key(7), keys.meter_reads_key(7, "2026-12")]
    others = [
        keys.reader_profile_key(8),
        keys.meter_reads_key(8, "2026-12"),
        keys.meter_reads_key(7, "2026-11"),
    ]
    cache.set_many(dict.fromkeys(mine + others, "ancien"))
    before = _generations()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.reader_changed(user_id=7)
        invalidate(Event.METER_READ, user_id=7, month="2026-12")
        assert cache.get_many(mine) == {}
        # A request running before the commit puts the old entries back...
        cache.set_many(dict.fromkeys(mine, "ancien"))
    for callback in callbacks:
        callback()
    assert cache.get_many(mine) == {}  # ...and the commit drops them again
    assert cache.get_many(others) == dict.fromkeys(others, "ancien")
    assert _bumped(before) == set()


def test_a_legal_page_change_forgets_the_footer_links(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from lede.core.models import LegalPage
    from lede.core.selectors import legal_links

    legal = LegalPage(title="Mentions légales", kind="legal_notice", body="<p>Éditeur</p>")
    f.home_page().add_child(instance=legal)
    assert [link.title for link in legal_links()] == ["Mentions légales"]  # now cached
    before = _generations()
    with django_capture_on_commit_callbacks(execute=True):
        legal.unpublish()
    assert cache.get(keys.legal_links_key("fr")) is None
    assert legal_links() == []
    assert keys.CHROME.key in _bumped(before)


def test_the_signals_reach_invalidate(
    publication: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """Publishing through Wagtail, not calling invalidate: the same bumps."""
    article = publication["lead"]
    before = _generations()
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    assert _bumped(before) == {keys.SNAPSHOT.key, keys.LISTING.key}
    before = _generations()
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert _bumped(before) == {keys.SNAPSHOT.key, keys.LISTING.key, keys.CHROME.key}


def test_what_a_process_keeps_of_the_caches_is_reset_with_the_rest() -> None:
    from lede.core.caching import variants
    from lede.paywall import fastpath, serving

    variants.local_variants.put("k", "<p>copie</p>")
    fastpath.uid_hints["clé-de-session"] = 1
    serving.account_nav_html(serving.selectors.ANONYMOUS_STATE)
    names = process_state.registered()
    assert {
        "lede.core.caching.variants.local_variants",
        "lede.paywall.fastpath.uid_hints",
        "lede.paywall.serving.account_nav",
    } <= set(names)
    process_state.reset_all()
    assert variants.local_variants.get("k") is None
    assert fastpath.uid_hints == {}
    assert serving._account_nav.cache_info().currsize == 0


def test_the_local_variants_keep_the_most_recently_read_until_they_expire() -> None:
    from lede.core.caching.variants import LocalVariants

    now = [1000.0]
    local = LocalVariants(max_entries=2, ttl=10, timer=lambda: now[0])
    local.put("a", "<p>a</p>")
    local.put("b", "<p>b</p>")
    assert local.get("a") == "<p>a</p>"  # "a" is now the most recently read
    local.put("c", "<p>c</p>")  # full: the least recently read ("b") goes
    assert local.get("b") is None
    assert local.get("a") == "<p>a</p>" and local.get("c") == "<p>c</p>"
    now[0] += 9.5
    local.put("c", "<p>c2</p>")  # stored again: ten more seconds
    now[0] += 1
    assert local.get("a") is None  # stored 10.5 s ago
    assert local.get("c") == "<p>c2</p>"
    assert local.stored() == ["<p>c2</p>"]
    nothing = LocalVariants(max_entries=0, ttl=10)
    nothing.put("a", "<p>a</p>")
    assert nothing.get("a") is None
