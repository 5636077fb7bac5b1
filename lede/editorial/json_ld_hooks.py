"""Hooks that add to an article's JSON-LD: apps above editorial (the rights of
lede.syndication) register a function here in their AppConfig.ready(), so that
editorial never imports them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Hook = Callable[[dict[str, Any], Any, Any], dict[str, Any]]

_hooks: dict[str, Hook] = {}


def register(name: str, hook: Hook) -> None:
    """``hook(data, article, request)`` returns the JSON-LD with its additions."""
    _hooks[name] = hook


def apply(data: dict[str, Any], article: Any, request: Any) -> dict[str, Any]:
    for name in sorted(_hooks):
        data = _hooks[name](data, article, request)
    return data
