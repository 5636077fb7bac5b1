"""Article bodies: from NITF, XHTML, agency HTML or plain text to clean HTML.

Agency markup is first flattened into a sequence of blocks (paragraphs,
sub-headings, quotes, lists), then sanitised with nh3 against a short
allow-list. Only the tags below survive, links keep an http, https or mailto
``href`` and nothing else: no scripts, styles, event handlers or images.
"""

from __future__ import annotations

import copy
import html
import re

import lxml.html
import nh3
from lxml import etree

from .text import clean_text, repair_mojibake, unique
from .types import Subject, WireItem
from .xmlsafe import Element, is_element, local_name

ALLOWED_TAGS = frozenset(
    {"p", "h2", "h3", "blockquote", "ul", "ol", "li", "strong", "em", "b", "i", "a", "br"}
)
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed with everything inside them (other unknown tags keep their text).
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "head", "title", "template", "noscript", "iframe", "object",
        "embed", "svg", "math", "figure", "figcaption", "img", "picture", "video", "audio",
        "source", "canvas", "form", "button", "select", "textarea", "input", "nav",
        "media", "body.head", "body.end", "meta", "link", "base",
    }
)  # fmt: skip

# Block elements kept (or renamed) in the output. NITF: hl2 is a sub-heading,
# bq a quotation; HTML h1 is usually the headline again.
_BLOCKS = {
    "p": "p",
    "pre": "p",
    "address": "p",
    "h1": "h2",
    "h2": "h2",
    "hl2": "h2",
    "h3": "h3",
    "h4": "h3",
    "h5": "h3",
    "h6": "h3",
    "blockquote": "blockquote",
    "bq": "blockquote",
    "ul": "ul",
    "ol": "ol",
    "dl": "ul",
}
# Renamed wherever they appear, including inside kept blocks.
_RENAMED = {"bq": "blockquote", "hl2": "h2", "dl": "ul", "dt": "li", "dd": "li", "pre": "p"}
# Elements whose children are walked as blocks.
_CONTAINERS = frozenset(
    {
        "html", "body", "body.content", "block", "div", "section", "article", "main",
        "header", "footer", "aside", "center", "nitf", "content", "fn", "tbody", "thead",
        "tfoot", "dataContent", "DataContent", "inlineXML",
    }
)  # fmt: skip
_TABLES = frozenset({"table", "nitf-table"})

_BLOCK_TAGS = "p|h2|h3|blockquote|ul|ol|li"
_EMPTY_BLOCK = re.compile(rf"<({_BLOCK_TAGS})>(?:\s|<br>|&nbsp;|\u00a0)*</\1>")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_SPACE_AFTER_OPENING = re.compile(rf"(<(?:{_BLOCK_TAGS})>)(?: |<br>)+")
_SPACE_BEFORE_CLOSING = re.compile(rf"(?: |<br>)+(</(?:{_BLOCK_TAGS})>)")
_BETWEEN_BLOCKS = re.compile(rf"(</(?:{_BLOCK_TAGS})>) ?(?=<(?:{_BLOCK_TAGS})>)")
_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n")


def sanitize_html(value: str) -> str:
    """Apply the allow-list; drop empty paragraphs left behind."""
    if not value or not value.strip():
        return ""
    cleaned = nh3.clean(
        value,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
        attribute_filter=_filter_attribute,
    )
    cleaned = _SPACES.sub(" ", cleaned)
    cleaned = _SPACE_AFTER_OPENING.sub(r"\1", cleaned)
    cleaned = _SPACE_BEFORE_CLOSING.sub(r"\1", cleaned)
    previous = None
    while previous != cleaned:
        previous = cleaned
        cleaned = _EMPTY_BLOCK.sub("", cleaned)
    cleaned = _BETWEEN_BLOCKS.sub(r"\1\n", cleaned)
    return repair_mojibake(cleaned.strip())


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """nh3 callback: only the allow-listed attributes (nh3 would keep ``title`` and
    ``lang`` on every tag), never empty (a link emptied upstream is no link)."""
    if attribute not in ALLOWED_ATTRIBUTES.get(tag, ()) or not value.strip():
        return None
    return value


# Dropped with their content from a plain-text field: never text for a reader.
_PLAIN_TEXT_DROPPED = frozenset(
    {"script", "style", "template", "iframe", "object", "embed", "svg", "math", "noscript"}
)


def plain_text(value: object) -> str:
    """A field the reader sees as text (headline, byline, caption, credit…).

    Agencies put markup and entities in such fields whatever their format
    says, and a template would print them literally ("<b>Rabat</b>").
    Tags are dropped (scripts and styles with their content) by nh3, then
    entities decoded once, then whitespace collapsed: the result is text,
    which templates escape when they show it.
    """
    text = clean_text(value)
    if "<" not in text and "&" not in text:
        return text
    cleaned = nh3.clean(
        text, tags=set(), clean_content_tags=set(_PLAIN_TEXT_DROPPED), strip_comments=True
    )
    return clean_text(html.unescape(cleaned))


def plain_multiline(value: object) -> str:
    """:func:`plain_text` line by line (an editor's note), empty lines dropped."""
    lines = (plain_text(line) for line in str(value or "").splitlines())
    return "\n".join(line for line in lines if line)


def strip_html(value: str) -> str:
    """Text of a small HTML value (a headline, a caption), entities decoded."""
    return plain_text(value) if value else ""


def item_text_fields_to_text(item: WireItem) -> None:
    """Every plain-text field of a parsed item through :func:`plain_text`,
    once, whatever the format: the parsers leave these fields as the agency
    wrote them (whitespace aside), and this is the one place they become text.
    ``body_html`` is not touched: it went through :func:`sanitize_html`."""
    for name in PLAIN_TEXT_FIELDS:
        setattr(item, name, plain_text(getattr(item, name)))
    # A standfirst may come as one line per paragraph (NewsML 1): kept.
    item.subheadline = plain_multiline(item.subheadline)
    item.ednote = plain_multiline(item.ednote)
    item.keywords = unique(plain_text(keyword) for keyword in item.keywords)
    subjects: list[Subject] = []
    for subject in item.subjects:
        cleaned = Subject(code=subject.code, name=plain_text(subject.name), kind=subject.kind)
        if (cleaned.code or cleaned.name) and cleaned not in subjects:
            subjects.append(cleaned)
    item.subjects = subjects
    for photo in item.photos:
        photo.caption = plain_text(photo.caption)
        photo.credit = plain_text(photo.credit)


PLAIN_TEXT_FIELDS = (
    "headline",
    "byline",
    "dateline",
    "located",
    "slugline",
    "copyright",
    "credit",
    "provider",
)


def text_to_html(text: str) -> str:
    """Plain text to paragraphs: blank lines separate them, or single line breaks
    when the text has no blank line at all."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    parts = _BLANK_LINES.split(text) if _BLANK_LINES.search(text) else text.split("\n")
    paragraphs = [clean_text(part) for part in parts]
    return sanitize_html("".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p))


def html_string_to_html(value: str, *, headline: str = "") -> str:
    """Agency HTML (a fragment or a whole document) to clean body HTML."""
    if not value or not value.strip():
        return ""
    try:
        document = lxml.html.document_fromstring(value)
    except (etree.ParserError, ValueError):
        return sanitize_html(value)
    body = document.find("body")
    return element_to_html(body if body is not None else document, headline=headline)


def element_to_html(container: Element, *, headline: str = "") -> str:
    """An XHTML, NITF or HTML element (its children, really) to clean body HTML."""
    if container is None:
        return ""
    builder = _BlockBuilder(clean_text(headline))
    builder.walk(container)
    return sanitize_html(builder.result())


class _BlockBuilder:
    """Walks containers, keeps blocks, and wraps loose inline content in ``<p>``."""

    def __init__(self, headline: str) -> None:
        self.headline = headline
        self.parts: list[str] = []
        self.pending: list[str] = []

    def result(self) -> str:
        self.flush()
        return "\n".join(self.parts)

    def flush(self) -> None:
        content = "".join(self.pending).strip()
        self.pending = []
        if content and clean_text(nh3.clean(content, tags=set())):
            self.parts.append(f"<p>{content}</p>")

    def walk(self, container: Element) -> None:
        if container.text:
            self.pending.append(html.escape(container.text))
        previous = None
        for child in container:
            if (
                previous is not None
                and not previous.tail
                and _is_span(previous)
                and _is_span(child)
            ):
                # Adjacent spans are usually separate labels ("Försvar", "TT"): keep them apart.
                self.pending.append(" ")
            self.visit(child)
            if child.tail:
                self.pending.append(html.escape(child.tail))
            previous = child

    def visit(self, el: Element) -> None:
        if not is_element(el):
            return  # comment, processing instruction or unresolved entity
        name = local_name(el)
        lowered = name.lower()
        if lowered in DROPPED_WITH_CONTENT:
            return
        if name in _CONTAINERS or lowered in _CONTAINERS:
            self.flush()
            self.walk(el)
            self.flush()
        elif lowered in _TABLES:
            self.flush()
            self.table(el)
        elif lowered in _BLOCKS:
            self.flush()
            if lowered == "h1" and clean_text(_plain(el)) == self.headline:
                return
            self.parts.append(_serialise(el, _BLOCKS[lowered]))
        elif lowered == "br":
            self.pending.append("<br>")
        else:
            self.pending.append(_serialise(el, lowered))

    def table(self, el: Element) -> None:
        """Tables are not kept: each row becomes a paragraph, cells joined by " | "."""
        for row in el.iter():
            if not is_element(row) or local_name(row).lower() != "tr":
                continue
            cells = [
                clean_text(_plain(cell))
                for cell in row
                if is_element(cell) and local_name(cell).lower() in {"td", "th"}
            ]
            line = " | ".join(cell for cell in cells if cell)
            if line:
                self.parts.append(f"<p>{html.escape(line)}</p>")


def _is_span(el: Element) -> bool:
    return is_element(el) and local_name(el).lower() == "span"


def _plain(el: Element) -> str:
    return str(etree.tostring(el, method="text", encoding="unicode", with_tail=False))


def _serialise(el: Element, tag: str) -> str:
    """Copy of the element without namespaces, renamed, as HTML (sanitised later)."""
    clone = copy.deepcopy(el)
    clone.tail = None
    for node in list(clone.iter()):
        if not is_element(node):
            continue
        name = local_name(node)
        node.tag = _RENAMED.get(name.lower(), name)
    clone.tag = tag
    etree.cleanup_namespaces(clone)
    return str(etree.tostring(clone, method="html", encoding="unicode", with_tail=False))
