"""What a live blog page shows: the pinned entry, the others in the page's order,
each entry as plain text, and the page's ``LiveBlogPosting`` JSON-LD.

These work on a page already loaded and never query the live feed's tables, so
the page model builds its context with them without depending on the
selectors (which depend on the models).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.text import Truncator

from lede.core.sanitize import strip_tags
from lede.core.selectors import publication_settings

if TYPE_CHECKING:
    from .models import LiveBlogEntry, LiveBlogPage


def live_blog_parts(page: LiveBlogPage) -> dict[str, Any]:
    """The pinned entry (the most recent pinned one) and the others, in the page's order."""
    newest_first = page.order == page.Order.NEWEST_FIRST
    entries = sorted(page.entries.all(), key=lambda e: (e.time, e.pk or 0), reverse=newest_first)
    pinned_candidates = [e for e in entries if e.pinned]
    pinned = max(pinned_candidates, key=lambda e: e.time) if pinned_candidates else None
    return {
        "pinned": pinned,
        "entries": [e for e in entries if e is not pinned],
        "all_entries": entries,
    }


def entry_text(entry: LiveBlogEntry) -> str:
    parts: list[str] = []
    for block in entry.content:
        if block.block_type == "text":
            parts.append(strip_tags(getattr(block.value, "source", str(block.value))))
        elif block.block_type == "quote":
            text = f"« {block.value['text']} »"
            if block.value.get("attribution"):
                text += f" — {block.value['attribution']}"
            parts.append(text)
        elif block.block_type == "image":
            caption = block.value.get("caption") or getattr(block.value["image"], "caption", "")
            if caption:
                parts.append(caption)
    return " ".join(" ".join(parts).split())


def live_blog_json_ld(
    page: LiveBlogPage, request: HttpRequest | None, parts: dict[str, Any]
) -> dict[str, Any]:
    pub = publication_settings(request)
    url = page.get_full_url(request) or ""
    updates = []
    for entry in parts["all_entries"]:
        text = entry_text(entry)
        headline = entry.title or Truncator(text).chars(110) or page.title
        updates.append(
            {
                "@type": "BlogPosting",
                "headline": headline[:110],
                "datePublished": entry.time.isoformat(),
                "articleBody": text,
                "url": f"{url}#entree-{entry.pk}",
            }
        )
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "@id": url,
        "url": url,
        "headline": page.title[:110],
        "description": " ".join(strip_tags(page.summary).split()),
        "inLanguage": pub.language or "fr",
        "isAccessibleForFree": True,
        "publisher": {"@type": "NewsMediaOrganization", "name": pub.name},
        "liveBlogUpdate": updates,
    }
    start = page.coverage_start_time
    if start is not None:
        data["coverageStartTime"] = start.isoformat()
        data["datePublished"] = start.isoformat()
    if page.coverage_end is not None:
        data["coverageEndTime"] = page.coverage_end.isoformat()
    modified = page.last_published_at or start
    if modified is not None:
        data["dateModified"] = modified.isoformat()
    return data


def live_blog_context(
    page: LiveBlogPage, request: HttpRequest | None, *, last_event_id: int | None
) -> dict[str, Any]:
    """The page's template context; ``last_event_id`` is where its stream resumes
    (``None`` once the live blog has ended)."""
    parts = live_blog_parts(page)
    return {
        **parts,
        "json_ld": live_blog_json_ld(page, request, parts),
        "last_event_id": last_event_id,
    }
