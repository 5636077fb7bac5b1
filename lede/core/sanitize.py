"""HTML sanitising with nh3 (Rust's ammonia): used on save and on render."""

from __future__ import annotations

import re

import nh3
from django.utils.safestring import SafeString, mark_safe

RICH_TEXT_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "figure",
    "figcaption",
    "img",
    "code",
    "hr",
    "span",
}
RICH_TEXT_ATTRIBUTES = {
    "a": {"href", "title", "id", "linktype"},
    "img": {"src", "alt", "width", "height", "class"},
    "span": {"lang", "dir"},
    "p": {"dir"},
    "embed": {"embedtype", "id", "format", "alt"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

EMBED_TAGS = {"iframe", "div", "blockquote", "p", "a", "figure", "img", "span", "br"}
EMBED_ATTRIBUTES = {
    "iframe": {
        "src",
        "width",
        "height",
        "title",
        "allow",
        "allowfullscreen",
        "frameborder",
        "loading",
        "referrerpolicy",
    },
    "div": {"class", "style"},
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "blockquote": {"class", "cite"},
}


_EMPTY_IFRAME = re.compile(r"<iframe(?![^>]*\bsrc=)[^>]*>\s*</iframe>")
_EMBED_OPEN = re.compile(r"<embed(\b[^>]*?)\s*/?>")


def clean_html(value: str | None) -> SafeString:
    """Keep the tags rendered article HTML may contain; drop scripts, handlers, bad URLs."""
    if not value:
        return mark_safe("")
    cleaned = nh3.clean(
        str(value),
        tags=RICH_TEXT_TAGS,
        attributes=RICH_TEXT_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)


def clean_rich_text_source(value: str | None) -> str:
    """Sanitise Wagtail's stored rich text format before it is saved.

    Wagtail keeps internal links as ``<a linktype="page" id="3">`` and images as
    self-closing ``<embed embedtype="image" .../>``; both survive, anything
    else outside the allow-list (scripts, handlers, javascript: URLs) goes.
    """
    if not value:
        return ""
    cleaned = nh3.clean(
        str(value),
        tags=RICH_TEXT_TAGS | {"embed"},
        attributes=RICH_TEXT_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
    )
    # nh3 serialises void elements as HTML (<embed ...>); Wagtail's rewriter
    # expects the self-closing form.
    return _EMBED_OPEN.sub(lambda m: f"<embed{m.group(1)}/>", cleaned)


def clean_embed_html(value: str | None) -> SafeString:
    """oEmbed HTML from a provider: iframes over https only, no scripts."""
    if not value:
        return mark_safe("")
    cleaned = nh3.clean(
        str(value),
        tags=EMBED_TAGS,
        attributes=EMBED_ATTRIBUTES,
        url_schemes={"https"},
        link_rel="noopener noreferrer",
    )
    # An iframe whose src was refused is left empty by nh3: drop it.
    return mark_safe(_EMPTY_IFRAME.sub("", cleaned))


def strip_tags(value: str | None) -> str:
    if not value:
        return ""
    return nh3.clean(str(value), tags=set())
