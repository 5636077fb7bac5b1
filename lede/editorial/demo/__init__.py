"""The demo publication: original sample content and the loader that builds it.

Everything here is fictional text written for Lede; images are drawn with Pillow.
"""

from __future__ import annotations

from typing import Any


def load_demo(stdout: Any = None, **kwargs: Any) -> dict[str, Any]:
    from .loader import load_demo as _load_demo

    return _load_demo(stdout=stdout, **kwargs)


__all__ = ["load_demo"]
