"""The Newsroom: dispatches (brèves) and live blogs."""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import F, QuerySet
from django.db.models.functions import Length, Substr
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router
from wagtail.rich_text import expand_db_html

from lede.core.site import site_url
from lede.editorial.models import SectionPage
from lede.livefeed.models import Dispatch, LiveBlogPage
from lede.syndication.selectors import Client
from lede.wires import rights as wire_rights

from .. import conditional, content
from ..calls import client_signature, log_call, publication, publication_signature
from ..clients import client_for
from ..errors import COMMON_ERRORS, ErrorOut, not_found
from ..params import Cursor, PageIn, Paging, check_id, parse_instant
from ..schemas import DispatchList, DispatchOut, LiveBlogDetail, LiveBlogList, NinjsObject

router = Router(tags=["Newsroom"])


def covered_dispatches(client: Client) -> QuerySet[Dispatch]:
    qs = Dispatch.objects.filter(
        status=Dispatch.Status.PUBLISHED, published_at__lte=timezone.now()
    ).select_related("section")
    if not client.agency_copy:
        qs = qs.filter(credit="", source_guid__isnull=True)
    else:
        qs = wire_rights.dispatches_allowed(qs, timezone.now())
    if client.section_ids is not None:
        qs = qs.filter(section_id__in=client.section_ids)
    return qs


@router.get(
    "/dispatches",
    response={200: DispatchList, 304: None, **COMMON_ERRORS},
    summary="Liste des dépêches (brèves)",
    description=(
        "Les brèves publiées, de la plus récente à la plus ancienne. Une brève réservée "
        "n'a pas de texte (`representation` « partial ») pour qui n'y a pas droit."
    ),
)
def list_dispatches(
    request: HttpRequest,
    response: HttpResponse,
    paging: Query[PageIn],
    published_since: str | None = Query(None, description="Date ISO 8601."),
) -> Any:
    now = timezone.now()
    client = client_for(request, now, scope="dispatches")
    page_in = Paging.read(paging, dated=True)
    qs = covered_dispatches(client)
    since = parse_instant(published_since, "published_since")
    if since:
        qs = qs.filter(published_at__gte=since)
    items = list(
        page_in.keyset(qs, "published_at").order_by("-published_at", "-pk")[: page_in.size + 1]
    )
    page, more = page_in.cut(items)
    pub = publication(request)
    grants = [content.dispatch_grant(d, client, now) for d in page]
    item_rights = wire_rights.for_dispatches(d.pk for d in page) if client.agency_copy else {}
    etag = conditional.etag_for(
        "dispatches",
        client_signature(client),
        publication_signature(pub),
        [(d.pk, d.updated_at, d.published_at, g) for d, g in zip(page, grants, strict=True)],
        more,
    )
    latest = max((d.updated_at or d.published_at for d in page), default=None)
    if conditional.matches(request, etag):
        log_call(request, client, 304)
        return conditional.not_modified(etag, latest)
    next_cursor = page_in.next_cursor(page, more, lambda d: Cursor(at=d.published_at, id=d.pk))
    conditional.set_validators(response, etag, latest)
    log_call(request, client, 200, items=len(page), full=sum(grants))
    return {
        "items": [
            content.dispatch_out(d, pub, client, full=g, item=item_rights.get(d.pk))
            for d, g in zip(page, grants, strict=True)
        ],
        "next_cursor": next_cursor,
    }


@router.get(
    "/dispatches/{dispatch_id}",
    response={200: DispatchOut | NinjsObject, 304: None, 404: ErrorOut, **COMMON_ERRORS},
    summary="Une dépêche",
    description="`format=ninjs` pour IPTC ninjs 3.1.",
)
def get_dispatch(
    request: HttpRequest,
    response: HttpResponse,
    dispatch_id: int,
    format: Literal["json", "ninjs"] = Query("json", description="« json » ou « ninjs »."),
) -> Any:
    now = timezone.now()
    client = client_for(request, now, scope="dispatches")
    check_id(dispatch_id)
    dispatch = covered_dispatches(client).filter(pk=dispatch_id).first()
    if dispatch is None:
        log_call(request, client, 404)
        raise not_found()
    full = content.dispatch_grant(dispatch, client, now)
    pub = publication(request)
    item = (
        wire_rights.for_dispatches([dispatch.pk]).get(dispatch.pk) if client.agency_copy else None
    )
    modified = dispatch.updated_at or dispatch.published_at
    etag = conditional.etag_for(
        "dispatch",
        dispatch.pk,
        item,
        modified,
        full,
        format,
        client_signature(client),
        publication_signature(pub),
    )
    if conditional.matches(request, etag):
        log_call(request, client, 304)
        return conditional.not_modified(etag, modified)
    if format == "ninjs":
        data = content.dispatch_ninjs(dispatch, pub, client, full=full, item=item)
    else:
        data = content.dispatch_out(dispatch, pub, client, full=full, item=item)
    conditional.set_validators(response, etag, modified)
    log_call(request, client, 200, items=1, full=int(full))
    return data


# --- Live blogs -------------------------------------------------------------------


def covered_blogs(client: Client) -> QuerySet[LiveBlogPage]:
    qs = LiveBlogPage.objects.live().filter(last_published_at__isnull=False)
    if client.section_ids is not None:
        paths = list(
            SectionPage.objects.filter(pk__in=client.section_ids).values_list("path", flat=True)
        )
        qs = qs.annotate(parent_path=Substr("path", 1, Length("path") - 4)).filter(
            parent_path__in=paths
        )
    return qs


def _parents(blogs: list[LiveBlogPage]) -> dict[str, SectionPage]:
    paths = {blog.path[:-4] for blog in blogs}
    return {s.path: s for s in SectionPage.objects.filter(path__in=paths)}


def _blog_summary(blog: LiveBlogPage, parents: dict[str, SectionPage]) -> dict[str, Any]:
    section = parents.get(blog.path[:-4])
    return {
        "id": blog.pk,
        "title": blog.title,
        "url": site_url(blog.url or "/"),
        "status": blog.status,
        "coverage_start": blog.coverage_start_time,
        "coverage_end": blog.coverage_end,
        "updated_at": blog.last_published_at,
        "section": {"id": section.pk, "slug": section.slug, "title": section.title}
        if section
        else None,
    }


@router.get(
    "/liveblogs",
    response={200: LiveBlogList, 304: None, **COMMON_ERRORS},
    summary="Liste des directs",
    description="Les directs publiés, du plus récemment mis à jour au plus ancien.",
)
def list_liveblogs(
    request: HttpRequest,
    response: HttpResponse,
    paging: Query[PageIn],
    updated_since: str | None = Query(None, description="Date ISO 8601."),
) -> Any:
    now = timezone.now()
    client = client_for(request, now, scope="liveblogs")
    page_in = Paging.read(paging, dated=True)
    qs = covered_blogs(client)
    updated = parse_instant(updated_since, "updated_since")
    if updated:
        qs = qs.filter(last_published_at__gte=updated)
    blogs = list(
        page_in.keyset(qs, "last_published_at").order_by(F("last_published_at").desc(), "-pk")[
            : page_in.size + 1
        ]
    )
    page, more = page_in.cut(blogs)
    etag = conditional.etag_for(
        "liveblogs",
        client_signature(client),
        [(b.pk, b.last_published_at) for b in page],
        more,
    )
    latest = max((b.last_published_at for b in page if b.last_published_at), default=None)
    if conditional.matches(request, etag):
        log_call(request, client, 304)
        return conditional.not_modified(etag, latest)
    parents = _parents(page)
    next_cursor = page_in.next_cursor(page, more, lambda b: Cursor(at=b.last_published_at, id=b.pk))
    conditional.set_validators(response, etag, latest)
    log_call(request, client, 200, items=len(page))
    return {"items": [_blog_summary(b, parents) for b in page], "next_cursor": next_cursor}


@router.get(
    "/liveblogs/{blog_id}",
    response={200: LiveBlogDetail, 304: None, 404: ErrorOut, **COMMON_ERRORS},
    summary="Un direct et ses entrées",
)
def get_liveblog(request: HttpRequest, response: HttpResponse, blog_id: int) -> Any:
    now = timezone.now()
    client = client_for(request, now, scope="liveblogs")
    check_id(blog_id)
    blog = covered_blogs(client).filter(pk=blog_id).first()
    if blog is None:
        log_call(request, client, 404)
        raise not_found()
    etag = conditional.etag_for("liveblog", blog.pk, blog.last_published_at, blog.live_revision_id)
    if conditional.matches(request, etag):
        log_call(request, client, 304)
        return conditional.not_modified(etag, blog.last_published_at)
    entries = list(blog.entries.order_by("-time" if blog.order == "newest" else "time", "pk"))
    data = _blog_summary(blog, _parents([blog]))
    data.update(
        {
            "summary_html": expand_db_html(blog.summary or ""),
            "entries": [
                {
                    "id": entry.pk,
                    "time": entry.time,
                    "title": entry.title,
                    "pinned": entry.pinned,
                    "body_html": "".join(str(block.render()) for block in entry.content),
                }
                for entry in entries
            ],
        }
    )
    conditional.set_validators(response, etag, blog.last_published_at)
    log_call(request, client, 200, items=1, full=1)
    return data
