"""Wire copy to the publication's shapes: article StreamField blocks, brève text."""

from __future__ import annotations

import html
from typing import Any

import lxml.html
from lxml import etree

from .parsers.markup import sanitize_html, strip_html

# Blocks kept together in one rich-text paragraph block.
_RICH = frozenset({"p", "ul", "ol"})
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})


def _fragments(body_html: str) -> list[Any]:
    cleaned = sanitize_html(body_html)
    if not cleaned:
        return []
    try:
        nodes = lxml.html.fragments_fromstring(cleaned)
    except (etree.ParserError, ValueError):
        return []
    return list(nodes)


def body_to_stream(body_html: str) -> list[tuple[str, Any]]:
    """Sanitised body HTML to ``ArticleBodyBlock`` data: paragraphs grouped into
    rich-text blocks, sub-headings and quotations as their own blocks."""
    blocks: list[tuple[str, Any]] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            blocks.append(("paragraph", "".join(pending)))
            pending.clear()

    for node in _fragments(body_html):
        if isinstance(node, str):
            text = node.strip()
            if text:
                pending.append(f"<p>{html.escape(text)}</p>")
            continue
        tag = str(node.tag).lower()
        if tag in _HEADINGS:
            flush()
            text = strip_html(lxml.html.tostring(node, encoding="unicode"))
            if text:
                blocks.append(("subheading", text[:255]))
        elif tag == "blockquote":
            flush()
            text = strip_html(lxml.html.tostring(node, encoding="unicode"))
            if text:
                blocks.append(("quote", {"text": text, "attribution": ""}))
        elif tag in _RICH:
            pending.append(lxml.html.tostring(node, encoding="unicode", with_tail=False))
        else:
            inner = lxml.html.tostring(node, encoding="unicode", with_tail=False)
            pending.append(f"<p>{inner}</p>")
    flush()
    return blocks


def dispatch_body(
    *, body_html: str, standfirst: str = "", max_paragraphs: int = 3, max_chars: int = 2000
) -> str:
    """A brève is one to three short paragraphs: the first ones of the wire, as many
    as fit in ``max_chars`` characters of text (the first one cut if it must be)."""
    paragraphs: list[str] = []
    used = 0
    for node in _fragments(body_html):
        if isinstance(node, str) or str(node.tag).lower() != "p":
            continue
        markup = lxml.html.tostring(node, encoding="unicode", with_tail=False)
        text = strip_html(markup)
        if not text:
            continue
        if used + len(text) > max_chars:
            if not paragraphs:
                paragraphs.append(f"<p>{html.escape(_shorten(text, max_chars))}</p>")
            break
        paragraphs.append(markup)
        used += len(text)
        if len(paragraphs) >= max_paragraphs:
            break
    if not paragraphs and standfirst.strip():
        paragraphs.append(f"<p>{html.escape(_shorten(standfirst.strip(), max_chars))}</p>")
    return sanitize_html("\n".join(paragraphs))


def _shorten(text: str, length: int) -> str:
    if len(text) <= length:
        return text
    cut = text[: length - 1].rsplit(" ", 1)[0] or text[: length - 1]
    return cut + "…"
