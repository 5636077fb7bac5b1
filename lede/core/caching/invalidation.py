"""The one answer to "what must I clear when X changes?": ``invalidate``.

Wagtail's and Django's signals call it (``connect()``, from
lede.core.signals); nothing else bumps a generation or drops a shared key
for a content change. What each event clears (docs/caching.md has the
table):

========================  =====================================================
event                     clears
========================  =====================================================
``PUBLISHED``             the page's route hint; listings (listing generation,
                          now and after commit); snapshots (snapshot
                          generation); the chrome generation for a chrome page
                          (home, section, legal page); the footer links for a
                          legal page; the edge's copies of the listings of an
                          article (after commit)
``UNPUBLISHED``           as ``PUBLISHED``, and the chrome generation for an
                          article too (variants carry "À lire aussi" links)
``MOVED``                 both route hints; listings (now); snapshots; the
                          footer links for a legal page; the edge's copies of
                          both places of a live article and its old address
``DELETED``               snapshots; the footer links for a legal page;
                          listings (now and after commit) and their edge copies
                          for a live article
``SETTINGS_CHANGED``      the chrome generation (publication or rights settings
                          saved), so every variant and listing is rendered
                          anew; what the apps registered with
                          ``on_settings_changed`` (now and after commit)
``OFFERS_CHANGED``        the paywall box's offer and the chrome generation
``ORGANISATIONS_CHANGED`` the organisations and every reader's profile (reader
                          generation, now and after commit)
``READERS_CHANGED``       every reader's profile (reader generation, now and
                          after commit): a group's permissions changed
``READER_CHANGED``        one reader's profile (``user_id``; now and after
                          commit)
``METER_READ``            one reader's meter reads of one month (``user_id``,
                          ``month``; now and after commit)
``ITEM_KILLED``           the content API's copies of the article and brève made
                          from a killed agency item (``article_id``,
                          ``dispatch_id``; now and after commit)
========================  =====================================================

Article variants are never deleted: their keys name the revision and the
chrome generation, so a new revision or a new generation is a new key.

A page says what it is to the caches with a class attribute,
``caching_role`` (``roles.ARTICLE`` or ``roles.CHROME``): this package knows
no page model above lede.core.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save, pre_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from lede.core.models import LegalPage, PublicationSettings

from . import edge, keys
from .roles import ARTICLE, CHROME


class Event(StrEnum):
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"
    MOVED = "moved"
    DELETED = "deleted"
    SETTINGS_CHANGED = "settings-changed"
    OFFERS_CHANGED = "offers-changed"
    ORGANISATIONS_CHANGED = "organisations-changed"
    READERS_CHANGED = "readers-changed"
    READER_CHANGED = "reader-changed"
    METER_READ = "meter-read"
    ITEM_KILLED = "item-killed"


def role_of(page: Any) -> str:
    """The page's ``caching_role`` ("" for none); a plain ``Page`` answers
    for its specific class."""
    cls = type(page)
    if cls is Page:
        cls = page.specific_class or Page
    return str(getattr(cls, "caching_role", ""))


def _now_and_after_commit(action: Any) -> None:
    """Now, and again once the change is committed: a request running in
    between would otherwise store what it read from before the change under
    the new state."""
    action()
    transaction.on_commit(action)


def _forget_route(url_path: str) -> None:
    cache.delete(keys.route_key(url_path))


def _forget_legal_links() -> None:
    cache.delete_many(keys.in_every_language(keys.legal_links_key))


def _forget_launch_offer() -> None:
    cache.delete_many(keys.in_every_language(keys.launch_offer_key))


def _forget_organisations() -> None:
    cache.delete(keys.ORGANISATIONS_KEY)


def _forget_key(key: str) -> Any:
    return lambda: cache.delete(key)


#: What the apps above lede.core keep from their settings, by name: forgotten
#: on ``SETTINGS_CHANGED`` (this package cannot import them).
_settings_forgetters: dict[str, Callable[[], None]] = {}


def on_settings_changed(name: str, forget: Callable[[], None]) -> None:
    """Register ``forget``, called on every ``SETTINGS_CHANGED``; ``name``
    is the state's dotted home (registering it again replaces it)."""
    _settings_forgetters[name] = forget


def _forget_settings() -> None:
    for forget in list(_settings_forgetters.values()):
        forget()


def invalidate(event: Event, page: Any = None, **details: Any) -> None:
    """Clear what ``event`` makes stale (see the module's table). ``page``:
    the page concerned (page events). ``details`` for ``MOVED``: Wagtail's
    ``url_path_before``, ``url_path_after`` and ``parent_page_before``; for
    ``READER_CHANGED``: ``user_id``; for ``METER_READ``: ``user_id`` and
    ``month``; for ``ITEM_KILLED``: ``article_id`` and ``dispatch_id``."""
    if event in (Event.PUBLISHED, Event.UNPUBLISHED):
        _page_changed(event, page)
    elif event is Event.MOVED:
        _page_moved(page, **details)
    elif event is Event.DELETED:
        _page_deleted(page)
    elif event is Event.SETTINGS_CHANGED:
        keys.CHROME.bump()
        _now_and_after_commit(_forget_settings)
    elif event is Event.OFFERS_CHANGED:
        _forget_launch_offer()
        keys.CHROME.bump()
    elif event is Event.ORGANISATIONS_CHANGED:
        _forget_organisations()
        _now_and_after_commit(keys.READER.bump)
    elif event is Event.READERS_CHANGED:
        _now_and_after_commit(keys.READER.bump)
    elif event is Event.READER_CHANGED:
        # Again after commit, so a request running meanwhile cannot put the
        # old profile back for long.
        _now_and_after_commit(_forget_key(keys.reader_profile_key(int(details["user_id"]))))
    elif event is Event.METER_READ:
        key = keys.meter_reads_key(int(details["user_id"]), str(details["month"]))
        _now_and_after_commit(_forget_key(key))
    elif event is Event.ITEM_KILLED:
        for kind in ("article", "dispatch"):
            item_id = details.get(f"{kind}_id")
            if item_id is not None:
                _now_and_after_commit(_bump_api_item(kind, int(item_id)))


def _bump_api_item(kind: str, item_id: int) -> Callable[[], None]:
    def bump() -> None:
        key = keys.api_item_version_key(kind, item_id)
        cache.add(key, 0, timeout=None)
        try:
            cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=None)

    return bump


def _page_changed(event: Event, page: Any) -> None:
    role = role_of(page)
    _forget_route(page.url_path)
    _now_and_after_commit(keys.LISTING.bump)
    keys.SNAPSHOT.bump()
    if role == CHROME or (role == ARTICLE and event is Event.UNPUBLISHED):
        # Every variant and listing shows the sections menu and the footer;
        # variants carry "À lire aussi" links baked in, so an article that
        # goes offline must not stay linked from the others. Publishing an
        # article does not bump: older variants pick it up when their entry
        # expires (LEDE_VARIANT_CACHE_SECONDS) or they change.
        keys.CHROME.bump()
    if isinstance(page, LegalPage):
        _now_and_after_commit(_forget_legal_links)
    if role == ARTICLE:
        edge.purge_listings(page)


def _page_moved(page: Any, **details: Any) -> None:
    for name in ("url_path_before", "url_path_after"):
        if details.get(name):
            _forget_route(details[name])
    keys.LISTING.bump()
    keys.SNAPSHOT.bump()
    if isinstance(page, LegalPage) or page.specific_class is LegalPage:
        _now_and_after_commit(_forget_legal_links)
    before = details.get("parent_page_before")
    if before is None or role_of(page) != ARTICLE:
        return
    # The instance may be a plain Page with its old path: read the page anew.
    moved = Page.objects.filter(pk=page.pk, live=True).specific().first()
    if moved is not None:
        edge.purge_move(
            moved, parent_before=before, url_path_before=details.get("url_path_before", "")
        )


def _page_deleted(page: Any) -> None:
    """Called before the rows go (the edge purge needs the page's place)."""
    keys.SNAPSHOT.bump()
    if isinstance(page, LegalPage):
        _now_and_after_commit(_forget_legal_links)
    # The specific instance only (Django also deletes its base Page row).
    if getattr(type(page), "caching_role", "") == ARTICLE and page.live:
        _now_and_after_commit(keys.LISTING.bump)
        edge.purge_listings(page)


# --- Wiring -------------------------------------------------------------------------


def on_page_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    invalidate(Event.PUBLISHED, instance)


def on_page_unpublished(sender: Any, instance: Any, **kwargs: Any) -> None:
    invalidate(Event.UNPUBLISHED, instance)


def on_page_moved(sender: Any, instance: Any, **kwargs: Any) -> None:
    invalidate(
        Event.MOVED,
        instance,
        url_path_before=kwargs.get("url_path_before"),
        url_path_after=kwargs.get("url_path_after"),
        parent_page_before=kwargs.get("parent_page_before"),
    )


def on_page_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Page):
        invalidate(Event.DELETED, instance)


def on_settings_saved(sender: Any, created: bool = False, **kwargs: Any) -> None:
    # Settings are created with their defaults on first use: nothing changes then.
    if not created:
        invalidate(Event.SETTINGS_CHANGED)


def connect() -> None:
    page_published.connect(on_page_published, dispatch_uid="lede-caching-published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="lede-caching-unpublished")
    post_page_move.connect(on_page_moved, dispatch_uid="lede-caching-moved")
    pre_delete.connect(on_page_deleted, dispatch_uid="lede-caching-deleted")
    post_save.connect(
        on_settings_saved, sender=PublicationSettings, dispatch_uid="lede-caching-settings"
    )
