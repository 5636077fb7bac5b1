from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import legal_links, publication_settings


def publication(request: HttpRequest) -> dict[str, Any]:
    """The publication's settings and footer links (the sections menu is
    editorial's: lede.editorial.context_processors.navigation)."""
    return {
        "publication": SimpleLazyObject(lambda: publication_settings(request)),
        # Mentions légales, CGV, confidentialité, contact: [.title, .url, .kind]
        "legal_pages": SimpleLazyObject(legal_links),
    }
