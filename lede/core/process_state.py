"""One list of the state a process keeps between requests.

Modules that hold something in memory across requests (a local copy of a
cache, an lru_cache over settings, a hint table, a pool of clients) register a
function that forgets it. Tests reset everything in one call between tests
(conftest.py), so no test can see what an earlier one left behind; the list
also tells a reader at a glance what a long-lived process remembers.

This module imports nothing of the project: any module may register here.
"""

from __future__ import annotations

from collections.abc import Callable

_resetters: dict[str, Callable[[], None]] = {}


def register(name: str, reset: Callable[[], None]) -> None:
    """Declare process state: ``reset`` forgets it. ``name`` is the state's
    dotted home (``"lede.core.network.trusted_proxies"``); registering the
    same name again replaces the function (module reloads)."""
    _resetters[name] = reset


def registered() -> list[str]:
    """The names of every piece of process state, sorted."""
    return sorted(_resetters)


def reset_all() -> None:
    """Forget every registered piece of process state."""
    for reset in list(_resetters.values()):
        reset()
