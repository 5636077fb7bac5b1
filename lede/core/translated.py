"""Reader-facing text of plain (non-page) models in both editions.

Pages are localised by Wagtail (one page per locale, linked by
translation_key). Plain models that hold reader-facing words — offers and
plans, the publication settings, newsletters — keep ONE row, because what
they describe is one thing in both editions (one price, one subscription,
one newsletter list), and give each translated text field a sibling column
per other language: ``headline`` and ``headline_ar``. The reader sees the
column of their edition when it is filled, the French one otherwise
(docs/editions.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import get_language


def column(field: str, language: str) -> str:
    """The column holding ``field`` in ``language``: ``headline`` for
    French, ``headline_ar`` for Arabic."""
    return field if language == settings.LANGUAGE_CODE else f"{field}_{language}"


def localized(obj: Any, field: str, language: str | None = None) -> Any:
    """``obj.field`` in the current edition's language, falling back on the
    French text when that language's column is empty or missing. ``obj``
    may be a model instance or a plain dict."""
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    getter = (
        obj.get if isinstance(obj, dict) else lambda name, default=None: getattr(obj, name, default)
    )
    if language != settings.LANGUAGE_CODE:
        value = getter(column(field, language), None)
        if value:
            return value
    return getter(field, "")


class LocalizedView:
    """A read-only view of a model instance whose translated fields answer in
    the current edition's language (``fields``), every other attribute as
    the instance's own. Templates keep writing ``publication.tagline``."""

    def __init__(self, obj: Any, fields: frozenset[str]) -> None:
        self._obj = obj
        self._fields = fields

    def __getattr__(self, name: str) -> Any:
        if name in self._fields:
            return localized(self._obj, name)
        return getattr(self._obj, name)
