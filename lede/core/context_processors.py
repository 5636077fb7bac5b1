from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .selectors import legal_links, publication_settings


def publication(request: HttpRequest) -> dict[str, Any]:
    from django.utils.functional import SimpleLazyObject

    from lede.editorial.selectors import navigation_sections

    return {
        "publication": SimpleLazyObject(lambda: publication_settings(request)),
        "nav_sections": SimpleLazyObject(lambda: list(navigation_sections())),
        # Mentions légales, CGV, confidentialité, contact: [.title, .url, .kind]
        "legal_pages": SimpleLazyObject(legal_links),
    }
