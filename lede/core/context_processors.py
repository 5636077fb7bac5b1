from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import TRANSLATED_SETTINGS
from .selectors import legal_links, publication_settings
from .translated import LocalizedView


def publication(request: HttpRequest) -> dict[str, Any]:
    """The publication's settings and footer links (the sections menu is
    editorial's: lede.editorial.context_processors.navigation)."""
    return {
        # Its words in the edition's language (lede/core/translated.py).
        "publication": SimpleLazyObject(
            lambda: LocalizedView(publication_settings(request), TRANSLATED_SETTINGS)
        ),
        # Mentions légales, CGV, confidentialité, contact: [.title, .url, .kind]
        "legal_pages": SimpleLazyObject(legal_links),
    }
