"""NITF documents, as found inside NewsML-G2 ``inlineXML``, NewsML 1 or ninjs bodies."""

from __future__ import annotations

from dataclasses import dataclass

from .markup import element_to_html
from .text import parse_urgency
from .xmlsafe import Element, Scope, attr, local_name, text_of

# NITF turns up in its 2006 namespace, in older ones, or in none at all.
NITF = Scope(any_namespace=True)


@dataclass
class NitfParts:
    body_html: str = ""
    headline: str = ""
    subheadline: str = ""
    byline: str = ""
    dateline: str = ""
    abstract: str = ""
    urgency: int | None = None
    copyright: str = ""


def is_nitf(el: Element) -> bool:
    return local_name(el) == "nitf"


def parse_nitf(nitf: Element, *, headline: str = "") -> NitfParts:
    """Body and the body.head metadata of an ``<nitf>`` element."""
    parts = NitfParts()
    head = NITF.path(nitf, "head")
    body = NITF.child(nitf, "body")
    body_head = NITF.child(body, "body.head")

    hedline = NITF.child(body_head, "hedline")
    parts.headline = text_of(NITF.child(hedline, "hl1"))
    parts.subheadline = text_of(NITF.child(hedline, "hl2"))
    if not parts.headline:
        parts.headline = text_of(NITF.child(head, "title"))

    bylines = []
    for byline in NITF.children(body_head, "byline"):
        people = [text_of(person) for person in NITF.children(byline, "person")]
        people = [person for person in people if person]
        bylines.append(", ".join(people) if people else text_of(byline))
    parts.byline = "; ".join(b for b in bylines if b)

    dateline = NITF.child(body_head, "dateline")
    parts.dateline = text_of(dateline)
    parts.abstract = text_of(NITF.child(body_head, "abstract"))

    docdata = NITF.child(head, "docdata")
    parts.urgency = parse_urgency(attr(NITF.child(docdata, "urgency"), "ed-urg"))
    copyright_el = NITF.child(docdata, "doc.copyright")
    parts.copyright = attr(copyright_el, "holder")

    content = NITF.child(body, "body.content")
    if content is not None:
        parts.body_html = element_to_html(content, headline=headline or parts.headline)
    return parts
