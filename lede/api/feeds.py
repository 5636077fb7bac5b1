"""The licensees' feeds: the latest articles a key covers, in RSS 2.0 or as a
list of ninjs 3.1 objects, for monitoring tools that read feeds rather than
call an API.

A feed gives what the article list gives — headline, standfirst, link, rights
— and, in ninjs, the abstract (``representationType`` « partial »: the free
part only): the full text is fetched through the API, where the paywall's
decision and the licence's volume apply. The same rules as the API decide
which articles appear (``endpoints.articles.covered_articles``: sections,
languages, agency copy only under a licence that allows it, and never an
agency item its terms withhold — embargo, not for syndication, past its
archive limit, killed). Every item says whether it is the paper's own
journalism or agency copy: RSS ``<category domain="urn:lede:provenance">``
and ``<dc:source>`` (with ``<dc:rights>``, ``<dcterms:accessRights>`` and,
for an agency's archive limit, ``<dcterms:valid>end=…``), ninjs
``infoSources`` (role ``originator``).

Not in the OpenAPI document (not JSON operations of the API); documented in
docs/api.md. A key comes in the same headers as for the API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lede.core.site import site_url
from lede.wires import rights as wire_rights

from . import calls, conditional, content
from .calls import client_signature, log_call, publication, publication_signature
from .clients import client_for
from .endpoints.articles import covered_articles, prefetched
from .errors import ApiError

FEED_SIZE = 30
MAX_FEED_SIZE = 100
PROVENANCE_DOMAIN = "urn:lede:provenance"


class LicenseeFeed(Rss201rev2Feed):
    """RSS 2.0 with Dublin Core for each item's rights and origin."""

    def rss_attributes(self) -> dict[str, str]:
        attrs = super().rss_attributes()
        attrs["xmlns:dc"] = "http://purl.org/dc/elements/1.1/"
        attrs["xmlns:dcterms"] = "http://purl.org/dc/terms/"
        return attrs

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        handler.startElement("category", {"domain": PROVENANCE_DOMAIN})
        handler.characters(item["provenance"])
        handler.endElement("category")
        handler.addQuickElement("dc:source", item["source"])
        handler.addQuickElement("dc:rights", item["rights_notice"])
        if item.get("rights_terms"):
            handler.addQuickElement("dcterms:accessRights", item["rights_terms"])
        if item.get("expires"):
            # The agency's archive limit: the item must be taken down then.
            handler.addQuickElement("dcterms:valid", "end=" + item["expires"])


def _errors(view: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """The API's French JSON errors (and the call log) for a plain view."""

    def wrapped(request: HttpRequest) -> HttpResponse:
        try:
            return view(request)
        except ApiError as exc:
            if not getattr(request, "api_logged", False):
                log_call(request, getattr(request, "api_client", None), exc.status)
            response = JsonResponse(exc.body(), status=exc.status)
            for name, value in exc.headers.items():
                response[name] = value
            return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _size(request: HttpRequest) -> int:
    raw = request.GET.get("limit", "")
    if not raw:
        return FEED_SIZE
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 6:
        raise ApiError(
            400, "invalid_parameter", _("Le paramètre « limit » doit être un entier positif.")
        )
    return min(int(raw), MAX_FEED_SIZE)


def _feed_articles(request: HttpRequest) -> tuple[Any, ...]:
    """The caller, its articles and the validators; None for the articles
    when the client's copy is current (a 304)."""
    now = timezone.now()
    client = client_for(request, now, scope="articles")
    size = _size(request)
    rows = list(
        covered_articles(client, now)
        .order_by("-published_at", "-pk")
        .values_list("pk", "published_at", "last_published_at", "live_revision_id")[:size]
    )
    pub = publication(request)
    etag = conditional.etag_for(
        request.path, client_signature(client), publication_signature(pub), rows
    )
    latest = calls.latest(
        max((row[2] for row in rows if row[2]), default=None),
        calls.rights_since(client, now),
        calls.last_removal(),
        wire_rights.last_change(now) if client.agency_copy else None,
    )
    if conditional.fresh(request, etag, latest):
        log_call(request, client, 304)
        return client, pub, None, etag, latest
    articles = prefetched([row[0] for row in rows])
    return client, pub, articles, etag, latest


@require_GET
@_errors
def articles_rss(request: HttpRequest) -> HttpResponse:
    """RSS 2.0 of the latest articles the key covers."""
    client, pub, articles, etag, latest = _feed_articles(request)
    if articles is None:
        return conditional.not_modified(etag, latest)
    items = wire_rights.for_articles(a.pk for a in articles) if client.agency_copy else {}
    feed = LicenseeFeed(
        title=pub.name,
        link=site_url("/"),
        description=_("Articles couverts par votre licence, du plus récent au plus ancien."),
        language=pub.language,
        feed_url=site_url(request.path),
        feed_copyright=pub.copyright_notice,
    )
    for article in articles:
        summary = content.article_summary(article, pub, client, items.get(article.pk))
        rights = summary["rights"]
        expires = rights["expires_at"]
        feed.add_item(
            title=article.title,
            link=summary["url"],
            description=article.standfirst,
            unique_id=summary["url"],
            pubdate=article.published_at,
            updateddate=article.last_published_at,
            author_name=", ".join(a["name"] for a in summary["authors"]) or rights["agency"],
            categories=[summary["section"]["title"]] if summary["section"] else [],
            item_copyright=rights["copyright_notice"],
            provenance=summary["provenance"],
            source=rights["agency"] or pub.name,
            rights_notice=rights["copyright_notice"],
            rights_terms=rights["usage_terms"],
            expires=expires.isoformat() if expires else "",
        )
    response = HttpResponse(content_type="application/rss+xml; charset=utf-8")
    feed.write(response, "utf-8")
    conditional.set_validators(response, etag, latest)
    log_call(request, client, 200, items=len(articles))
    return response


@require_GET
@_errors
def articles_ninjs(request: HttpRequest) -> HttpResponse:
    """The latest articles the key covers, each a ninjs 3.1 object (abstract)."""
    client, pub, articles, etag, latest = _feed_articles(request)
    if articles is None:
        return conditional.not_modified(etag, latest)
    items = wire_rights.for_articles(a.pk for a in articles) if client.agency_copy else {}
    body = {
        "items": [
            content.article_ninjs(article, pub, client, full=False, item=items.get(article.pk))
            for article in articles
        ]
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str), content_type="application/json"
    )
    conditional.set_validators(response, etag, latest)
    log_call(request, client, 200, items=len(articles))
    return response
