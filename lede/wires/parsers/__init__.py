"""Agency wire files to :class:`WireItem`: NewsML-G2, NewsML 1, ninjs, RSS and Atom.

The format is sniffed from the content, never trusted from the file name:

* JSON object -> ninjs (1.x, 2.x or 3.x);
* XML whose root is in the ``http://iptc.org/std/nar/2006-10-01/`` namespace
  -> NewsML-G2 (news items, packages, news messages; concept, knowledge and
  planning items are reported as skipped);
* XML ``<NewsML>`` root -> NewsML 1.x;
* ``<rss>``, RSS 1.0 ``<rdf:RDF>`` or Atom ``<feed>`` -> feed, one item per entry.

Anything else, and every malformed file, raises :class:`ParseError` with a
message in French for the wire desk. Reading errors (missing file, permissions)
are left as :class:`OSError`: they are worth retrying, a bad file is not.

Pure Python, no Django: usable from a management command, a task or a shell.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import feed, newsml1, newsml_g2, ninjs
from .markup import item_text_fields_to_text
from .types import ParseError, ParseResult, Photo, PubStatus, Subject, WireFormat, WireItem
from .xmlsafe import local_name, namespace, parse_xml

__all__ = [
    "MAX_FILE_SIZE",
    "ParseError",
    "ParseResult",
    "Photo",
    "PubStatus",
    "Subject",
    "WireFormat",
    "WireItem",
    "parse_bytes",
    "parse_file",
]

MAX_FILE_SIZE = 20 * 1024 * 1024
"""Larger files are refused: a wire story is a few kilobytes, a picture is sent by link."""

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def parse_file(path: Path | str) -> ParseResult:
    """Read and parse one wire file (``OSError`` if it cannot be read)."""
    path = Path(path)
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_SIZE + 1)
    return parse_bytes(data, filename=path.name)


def parse_bytes(data: bytes, filename: str = "") -> ParseResult:
    """Sniff the format of ``data`` and parse it; ``filename`` is quoted in errors."""
    try:
        return _parse(data)
    except ParseError as exc:
        if not filename:
            raise
        raise ParseError(f"{exc} (fichier « {filename} »)") from exc


def _parse(data: bytes) -> ParseResult:
    if len(data) > MAX_FILE_SIZE:
        raise ParseError(f"Fichier trop volumineux : plus de {MAX_FILE_SIZE // 2**20} Mo.")
    start = _first_significant_byte(data)
    if start is None:
        raise ParseError("Fichier vide.")
    result = ParseResult()
    if start in b"{[":
        _parse_json(data, result)
    elif start == ord("<"):
        _parse_xml(data, result)
    else:
        raise ParseError(
            "Format de dépêche non reconnu : ni XML ni JSON "
            "(NewsML-G2, NewsML, ninjs, RSS ou Atom attendus)."
        )
    for item in result.items:
        item_text_fields_to_text(item)
    return result


def _first_significant_byte(data: bytes) -> int | None:
    """The first byte that is not a byte-order mark or whitespace (UTF-8 or UTF-16)."""
    for bom in _BOMS:
        if data.startswith(bom):
            data = data[len(bom) :]
            break
    stripped = data[:4096].lstrip(b" \t\r\n\x00")
    return stripped[0] if stripped else None


def _parse_json(data: bytes, result: ParseResult) -> None:
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError
        raise ParseError(f"Fichier JSON invalide : {exc}") from exc
    if not isinstance(obj, dict):
        kind = "une liste" if isinstance(obj, list) else f"une valeur {type(obj).__name__}"
        raise ParseError(f"Fichier JSON invalide : un objet ninjs est attendu, pas {kind}.")
    if not ninjs.looks_like_ninjs(obj):
        raise ParseError(
            "Format de dépêche non reconnu : objet JSON sans propriété ninjs "
            "(uri, headlines, bodies…)."
        )
    ninjs.parse(obj, result)


def _parse_xml(data: bytes, result: ParseResult) -> None:
    root = parse_xml(data)
    if newsml_g2.accepts(root):
        newsml_g2.parse(root, result)
    elif newsml1.accepts(root):
        newsml1.parse(root, result)
    elif feed.accepts(root):
        feed.parse(data, result)
    else:
        ns = namespace(root)
        label = f"{{{ns}}}{local_name(root)}" if ns else local_name(root)
        raise ParseError(f"Format de dépêche non reconnu : élément racine « {label} ».")
