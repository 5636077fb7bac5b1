"""RSS (0.9x, 1.0, 2.0) and Atom feeds, read with feedparser: one item per entry.

The bytes have already been checked by :func:`xmlsafe.parse_xml` (well-formed,
no entity declarations) before feedparser sees them.
"""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from typing import Any

import feedparser

from .markup import html_string_to_html, text_to_html
from .text import clean_text, language_code, parse_int, unique
from .types import ParseResult, Photo, WireItem
from .xmlsafe import Element, local_name, namespace

ATOM_NAMESPACES = frozenset({"http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#"})
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def accepts(root: Element) -> bool:
    name = local_name(root)
    ns = namespace(root)
    return (
        (name == "rss" and ns == "")
        or (name == "feed" and ns in ATOM_NAMESPACES)
        or (name == "RDF" and ns == RDF_NS)
    )


def parse(data: bytes, result: ParseResult) -> None:
    result.format = "rss"
    # A stream, never bytes or str: feedparser would try to open those as a path or URL.
    parsed: Any = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False)
    feed = parsed.get("feed", {})
    feed_title = clean_text(feed.get("title", ""))
    feed_language = str(feed.get("language", "") or "")
    feed_rights = clean_text(feed.get("rights", ""))
    for index, entry in enumerate(parsed.get("entries", []), start=1):
        guid = clean_text(entry.get("id", "")) or clean_text(entry.get("link", ""))
        if not guid:
            result.skip(f"entrée {index}", "entrée de flux sans identifiant (id ni lien)")
            continue
        item = WireItem(guid=guid, format="rss")
        item.headline = clean_text(entry.get("title", ""))
        content = entry.get("content") or []
        summary = str(entry.get("summary", "") or "")
        body_value, body_type, body_language = "", "", ""
        if content:
            body_value = str(content[0].get("value", "") or "")
            body_type = str(content[0].get("type", "") or "")
            body_language = str(content[0].get("language", "") or "")
        elif summary:
            detail = entry.get("summary_detail", {}) or {}
            body_value, body_type = summary, str(detail.get("type", "") or "text/html")
            body_language = str(detail.get("language", "") or "")
        if "html" in body_type:
            item.body_html = html_string_to_html(body_value, headline=item.headline)
        else:
            item.body_html = text_to_html(body_value)
        if content and summary:
            item.subheadline = clean_text(summary)
        author = entry.get("author_detail") or {}
        item.byline = clean_text(author.get("name", "")) or clean_text(entry.get("author", ""))
        item.language_tag = body_language or feed_language
        item.language = language_code(item.language_tag)
        # Plain dict access: feedparser's own lookup of "updated_parsed" silently
        # falls back to the publication date (with a deprecation warning).
        item.first_created = _datetime(dict.get(entry, "published_parsed"))
        item.version_created = _datetime(dict.get(entry, "updated_parsed")) or item.first_created
        item.first_created = item.first_created or item.version_created
        item.keywords = unique(
            clean_text(tag.get("label") or tag.get("term") or "") for tag in entry.get("tags", [])
        )
        item.copyright = clean_text(entry.get("rights", "")) or feed_rights
        # Plain-text fields are made text once for every format, in parsers/__init__.py.
        item.provider = feed_title
        item.credit = feed_title
        item.photos = _photos(entry, guid)
        result.items.append(item)


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    return datetime(*value[:6], tzinfo=UTC)


def _photos(entry: Any, guid: str) -> list[Photo]:
    caption = clean_text(entry.get("media_description", ""))
    credits = entry.get("media_credit") or []
    credit = clean_text(credits[0].get("content", "")) if credits else ""
    photos: list[Photo] = []
    candidates = [
        *(
            (media.get("url", ""), media.get("type", ""), media)
            for media in entry.get("media_content", [])
            if media.get("medium") == "image" or str(media.get("type", "")).startswith("image/")
        ),
        *(
            (link.get("href", ""), link.get("type", ""), link)
            for link in entry.get("enclosures", [])
            if str(link.get("type", "")).startswith("image/")
        ),
    ]
    for href, mimetype, data in candidates:
        href = str(href or "").strip()
        if not href or any(photo.href == href for photo in photos):
            continue
        photos.append(
            Photo(
                href=href,
                caption=caption,
                credit=credit,
                width=parse_int(data.get("width")),
                height=parse_int(data.get("height")),
                mimetype=str(mimetype or ""),
                guid=guid,
            )
        )
    return photos
