"""Parsing untrusted XML: no network, no DTD loading, no entity declarations at all.

Agency files never need their own entities; refusing every ``<!ENTITY`` closes
the "billion laughs" and quadratic blow-up attacks and external entities (XXE)
before libxml2 sees a single declaration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from .text import clean_text
from .types import ParseError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

Element = Any  # lxml ships no type information; elements are lxml.etree._Element.


def _parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


def parse_xml(data: bytes) -> Element:
    """Parse bytes as XML, raising :class:`ParseError` (in French) on any problem."""
    if _ENTITY_DECLARATION.search(data):
        raise ParseError(
            "Fichier XML invalide : les déclarations d'entités (DTD) sont refusées par sécurité."
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"Fichier XML invalide : {exc}") from exc
    except ValueError as exc:  # lxml raises ValueError for some encoding problems
        raise ParseError(f"Fichier XML invalide : {exc}") from exc
    if root is None:
        raise ParseError("Fichier XML invalide : aucun élément racine.")
    dtd = root.getroottree().docinfo.internalDTD
    # Catches declarations the byte scan cannot see (UTF-16 or UTF-32 files).
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ParseError(
            "Fichier XML invalide : les déclarations d'entités (DTD) sont refusées par sécurité."
        )
    return root


def parse_xml_string(text: str) -> Element:
    """Parse XML held in a string (for instance NITF inside a JSON field)."""
    return parse_xml(_XML_DECLARATION.sub("", text, count=1).encode("utf-8"))


def is_element(node: object) -> bool:
    """True for elements, false for comments, processing instructions and entities."""
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def local_name(el: Element) -> str:
    return str(etree.QName(el).localname) if is_element(el) else ""


def namespace(el: Element) -> str:
    return str(etree.QName(el).namespace or "") if is_element(el) else ""


class Scope:
    """Finds children by local name within one namespace (or none).

    NewsML-G2 elements live in the G2 namespace, but fragments and careless
    producers drop it; a scope accepts both and ignores foreign elements.
    NITF comes with several namespaces or none: ``any_namespace`` accepts all.
    """

    def __init__(self, *namespaces: str, any_namespace: bool = False) -> None:
        self.namespaces = frozenset(namespaces) | {""}
        self.any_namespace = any_namespace

    def match(self, el: Element, *names: str) -> bool:
        return (
            is_element(el)
            and (self.any_namespace or namespace(el) in self.namespaces)
            and (not names or local_name(el) in names)
        )

    def children(self, el: Element | None, *names: str) -> list[Element]:
        if el is None:
            return []
        return [child for child in el if self.match(child, *names)]

    def child(self, el: Element | None, *names: str) -> Element | None:
        for child in self.children(el, *names):
            return child
        return None

    def path(self, el: Element | None, *steps: str) -> Element | None:
        for step in steps:
            el = self.child(el, step)
            if el is None:
                return None
        return el

    def all(self, el: Element | None, *steps: str) -> list[Element]:
        """Every element reached by following the steps, in document order."""
        current = [] if el is None else [el]
        for step in steps:
            current = [child for parent in current for child in self.children(parent, step)]
        return current

    def descendants(self, el: Element | None, *names: str) -> Iterator[Element]:
        if el is None:
            return
        for node in el.iterdescendants():
            if self.match(node, *names):
                yield node


def text_of(el: Element | None) -> str:
    """The element's text content (comments excluded), whitespace collapsed."""
    if el is None:
        return ""
    return clean_text(etree.tostring(el, method="text", encoding="unicode", with_tail=False))


def attr(el: Element | None, name: str) -> str:
    if el is None:
        return ""
    return str(el.get(name) or "").strip()
