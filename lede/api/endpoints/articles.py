"""Articles: the list (filters, cursor) and one article (JSON or ninjs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from lede.editorial.models import ArticleAuthor, ArticlePage, SectionPage
from lede.editorial.selectors import live_articles
from lede.syndication.models import Licence
from lede.syndication.selectors import Client, Quota, quota_for, seconds_to_next_month
from lede.syndication.services import delivery_record
from lede.wires import rights as wire_rights

from .. import calls, conditional, content
from ..calls import client_signature, log_call, publication, publication_signature
from ..clients import client_for
from ..errors import COMMON_ERRORS, ApiError, ErrorOut, not_found
from ..params import (
    SLUG_PATTERN,
    Cursor,
    PageIn,
    Paging,
    check_id,
    parse_instant,
    parse_slug,
)
from ..schemas import ArticleDetail, NinjsObject
from ..schemas import ArticlePage as ArticlePageOut

router = Router(tags=["Articles"])

FORMAT_DESCRIPTION = "« json » (par défaut) ou « ninjs » (IPTC ninjs 3.1)."


def covered_articles(client: Client, now: datetime) -> QuerySet[ArticlePage]:
    """The live articles this caller may see at all (text or abstract)."""
    qs = content.agency_filter(content.with_origin(live_articles()), client, now)
    if client.section_ids is not None:
        qs = qs.filter(section_id__in=client.section_ids)
    if client.languages:
        qs = qs.filter(locale__language_code__in=client.languages)
    return qs


def _sections_named(slug: str) -> Q:
    paths = list(SectionPage.objects.live().filter(slug=slug).values_list("path", flat=True))
    if not paths:
        return Q(pk__in=[])
    query = Q()
    for path in paths:
        query |= Q(section__path__startswith=path)
    return query


def prefetched(ids: list[int]) -> list[ArticlePage]:
    qs = (
        content.with_origin(ArticlePage.objects.filter(pk__in=ids))
        .select_related("section", "locale", "lead_image")
        .prefetch_related(
            Prefetch(
                "article_authors",
                queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"),
            ),
            "tags",
        )
    )
    by_id = {article.pk: article for article in qs}
    return [by_id[i] for i in ids if i in by_id]


@router.get(
    "/articles",
    response={200: ArticlePageOut, 304: None, **COMMON_ERRORS},
    summary="Liste des articles",
    description=(
        "Les articles publiés, du plus récent au plus ancien (ordre stable : date de "
        "publication puis identifiant). Filtres : rubrique (avec ses sous-rubriques), "
        "mot-clé, auteur, publiés ou mis à jour depuis une date ISO 8601. Pagination par "
        "curseur : passer `next_cursor` dans `cursor`. La liste ne donne jamais le texte."
    ),
)
def list_articles(
    request: HttpRequest,
    response: HttpResponse,
    paging: Query[PageIn],
    section: str | None = Query(
        None, pattern=SLUG_PATTERN, max_length=255, description="Identifiant (slug) de la rubrique."
    ),
    tag: str | None = Query(
        None, pattern=SLUG_PATTERN, max_length=255, description="Identifiant (slug) du mot-clé."
    ),
    author: str | None = Query(
        None, pattern=SLUG_PATTERN, max_length=255, description="Identifiant (slug) de l'auteur."
    ),
    published_since: str | None = Query(None, description="Date ISO 8601."),
    updated_since: str | None = Query(None, description="Date ISO 8601."),
) -> Any:
    now = timezone.now()
    client = client_for(request, now, scope="articles")
    page_in = Paging.read(paging, dated=True)
    qs = covered_articles(client, now)
    section_slug = parse_slug(section, "section")
    if section_slug:
        qs = qs.filter(_sections_named(section_slug))
    tag_slug = parse_slug(tag, "tag")
    if tag_slug:
        qs = qs.filter(tags__slug=tag_slug)
    author_slug = parse_slug(author, "author")
    if author_slug:
        qs = qs.filter(article_authors__author__slug=author_slug)
    since = parse_instant(published_since, "published_since")
    if since:
        qs = qs.filter(published_at__gte=since)
    updated = parse_instant(updated_since, "updated_since")
    if updated:
        qs = qs.filter(last_published_at__gte=updated)
    rows = list(
        page_in.keyset(qs, "published_at")
        .order_by("-published_at", "-pk")
        .values_list("pk", "published_at", "last_published_at", "live_revision_id")[
            : page_in.size + 1
        ]
    )
    page, more = page_in.cut(rows)
    pub = publication(request)
    etag = conditional.etag_for(
        "articles", client_signature(client), publication_signature(pub), page, more
    )
    latest = calls.latest(
        max((row[2] for row in page if row[2]), default=None),
        calls.rights_since(client, now),
        calls.last_removal(),
        wire_rights.last_change(now) if client.agency_copy else None,
    )
    if conditional.fresh(request, etag, latest):
        log_call(request, client, 304)
        return conditional.not_modified(etag, latest)
    articles = prefetched([row[0] for row in page])
    items = wire_rights.for_articles(a.pk for a in articles) if client.agency_copy else {}
    next_cursor = page_in.next_cursor(page, more, lambda row: Cursor(at=row[1], id=row[0]))
    conditional.set_validators(response, etag, latest)
    log_call(request, client, 200, items=len(articles))
    return {
        "items": [content.article_summary(a, pub, client, items.get(a.pk)) for a in articles],
        "next_cursor": next_cursor,
    }


def _quota_refusal(licence: Licence) -> ApiError:
    wait = seconds_to_next_month(timezone.now())
    return ApiError(
        429,
        "quota_exceeded",
        _(
            "Le volume mensuel de la licence « %(name)s » est atteint : "
            "de nouveaux articles seront disponibles le mois prochain."
        )
        % {"name": licence.name},
        headers={"Retry-After": str(wait)},
    )


@router.get(
    "/articles/{article_id}",
    response={200: ArticleDetail | NinjsObject, 304: None, 404: ErrorOut, **COMMON_ERRORS},
    summary="Un article",
    description=(
        "L'article, en texte intégral si le lecteur y a droit (décision du mur payant) et "
        "si la licence de la clé le permet ; sinon titre, chapô et premier paragraphe "
        "(`representation` vaut alors « partial »). `format=ninjs` pour IPTC ninjs 3.1. "
        "Au-delà du volume mensuel de la licence : 429 ou résumé, selon la licence."
    ),
)
def get_article(
    request: HttpRequest,
    response: HttpResponse,
    article_id: int,
    format: Literal["json", "ninjs"] = Query("json", description=FORMAT_DESCRIPTION),
) -> Any:
    now = timezone.now()
    client = client_for(request, now, scope="articles")
    check_id(article_id)
    article = (
        covered_articles(client, now)
        .select_related("section", "locale", "lead_image")
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        log_call(request, client, 404)
        raise not_found()
    grant = content.article_grant(article, client, now)
    full = grant.full
    quota = None
    if grant.counts and client.licence is not None:
        quota = quota_for(client.licence, article.pk, now)
        if quota is Quota.EXHAUSTED:
            if client.licence.over_quota == Licence.OverQuota.REFUSE:
                log_call(request, client, 429)
                raise _quota_refusal(client.licence)
            full = False
    pub = publication(request)
    item = wire_rights.for_articles([article.pk]).get(article.pk) if client.agency_copy else None
    etag = conditional.etag_for(
        "article",
        item,
        article.pk,
        article.live_revision_id,
        article.last_published_at,
        full,
        format,
        client_signature(client),
        publication_signature(pub),
    )
    modified = calls.latest(article.last_published_at, calls.rights_since(client, now))
    if conditional.fresh(request, etag, modified):
        log_call(request, client, 304)
        return conditional.not_modified(etag, modified)
    if format == "ninjs":
        data = content.article_ninjs(article, pub, client, full=full, item=item)
    else:
        data = content.article_detail(article, pub, client, full=full, item=item)
    if full and quota is Quota.AVAILABLE and client.licence is not None:
        delivery_record(licence=client.licence, item_id=article.pk, now=now)
    conditional.set_validators(response, etag, modified)
    log_call(request, client, 200, items=1, full=int(full))
    return data
