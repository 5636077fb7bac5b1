"""Keep the search index in step with publishing. Receivers only call services."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lede.editorial.models import ArticlePage, Author, SectionPage

from .services import (
    search_index_article,
    search_index_author_articles,
    search_index_section_articles,
    search_index_tag_articles,
    search_remove_article,
)


def on_page_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, ArticlePage):
        search_index_article(article=instance)
    elif isinstance(instance, SectionPage):
        # A renamed section: the section title its articles are found by.
        section_id = instance.pk
        transaction.on_commit(lambda: search_index_section_articles(section_id=section_id))


def on_page_unpublished(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, ArticlePage):
        search_remove_article(article_id=instance.pk)


def on_article_deleted(sender: Any, instance: ArticlePage, **kwargs: Any) -> None:
    search_remove_article(article_id=instance.pk)


def on_author_saved(sender: Any, instance: Author, created: bool, **kwargs: Any) -> None:
    """A renamed author: the credits of their live articles change."""
    if created or kwargs.get("raw"):
        return
    author_id = instance.pk
    transaction.on_commit(lambda: search_index_author_articles(author_id=author_id))


def on_tag_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A renamed tag: the tags of its live articles change."""
    if created or kwargs.get("raw"):
        return
    tag_id = instance.pk
    transaction.on_commit(lambda: search_index_tag_articles(tag_id=tag_id))
