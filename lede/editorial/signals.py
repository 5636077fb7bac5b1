from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, post_page_move

from .models import ArticlePage
from .services import article_mark_published


@receiver(page_published)
def on_page_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Wagtail also sends page_published when a publish is only scheduled.
    if isinstance(instance, ArticlePage) and instance.live:
        article_mark_published(page=instance)


@receiver(page_published)
@receiver(page_unpublished)
def forget_article_route(sender: Any, instance: Any, **kwargs: Any) -> None:
    from .pagination import bump_listing_generation
    from .routing import forget_route

    forget_route(instance.url_path)
    # Now, and again once the change is committed: a reader who loads a
    # listing in between would otherwise keep the old one under the new number.
    bump_listing_generation()
    transaction.on_commit(bump_listing_generation)


@receiver(page_published)
@receiver(page_unpublished)
def purge_listing_pages(sender: Any, instance: Any, **kwargs: Any) -> None:
    """The edge drops the home page, sections, sitemaps and feeds that list
    the article (Wagtail's frontend cache app purges the article itself)."""
    if isinstance(instance, ArticlePage):
        from .edge import purge_listings

        purge_listings(instance)


@receiver(pre_delete, sender=ArticlePage)
def forget_deleted_article(sender: Any, instance: ArticlePage, **kwargs: Any) -> None:
    """Wagtail sends no page_unpublished when a live page is deleted: drop the
    listings that showed it (the cache's and the edge's) once it is gone."""
    if not instance.live:
        return
    from .edge import purge_listings
    from .pagination import bump_listing_generation

    bump_listing_generation()
    transaction.on_commit(bump_listing_generation)
    purge_listings(instance)


@receiver(post_page_move)
def forget_moved_routes(sender: Any, instance: Any, **kwargs: Any) -> None:
    from .routing import forget_route

    for key in ("url_path_before", "url_path_after"):
        if kwargs.get(key):
            forget_route(kwargs[key])
    from wagtail.models import Page

    from .pagination import bump_listing_generation
    from .services import articles_refresh_sections

    bump_listing_generation()
    # The instance may be a plain Page with its old path: read the new one.
    fresh = Page.objects.filter(pk=instance.pk).values_list("path", flat=True).first()
    if fresh:
        articles_refresh_sections(under_path=fresh)
    moved = Page.objects.filter(pk=instance.pk, live=True).specific().first()
    before = kwargs.get("parent_page_before")
    if isinstance(moved, ArticlePage) and before is not None:
        from .edge import purge_move

        purge_move(moved, parent_before=before, url_path_before=kwargs.get("url_path_before", ""))
