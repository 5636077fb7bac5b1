"""Sections, authors and tags."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router
from taggit.models import Tag

from lede.core.site import site_url
from lede.editorial.models import Author, SectionPage

from .. import conditional
from ..calls import log_call
from ..clients import client_for
from ..errors import COMMON_ERRORS
from ..params import Cursor, PageIn, Paging
from ..schemas import AuthorList, SectionList, TagList


def _by_id(obj: Any) -> Cursor:
    return Cursor(at=None, id=obj.pk)


router = Router(tags=["Rubriques, auteurs, mots-clés"])


@router.get(
    "/sections",
    response={200: SectionList, 304: None, **COMMON_ERRORS},
    summary="Les rubriques",
    description="Toutes les rubriques publiées, dans l'ordre de l'arborescence.",
)
def list_sections(request: HttpRequest, response: HttpResponse) -> Any:
    client = client_for(request, timezone.now(), scope="articles")
    sections = list(SectionPage.objects.live().order_by("path"))
    etag = conditional.etag_for("sections", [(s.pk, s.last_published_at) for s in sections])
    if conditional.matches(request, etag):
        log_call(request, client, 304)
        return conditional.not_modified(etag, None)
    by_path = {s.path: s.pk for s in sections}
    conditional.set_validators(response, etag, None)
    log_call(request, client, 200, items=len(sections))
    return {
        "items": [
            {
                "id": s.pk,
                "slug": s.slug,
                "title": s.title,
                "url": site_url(s.url or "/"),
                "description": s.description,
                "parent_id": by_path.get(s.path[:-4]),
            }
            for s in sections
        ]
    }


@router.get(
    "/authors",
    response={200: AuthorList, 304: None, **COMMON_ERRORS},
    summary="Les auteurs",
    description="Les journalistes, par identifiant croissant, pagination par curseur.",
)
def list_authors(
    request: HttpRequest,
    response: HttpResponse,
    paging: Query[PageIn],
) -> Any:
    client = client_for(request, timezone.now(), scope="articles")
    page_in = Paging.read(paging, dated=False)
    authors = list(page_in.keyset(Author.objects.order_by("pk"))[: page_in.size + 1])
    page, more = page_in.cut(authors)
    etag = conditional.etag_for("authors", [(a.pk, a.name, a.slug, a.role) for a in page], more)
    if conditional.matches(request, etag):
        log_call(request, client, 304)
        return conditional.not_modified(etag, None)
    conditional.set_validators(response, etag, None)
    log_call(request, client, 200, items=len(page))
    return {
        "items": [
            {
                "id": a.pk,
                "slug": a.slug,
                "name": a.name,
                "role": a.role,
                "url": site_url(a.get_absolute_url()),
            }
            for a in page
        ],
        "next_cursor": page_in.next_cursor(page, more, _by_id),
    }


@router.get(
    "/tags",
    response={200: TagList, 304: None, **COMMON_ERRORS},
    summary="Les mots-clés",
    description="Les mots-clés des articles, par identifiant croissant.",
)
def list_tags(
    request: HttpRequest,
    response: HttpResponse,
    paging: Query[PageIn],
) -> Any:
    client = client_for(request, timezone.now(), scope="articles")
    page_in = Paging.read(paging, dated=False)
    qs = Tag.objects.filter(editorial_articletag_items__isnull=False).distinct().order_by("pk")
    tags = list(page_in.keyset(qs)[: page_in.size + 1])
    page, more = page_in.cut(tags)
    etag = conditional.etag_for("tags", [(t.pk, t.name, t.slug) for t in page], more)
    if conditional.matches(request, etag):
        log_call(request, client, 304)
        return conditional.not_modified(etag, None)
    conditional.set_validators(response, etag, None)
    log_call(request, client, 200, items=len(page))
    return {
        "items": [{"id": t.pk, "slug": t.slug, "name": t.name} for t in page],
        "next_cursor": page_in.next_cursor(page, more, _by_id),
    }
