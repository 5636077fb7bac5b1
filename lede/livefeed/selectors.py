"""Shared reads of the live feed (newsroom page, home slot, stream, live blogs)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator

from lede.core.models import PublicationSettings
from lede.core.sanitize import strip_tags
from lede.core.selectors import publication_settings
from lede.paywall import access

from .models import Dispatch, LiveBlogEntry, LiveBlogPage


def publication(request: HttpRequest | None = None) -> PublicationSettings:
    return publication_settings(request)


def dispatches_for_render() -> QuerySet[Dispatch]:
    """Dispatches with everything their fragment shows, in a constant number of queries."""
    return Dispatch.objects.select_related("section", "photo", "article").prefetch_related(
        "photo__renditions"
    )


def newsroom_dispatches() -> QuerySet[Dispatch]:
    """The feed: published dispatches, and withdrawn ones whose note stands in
    their place; newest first."""
    visible = Q(status=Dispatch.Status.PUBLISHED) | (
        Q(status=Dispatch.Status.WITHDRAWN) & ~Q(withdrawn_note="")
    )
    return dispatches_for_render().filter(visible).order_by("-published_at", "-id")


def latest_dispatches(limit: int = 5) -> QuerySet[Dispatch]:
    """The latest published dispatches (home page live slot)."""
    return (
        Dispatch.objects.filter(status=Dispatch.Status.PUBLISHED)
        .select_related("section")
        .order_by("-published_at", "-id")[:limit]
    )


def dispatch_access(dispatch: Dispatch) -> access.ArticleAccess:
    """The paywall's view of a dispatch: its level and its section with ancestors."""
    from lede.paywall.selectors import section_ids_for_paths

    section_ids: frozenset[int] = frozenset()
    if dispatch.section is not None:
        path = dispatch.section.path
        steps = tuple(path[: i + 4] for i in range(0, len(path), 4))
        section_ids = frozenset(section_ids_for_paths(steps))
    return access.ArticleAccess(
        article_id=dispatch.pk,
        level=access.Level(dispatch.access_level),
        metered=False,
        section_ids=section_ids,
    )


# --- live blogs --------------------------------------------------------------------


def live_blog_parts(page: LiveBlogPage) -> dict[str, Any]:
    """The pinned entry (the most recent pinned one) and the others, in the page's order."""
    newest_first = page.order == LiveBlogPage.Order.NEWEST_FIRST
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
    pub = publication(request)
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


def live_blog_context(page: LiveBlogPage, request: HttpRequest | None) -> dict[str, Any]:
    from .events import last_event_id

    parts = live_blog_parts(page)
    return {
        **parts,
        "json_ld": live_blog_json_ld(page, request, parts),
        "last_event_id": last_event_id() if page.is_live else None,
    }
