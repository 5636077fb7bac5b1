from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import navigation_sections


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The sections menu every page's header shows (read only when shown)."""
    return {"nav_sections": SimpleLazyObject(lambda: list(navigation_sections()))}
