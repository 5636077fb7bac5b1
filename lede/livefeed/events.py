"""Feed events as Server-Sent Events: loading them and rendering each one once.

A :class:`Payload` holds the finished SSE frame(s) of one :class:`FeedEvent`.
A dispatch that not everybody may read carries two frames: the full one and a
locked one (headline, time, section, source and the "réservé" flag, never the
body or the photo). Which one a stream sends is the paywall's pure decision,
taken per reader without I/O.

Everything here is synchronous (ORM, templates); async code calls it through
``sync_to_async``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from lede.core.selectors import publication_settings
from lede.paywall.access import ArticleAccess, Level, MeterState, Reader, decide

from . import liveblog, selectors
from .models import Dispatch, Edition, FeedEvent, LiveBlogPage, edition_for

#: Dispatches are never metered: the meter is not consulted.
NO_METER = MeterState(limit=0)
REPLAY_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Payload:
    id: int
    blog_id: int | None
    frame: bytes
    locked_frame: bytes | None = None
    access: ArticleAccess | None = None
    #: The edition (stream) of a dispatch's event.
    language: str = Edition.FR
    #: The SSE event name and the data any reader may see (the locked variant
    #: of a reserved dispatch): what a shared stream (nchan) carries.
    event: str = ""
    public_data: bytes = b""

    def frame_for(self, reader: Reader, now: datetime) -> bytes:
        if self.locked_frame is None or self.access is None:
            return self.frame
        if decide(reader, self.access, NO_METER, now).allowed:
            return self.frame
        return self.locked_frame


def sse_data(data: dict[str, Any]) -> bytes:
    # json.dumps escapes line breaks inside strings: the data fits on one line.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def sse_frame(event_id: int, event: str, data: dict[str, Any]) -> bytes:
    return f"id: {event_id}\nevent: {event}\ndata: ".encode() + sse_data(data) + b"\n\n"


def release_connection() -> None:
    """Close this thread's database connection unless a transaction holds it.

    SSE streams live for minutes: they must not keep a connection each."""
    if not connection.in_atomic_block:
        connection.close()


def initial_state(window: float) -> tuple[int, list[int]]:
    """The last event id, and the ids of the events of the last ``window`` seconds."""
    try:
        last = FeedEvent.objects.last_id()
        since = timezone.now() - timedelta(seconds=window)
        recent = list(FeedEvent.objects.filter(created_at__gte=since).values_list("id", flat=True))
        return last, recent
    finally:
        release_connection()


def load_new(last_seen: int, seen: frozenset[int], window: float) -> tuple[list[Payload], int]:
    """Events after ``last_seen``, plus recent ones not seen yet (late commits)."""
    since = timezone.now() - timedelta(seconds=window)
    qs = FeedEvent.objects.filter(Q(id__gt=last_seen) | Q(created_at__gte=since))
    if seen:
        qs = qs.exclude(id__in=seen)
    events = list(qs.order_by("id")[:REPLAY_LIMIT])
    if not events:
        return [], last_seen
    return build_payloads(events), max(e.pk for e in events)


def load_after(after_id: int, *, blog_id: int | None, language: str = Edition.FR) -> list[Payload]:
    """What a reconnecting stream missed, for ``Last-Event-ID`` replay.

    For a live blog only its latest state matters; for the feed (of the
    edition ``language``), every missed event is sent again (with the dispatch
    as it is now)."""
    try:
        if blog_id is not None:
            last = (
                FeedEvent.objects.filter(blog_id=blog_id, id__gt=after_id).order_by("-id").first()
            )
            return build_payloads([last]) if last is not None else []
        events = list(
            FeedEvent.objects.filter(
                id__gt=after_id, dispatch__isnull=False, dispatch__language=language
            ).order_by("id")[:REPLAY_LIMIT]
        )
        return build_payloads(events)
    finally:
        release_connection()


def build_payloads(events: list[FeedEvent]) -> list[Payload]:
    dispatch_ids = {e.dispatch_id for e in events if e.dispatch_id}
    blog_ids = {e.blog_id for e in events if e.blog_id}
    dispatches = {d.pk: d for d in selectors.dispatches_for_render().filter(pk__in=dispatch_ids)}
    blogs = {b.pk: b for b in LiveBlogPage.objects.live().filter(pk__in=blog_ids)}
    context = {"publication": publication_settings()}
    payloads = []
    for event in events:
        if event.dispatch_id:
            dispatch = dispatches.get(event.dispatch_id)
            if dispatch is not None:
                payloads.append(_dispatch_payload(event, dispatch, context))
        elif event.blog_id:
            blog = blogs.get(event.blog_id)
            if blog is not None:
                payloads.append(_blog_payload(event, blog, context))
    return payloads


def _dispatch_payload(event: FeedEvent, dispatch: Dispatch, context: dict[str, Any]) -> Payload:
    """The frames of a dispatch's event, in the language of its edition (not
    the language of whoever committed it: an editor's admin may be in English)."""
    language = edition_for(dispatch.language)
    with translation.override(language):
        return _dispatch_frames(event, dispatch, context, language)


def _dispatch_frames(
    event: FeedEvent, dispatch: Dispatch, context: dict[str, Any], language: str
) -> Payload:
    if dispatch.is_withdrawn:
        html = ""
        if dispatch.withdrawn_note:
            html = render_to_string("livefeed/_withdrawn.html", {**context, "dispatch": dispatch})
        data = {"event": event.pk, "dispatch": dispatch.pk, "html": html}
        return Payload(
            id=event.pk,
            blog_id=None,
            frame=sse_frame(event.pk, "withdrawn", data),
            language=language,
            event="withdrawn",
            public_data=sse_data(data),
        )
    kind = "updated" if event.kind == FeedEvent.Kind.UPDATED else "published"
    # ``event`` (the feed event id) lets a shared stream's reader skip what it
    # already has; ``published_at`` is the dispatch's own publication time.
    base = {
        "event": event.pk,
        "dispatch": dispatch.pk,
        "kind": kind,
        "published_at": dispatch.published_at.isoformat(),
    }
    full = render_to_string(
        "livefeed/_dispatch.html", {**context, "dispatch": dispatch, "locked": False}
    )
    full_data = {**base, "html": full, "locked": False}
    frame = sse_frame(event.pk, "dispatch", full_data)
    if dispatch.access_level == Level.PUBLIC:
        return Payload(
            id=event.pk,
            blog_id=None,
            frame=frame,
            language=language,
            event="dispatch",
            public_data=sse_data(full_data),
        )
    locked = render_to_string(
        "livefeed/_dispatch.html", {**context, "dispatch": dispatch, "locked": True}
    )
    locked_data = {**base, "html": locked, "locked": True}
    return Payload(
        id=event.pk,
        blog_id=None,
        frame=frame,
        locked_frame=sse_frame(event.pk, "dispatch", locked_data),
        access=selectors.dispatch_access(dispatch),
        language=language,
        event="dispatch",
        public_data=sse_data(locked_data),
    )


def _blog_payload(event: FeedEvent, blog: LiveBlogPage, context: dict[str, Any]) -> Payload:
    parts = liveblog.live_blog_parts(blog)
    data = {
        "blog": blog.pk,
        "status": blog.status,
        "summary_html": render_to_string(
            "livefeed/_blog_summary.html", {**context, "page": blog, **parts}
        ),
        "entries_html": render_to_string(
            "livefeed/_blog_entries.html", {**context, "page": blog, **parts}
        ),
        "entry_ids": [e.pk for e in parts["all_entries"]],
    }
    return Payload(id=event.pk, blog_id=blog.pk, frame=sse_frame(event.pk, "blog", data))
