"""Demo sections of the Arabic edition.

PLACEHOLDER (helper h-ar): two sections so that the loader and its tests
run; helper h-artext writes the real module (same shape as sections.py, plus
``pair``: the key of the French section it corresponds to, if any).
"""

from __future__ import annotations

from typing import Any

SECTIONS_AR: list[dict[str, Any]] = [
    {
        "key": "maghrib",
        "title": "المغرب",
        "description": "السياسة والمجتمع والجهات في المغرب.",
        "access": "public",
        "pair": "maroc",
    },
    {
        "key": "iqtisad",
        "title": "اقتصاد",
        "description": "المقاولات والأسواق والمالية العمومية.",
        "access": "public",
        "pair": "economie",
    },
]
