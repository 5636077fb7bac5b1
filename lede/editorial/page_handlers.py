"""What the page models hand over to code that sits above them.

The page models (models.py) are the bottom of the editorial app: selectors,
feeds and the paywall read them. A page still has to build its context,
list its articles, answer its feed, and an article has to be served through
the paywall; the models call the handler registered here instead of
importing that code (which imports them back). Each handler is registered
once, in an AppConfig.ready(): editorial's own in lede/editorial/apps.py,
the article server by the paywall (lede/paywall/apps.py). A handler that was
never registered raises ImproperlyConfigured: an article is never served
without the paywall.

This module imports nothing of the project.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

F = TypeVar("F", bound=Callable[..., Any])


class Handler(Generic[F]):
    def __init__(self, name: str, registered_by: str) -> None:
        self.name = name
        self.registered_by = registered_by
        self._function: F | None = None

    def register(self, function: F) -> F:
        self._function = function
        return function

    def get(self) -> F:
        if self._function is None:
            raise ImproperlyConfigured(
                f"No {self.name} registered (expected from {self.registered_by})."
            )
        return self._function


#: ``(page: ArticlePage, request) -> HttpResponse``: the paywall's serving.
serve_article: Handler[Callable[[Any, Any], Any]] = Handler("article server", "lede.paywall")
#: ``(page: ArticlePage, request) -> dict``: the article's own context
#: (JSON-LD, share image, related articles).
article_context: Handler[Callable[[Any, Any], dict[str, Any]]] = Handler(
    "article context", "lede.editorial"
)
#: ``(home: HomePage) -> dict``: the home page's blocks.
home_context: Handler[Callable[[Any], dict[str, Any]]] = Handler("home context", "lede.editorial")
#: ``(section: SectionPage) -> QuerySet[ArticlePage]``: a section's articles.
section_articles: Handler[Callable[[Any], Any]] = Handler("section articles", "lede.editorial")
#: ``(request, section: SectionPage) -> HttpResponse``: a section's RSS feed.
section_feed: Handler[Callable[[Any, Any], Any]] = Handler("section feed", "lede.editorial")
