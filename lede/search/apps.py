from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created

from .arabic import SQLITE_NORMALIZE, normalize_arabic


def _sqlite_normalize(value: Any) -> Any:
    return normalize_arabic(value) if isinstance(value, str) else value


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Give every SQLite connection the function the FTS5 triggers call
    (migration 0003): the index holds normalised text."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_NORMALIZE, 1, _sqlite_normalize, deterministic=True
        )


class SearchConfig(AppConfig):
    name = "lede.search"
    label = "lede_search"
    verbose_name = "Recherche"

    def ready(self) -> None:
        connection_created.connect(register_sqlite_functions, dispatch_uid="lede_search.sqlite")
        from django.db.models.signals import post_delete, post_save
        from taggit.models import Tag
        from wagtail.signals import page_published, page_unpublished

        from lede.editorial.models import ArticlePage, Author

        from . import signals

        uid = "lede_search"
        page_published.connect(signals.on_page_published, dispatch_uid=f"{uid}.published")
        page_unpublished.connect(signals.on_page_unpublished, dispatch_uid=f"{uid}.unpublished")
        post_delete.connect(
            signals.on_article_deleted, sender=ArticlePage, dispatch_uid=f"{uid}.deleted"
        )
        post_save.connect(signals.on_author_saved, sender=Author, dispatch_uid=f"{uid}.author")
        post_save.connect(signals.on_tag_saved, sender=Tag, dispatch_uid=f"{uid}.tag")
