"""The publication's editions: French at "/", Arabic under "/ar/".

An edition is a Wagtail locale with its own home page (a translation of the
French home: same ``translation_key``), its own sections and articles. An
article may be *paired* with its counterpart in the other edition: the two
share a ``translation_key`` (Wagtail's translation link), whatever their
sections. See docs/editions.md.

Reads only: the writes are in services.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation

if TYPE_CHECKING:
    from .models import ArticlePage


def current_language() -> str:
    """The edition of the request being answered (LocaleMiddleware activated
    it from the URL's prefix; the fast path from the article's snapshot)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    language = language.split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def edition_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def in_edition(qs: QuerySet[Any], language: str | None = None) -> QuerySet[Any]:
    """``qs`` (pages) narrowed to one edition (the current one by default)."""
    return qs.filter(locale__language_code=language or current_language())


def edition_root(language: str | None = None) -> str:
    """The path the edition's addresses start with: "/" or "/ar/"."""
    language = language or current_language()
    return "/" if language == settings.LANGUAGE_CODE else f"/{language}/"


@dataclass(frozen=True, slots=True)
class Alternate:
    """One version of a page in an edition, for hreflang and the switch."""

    language: str
    url: str


def live_pair(page: Any) -> Any | None:
    """The live counterpart of ``page`` in another edition (same
    translation_key), or None. A pair whose other half is unpublished shows
    no link and no hreflang; a locked half is still linked (its paywall
    applies there)."""
    if page is None or not getattr(page, "translation_key", None):
        return None
    return (
        type(page)
        .objects.live()
        .filter(translation_key=page.translation_key)
        .exclude(pk=page.pk)
        .exclude(locale_id=page.locale_id)
        .select_related("locale")
        .first()
    )


def alternates(page: Any) -> list[Alternate]:
    """Every live version of ``page`` (itself included), French first:
    reciprocal by construction, since both halves compute the same set."""
    if page is None or not getattr(page, "translation_key", None):
        return []
    versions = (
        type(page)
        .objects.live()
        .filter(translation_key=page.translation_key)
        .select_related("locale")
    )
    found = {}
    for version in versions:
        url = version.get_full_url()
        if url:
            found[version.locale.language_code] = url
    return [Alternate(code, found[code]) for code in edition_languages() if code in found]


def meter_unit(article: ArticlePage) -> int:
    """The id an article spends on the meter: the first-created half of a
    pair, so that reading both halves costs one metered article (stable
    even while one half is unpublished)."""
    first = (
        type(article)
        .objects.filter(translation_key=article.translation_key)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return int(first or article.pk)


def pair_signature(page: Any) -> str:
    """What of the other half of a pair shows on this half (its link and
    hreflang): its id and live revision, "" when there is none live."""
    pair = live_pair(page)
    if pair is None:
        return ""
    return f"{pair.pk}:{pair.live_revision_id}"
