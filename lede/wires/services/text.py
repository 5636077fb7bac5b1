"""Agency text cut to the lengths of our fields."""

from __future__ import annotations


def cut(value: str, length: int) -> str:
    """``value`` if it fits, else its start and an ellipsis (``length`` characters)."""
    value = value or ""
    return value if len(value) <= length else value[: length - 1] + "…"


def cut_words(value: str, length: int) -> str:
    """Cut at a word boundary, with an ellipsis, when longer than ``length``."""
    value = " ".join(value.split())
    if len(value) <= length:
        return value
    shortened = value[: length - 1].rsplit(" ", 1)[0] or value[: length - 1]
    return shortened.rstrip(" ,;:") + "…"
