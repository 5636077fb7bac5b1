"""IPTC ninjs 3.1: the project's one serialiser (wire items, articles, dispatches).

Each app turns its own objects into a :class:`~lede.core.ninjs.build.NinjsItem`
(plain values, no models) and :func:`~lede.core.ninjs.build.to_ninjs` writes the
JSON; :mod:`~lede.core.ninjs.validation` checks it against the IPTC schema copied
in ``schemas/`` (never the network).
"""

from .build import (
    NINJS_VERSION,
    SCHEMA_URI,
    URN_PREFIX,
    Concept,
    NinjsItem,
    Picture,
    Rendition,
    as_uri,
    to_ninjs,
)
from .validation import SCHEMA_DIR, load_schema, ninjs_errors, validate_ninjs

__all__ = [
    "NINJS_VERSION",
    "SCHEMA_DIR",
    "SCHEMA_URI",
    "URN_PREFIX",
    "Concept",
    "NinjsItem",
    "Picture",
    "Rendition",
    "as_uri",
    "load_schema",
    "ninjs_errors",
    "to_ninjs",
    "validate_ninjs",
]
