"""The Newsroom page and its Server-Sent Events stream."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, cast

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotFound,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lede.core.observability.metrics import track_sse_connection
from lede.paywall import access
from lede.paywall.selectors import reader_for_request

from . import events, selectors
from .broker import Hub, TooManyStreams, get_hub
from .models import Dispatch, FeedEvent, LiveBlogPage, edition_for

PAGE_SIZE = 30


class EventStreamResponse(StreamingHttpResponse):
    """A streamed response that closes its generator when Django closes the
    response's iterator.

    Django's ``ASGIHandler.send_response`` closes (``aclosing``) only the
    iterator it takes from the response, not the generators under it. When
    a stream ends while its generator is suspended at a ``yield`` — a reader
    gone while a chunk was being sent, or cut by the send deadline
    (``LEDE_SSE_SEND_TIMEOUT``, lede/core/send_deadline.py) — the
    generator's ``finally`` (leaving the hub, freeing the per-address slot)
    would otherwise be left to the garbage collector's finaliser, after the
    handler has returned, which closes each generator of the chain in a task
    of its own (one of them failing, logged as an error: "aclose():
    asynchronous generator is already running"). Here it runs in the
    request's task, before Django's handler returns."""

    def __init__(self, events: AsyncGenerator[bytes, None], **kwargs: Any) -> None:
        super().__init__(events, **kwargs)
        self._events = events

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async with contextlib.aclosing(self._events):
            # Async, as what it was given: Django maps it through make_bytes.
            async for part in cast("AsyncIterator[bytes]", self.streaming_content):
                yield part


@require_GET
def newsroom(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("page", "1")
    # Read before the list: whatever is committed after this id reaches the
    # page through the stream (the script passes it as ?last_event_id=).
    last_event_id = FeedEvent.objects.last_id()
    language = edition_for(get_language())
    paginator = Paginator(selectors.newsroom_dispatches(language=language), PAGE_SIZE)
    try:
        if not raw.isdigit():
            raise PageNotAnInteger(raw)
        page_obj = paginator.page(int(raw))
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404(_("Cette page n’existe pas.")) from exc
    now = timezone.now()
    reader = reader_for_request(request, now)
    items = [{"dispatch": d, "locked": not _may_read(reader, d, now)} for d in page_obj.object_list]
    return TemplateResponse(
        request,
        "livefeed/newsroom.html",
        {
            "page_obj": page_obj,
            "items": items,
            "last_event_id": last_event_id,
            "live": page_obj.number == 1,
            # A signed-in reader's page asks for the full text of a reserved
            # dispatch that a shared stream (nchan) delivers locked.
            "unlock": request.user.is_authenticated,
        },
    )


@require_GET
def dispatch_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """One dispatch as this reader may see it (the paywall's decision): what
    the Newsroom page of a signed-in reader fetches when a shared stream
    brings a reserved dispatch locked. Never cached for another reader."""
    dispatch = (
        selectors.dispatches_for_render().filter(pk=pk, status=Dispatch.Status.PUBLISHED).first()
    )
    if dispatch is None:
        return HttpResponseNotFound(
            _("Cette dépêche n’existe pas."), content_type="text/plain; charset=utf-8"
        )
    now = timezone.now()
    locked = not _may_read(reader_for_request(request, now), dispatch, now)
    response = TemplateResponse(
        request, "livefeed/_dispatch.html", {"dispatch": dispatch, "locked": locked}
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Lede-Locked"] = "1" if locked else "0"
    return response


def _may_read(reader: access.Reader, dispatch: Any, now: Any) -> bool:
    if dispatch.access_level == access.Level.PUBLIC or dispatch.is_withdrawn:
        return True
    return access.decide(reader, selectors.dispatch_access(dispatch), events.NO_METER, now).allowed


def _parse_id(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 18:
        raise ValueError(raw)
    return int(raw)


def _reader(request: HttpRequest) -> access.Reader:
    try:
        return reader_for_request(request, timezone.now())
    finally:
        events.release_connection()


def _blog_is_live(blog_id: int) -> bool:
    try:
        return LiveBlogPage.objects.live().filter(pk=blog_id).exists()
    finally:
        events.release_connection()


async def stream(request: HttpRequest, language: str | None = None) -> HttpResponseBase:
    """``text/event-stream`` of the feed (or of one live blog with ``?blog=<id>``)
    of an edition: ``language`` when the URL gives it, else the active language
    (``/ar/newsroom/flux/`` under ``i18n_patterns``)."""
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    try:
        blog_id = _parse_id(request.GET.get("blog"))
        last_id = _parse_id(request.GET.get("last_event_id"))
    except ValueError:
        return HttpResponseBadRequest(
            _("Paramètre invalide."), content_type="text/plain; charset=utf-8"
        )
    # The browser's own reconnection header wins over the id the page was rendered with.
    with contextlib.suppress(ValueError):
        header_id = _parse_id(request.headers.get("Last-Event-ID"))
        if header_id is not None:
            last_id = header_id
    if blog_id is not None and not await sync_to_async(_blog_is_live)(blog_id):
        # Plain text: an EventSource shows nothing anyway, and no page is rendered
        # (nor a database query made) outside the request's thread.
        return HttpResponseNotFound(
            _("Ce direct n’existe pas."), content_type="text/plain; charset=utf-8"
        )
    reader = await sync_to_async(_reader)(request)
    language = edition_for(language or get_language())
    if "wsgi.input" in request.META:
        # A WSGI server (runserver, a test's live server) would consume the
        # stream synchronously and hold a worker thread, and an event loop of
        # its own, for the whole LEDE_SSE_MAX_AGE: there the stream degrades
        # to polling. One short answer with what was missed, then the browser
        # reconnects after ``retry`` with Last-Event-ID.
        body = await sync_to_async(_poll_once)(reader, blog_id, last_id, language)
        response: HttpResponseBase = HttpResponse(
            body, content_type="text/event-stream; charset=utf-8"
        )
        response["Cache-Control"] = "no-cache, no-store"
        return response
    hub = get_hub()
    address = request.META.get("REMOTE_ADDR", "")
    try:
        hub.admit(address)
    except TooManyStreams:
        # One address holding thousands of streams (LEDE_SSE_MAX_PER_IP): no.
        return HttpResponse(
            _("Trop de flux ouverts depuis cette adresse."),
            status=429,
            content_type="text/plain; charset=utf-8",
            headers={"Retry-After": "60"},
        )
    response = EventStreamResponse(
        track_sse_connection(
            _event_stream(
                hub=hub,
                address=address,
                reader=reader,
                blog_id=blog_id,
                last_id=last_id,
                language=language,
            )
        ),
        content_type="text/event-stream; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"
    return response


def _poll_once(
    reader: access.Reader, blog_id: int | None, last_id: int | None, language: str
) -> bytes:
    frames = [f"retry: {int(settings.LEDE_SSE_RETRY_MS)}\n\n".encode()]
    if last_id is not None:
        now = timezone.now()
        missed = events.load_after(last_id, blog_id=blog_id, language=language)
        frames += [p.frame_for(reader, now) for p in missed]
    return b"".join(frames)


async def _event_stream(
    *,
    hub: Hub,
    address: str,
    reader: access.Reader,
    blog_id: int | None,
    last_id: int | None,
    language: str,
) -> AsyncIterator[bytes]:
    retry_ms = int(settings.LEDE_SSE_RETRY_MS)
    max_age = float(settings.LEDE_SSE_MAX_AGE)
    try:
        sub = await hub.subscribe(blog_id, language=language, address=address)
    except TooManyStreams:
        return  # lost a race with another stream of the same address
    try:
        yield f"retry: {retry_ms}\n: {_('flux Newsroom')}\n\n".encode()
        replayed: set[int] = set()
        if last_id is not None:
            missed_events = await sync_to_async(events.load_after)(
                last_id, blog_id=blog_id, language=language
            )
            for missed in missed_events:
                replayed.add(missed.id)
                yield missed.frame_for(reader, timezone.now())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max_age
        while True:
            batch = await sub.batch()
            if batch is None:
                return  # fell behind: reconnecting replays from the database
            if not batch:
                yield b": ping\n\n"  # the hub's heartbeat
            else:
                now = timezone.now()
                frames = [
                    payload.frame_for(reader, now)
                    for payload in batch
                    if payload.id not in replayed and (last_id is None or payload.id > last_id)
                ]
                if frames:
                    yield b"".join(frames)
            if loop.time() >= deadline:
                return  # the browser reconnects with Last-Event-ID
    finally:
        await hub.leave(sub)
