"""Articles and dispatches as the API gives them: rights, what part of the text a
caller gets (the paywall's one decision, ``lede.paywall.access.decide``, and the
licence), and their ninjs 3.1 form through the project's one serialiser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from wagtail.images.models import SourceImageIOError
from wagtail.rich_text import expand_db_html

from lede.core.caching import keys as cache_keys
from lede.core.models import PublicationSettings
from lede.core.ninjs import Concept, NinjsItem, Picture, Rendition, as_uri, to_ninjs
from lede.core.site import site_url
from lede.editorial.models import ArticlePage, SectionPage
from lede.livefeed.models import Dispatch
from lede.livefeed.selectors import dispatch_access
from lede.paywall import access
from lede.paywall.serving import article_access, split_body
from lede.syndication.models import Licence
from lede.syndication.selectors import Client
from lede.wires import rights as wire_rights
from lede.wires.models import WireItemRecord
from lede.wires.rights import ItemRights

#: The paywall's meter never opens anything through the API.
NO_METER = access.MeterState(limit=0)
IMAGE_RENDITIONS = (("medium", "width-640"), ("large", "width-1200"))


def with_origin(qs: QuerySet[ArticlePage]) -> QuerySet[ArticlePage]:
    """Annotate ``from_wire``: the article was made from an agency wire item."""
    return qs.annotate(from_wire=Exists(WireItemRecord.objects.filter(article_id=OuterRef("pk"))))


def is_agency(article: ArticlePage) -> bool:
    return bool(article.agency_credit or getattr(article, "from_wire", False))


def agency_filter(
    qs: QuerySet[ArticlePage], client: Client, now: datetime
) -> QuerySet[ArticlePage]:
    """Agency copy goes only to licensees whose licence allows it, and only
    the items whose own rights allow it now (lede.wires.rights: embargo, not
    for syndication, archive limit, killed)."""
    if client.agency_copy:
        return wire_rights.articles_allowed(qs, now)
    return qs.filter(agency_credit="", from_wire=False)


def webhook_allows(article: ArticlePage, licence: Licence, now: datetime) -> bool:
    """Whether a licensee may hear of ``article`` (lede.syndication.webhooks):
    not agency copy its licence excludes, not an agency item its terms
    withhold now (the payload names the article and its title)."""
    from_wire = WireItemRecord.objects.filter(article_id=article.pk).exists()
    if from_wire and not licence.agency_copy:
        return False
    return not (from_wire and wire_rights.withheld(now).filter(article_id=article.pk).exists())


def dispatch_is_agency(dispatch: Dispatch) -> bool:
    return bool(dispatch.credit or dispatch.source_guid)


def rights(
    pub: PublicationSettings,
    client: Client,
    *,
    agency: str,
    copyright_line: str = "",
    item: ItemRights | None = None,
) -> dict[str, Any]:
    """An item's rights as every output states them: whose it is, its notice,
    the terms (the agency's own terms first for agency copy), and when a
    licensee must take it down (an agency's archive limit)."""
    holder = pub.publisher or pub.name
    if client.licence is not None:
        terms = _(
            "Reproduction autorisée pour %(org)s dans les limites de la licence « %(licence)s »."
        ) % {"org": client.licence.organisation.name, "licence": client.licence.name}
    else:
        terms = pub.reproduction_policy
    notice = copyright_line or pub.copyright_notice
    if item is not None:
        agency = agency or item.provider or str(_("Agence"))
        holder = item.copyright_holder or agency
        notice = item.copyright_notice or copyright_line or agency
        if item.usage_terms:
            agency_terms = _("Conditions de l’agence : %(terms)s") % {"terms": item.usage_terms}
            terms = f"{agency_terms} {terms}".strip()
    elif agency:
        holder = agency
    return {
        "copyright_holder": holder,
        "copyright_notice": notice,
        "usage_terms": terms,
        "origin": "agency" if agency else "own",
        "agency": agency,
        "expires_at": item.expires_at if item is not None else None,
    }


def _section_ref(section: SectionPage | None) -> dict[str, Any] | None:
    if section is None:
        return None
    return {"id": section.pk, "slug": section.slug, "title": section.title}


def article_summary(
    article: ArticlePage,
    pub: PublicationSettings,
    client: Client,
    item: ItemRights | None = None,
) -> dict[str, Any]:
    agency = article.agency_credit or (
        str(_("Agence")) if getattr(article, "from_wire", False) else ""
    )
    data = rights(pub, client, agency=agency, copyright_line=article.copyright_line, item=item)
    return {
        "id": article.pk,
        "provenance": data["origin"],
        "url": site_url(article.url or "/"),
        "title": article.title,
        "standfirst": article.standfirst,
        "section": _section_ref(article.section),
        "authors": [{"id": a.pk, "slug": a.slug, "name": a.name} for a in article.authors],
        "tags": [tag.name for tag in article.tags.all()],
        "published_at": article.published_at,
        "updated_at": article.last_published_at,
        "access_level": article.effective_access_level,
        "rights": data,
    }


# --- What part a caller gets -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Grant:
    full: bool
    #: The full text is given under the licence and counts against its volume.
    counts: bool


def article_grant(article: ArticlePage, client: Client, now: datetime) -> Grant:
    """Full text only when the paywall's decision allows it, and, for a
    licensee, when the licence gives full text. (The volume is checked by the
    caller, which may refuse or fall back to the abstract.)"""
    decision = access.decide(client.reader(), article_access(article), NO_METER, now)
    if not decision.allowed:
        return Grant(full=False, counts=False)
    if client.licence is not None:
        if not client.full_text:
            return Grant(full=False, counts=False)
        return Grant(full=True, counts=True)
    return Grant(full=True, counts=False)


def dispatch_grant(dispatch: Dispatch, client: Client, now: datetime) -> bool:
    decision = access.decide(client.reader(), dispatch_access(dispatch), NO_METER, now)
    return decision.allowed and (client.licence is None or client.full_text)


def _render_blocks(blocks: list[Any]) -> str:
    return "".join(str(block.render()) for block in blocks)


def _cached_body(kind: str, item_id: int, revision: object, full: bool, render: Any) -> str:
    """The text as the API gives it, from the shared cache (``api-body``): the
    same for every caller given that part; a kill bumps the item's version."""
    version = cache.get(cache_keys.api_item_version_key(kind, item_id)) or 0
    key = cache_keys.api_body_key(kind, item_id, revision, "full" if full else "free", version)
    body = cache.get(key)
    if body is None:
        body = render()
        cache.set(key, body, timeout=cache_keys.API_BODY_SECONDS)
    return str(body)


def article_body(article: ArticlePage, *, full: bool) -> str:
    """The whole body, or the free part only: the locked part is never rendered."""

    def render() -> str:
        free, rest = split_body(article)
        return _render_blocks(free + rest) if full else _render_blocks(free)

    if article.live_revision_id is None:
        return render()
    return _cached_body("article", article.pk, article.live_revision_id, full, render)


def lead_image(
    article: ArticlePage, item: ItemRights | None = None
) -> tuple[dict[str, Any] | None, list[Rendition]]:
    """The lead image and its renditions, unless the agency's terms keep its
    photos from being resold."""
    image = article.lead_image
    if image is None or (item is not None and item.photos_withheld):
        return None, []
    renditions = []
    for name, spec in IMAGE_RENDITIONS:
        try:
            rendition = image.get_rendition(spec)
        except SourceImageIOError:  # the original file is missing: no picture, no 500
            return None, []
        renditions.append(
            Rendition(
                name=name,
                href=site_url(rendition.url),
                content_type="image/jpeg",
                width=rendition.width,
                height=rendition.height,
            )
        )
    large = renditions[-1]
    data = {
        "url": large.href,
        "width": large.width or 0,
        "height": large.height or 0,
        "caption": article.caption,
        "credit": article.credit,
    }
    return data, renditions


def article_detail(
    article: ArticlePage,
    pub: PublicationSettings,
    client: Client,
    *,
    full: bool,
    item: ItemRights | None = None,
) -> dict[str, Any]:
    data = article_summary(article, pub, client, item)
    image, _renditions = lead_image(article, item)
    data.update(
        {
            "representation": "full" if full else "partial",
            "body_html": article_body(article, full=full),
            "lead_image": image,
        }
    )
    return data


def _sources(pub: PublicationSettings, agency: str) -> list[tuple[str, str]]:
    """ninjs ``infoSources``: the publisher, and who wrote it — the agency for
    agency copy, the publication itself for its own journalism."""
    return [(pub.name, "publisher"), (agency or pub.name, "originator")]


def article_ninjs(
    article: ArticlePage,
    pub: PublicationSettings,
    client: Client,
    *,
    full: bool,
    item: ItemRights | None = None,
) -> dict[str, Any]:
    summary = article_summary(article, pub, client, item)
    rights_data = summary["rights"]
    image, renditions = lead_image(article, item)
    pictures = []
    if image is not None:
        pictures.append(
            Picture(
                name="lead-image",
                uri=as_uri(f"image:{article.lead_image_id}", fallback_prefix="urn:lede:"),
                renditions=tuple(renditions),
                caption=image["caption"],
                credit=image["credit"],
            )
        )
    sources = _sources(pub, rights_data["agency"])
    authors = article.authors
    ninjs_item = NinjsItem(
        uri=summary["url"],
        representation="full" if full else "partial",
        version=str(article.live_revision_id or 1),
        first_created=article.published_at,
        version_created=article.last_published_at,
        expires=rights_data["expires_at"],
        language=article.locale.language_code if article.locale_id else pub.language,
        copyright_holder=rights_data["copyright_holder"],
        copyright_notice=rights_data["copyright_notice"],
        usage_terms=rights_data["usage_terms"],
        by=", ".join(a.name for a in authors) or rights_data["agency"],
        headline=article.title,
        subheadline=article.standfirst,
        body_html=article_body(article, full=full),
        info_sources=sources,
        subjects=[Concept(name=tag, rel="keyword") for tag in summary["tags"]]
        + ([Concept(name=article.section.title, rel="section")] if article.section else []),
        people=[
            Concept(name=a.name, uri=site_url(a.get_absolute_url()), rel="author") for a in authors
        ],
        pictures=pictures,
    )
    return to_ninjs(ninjs_item)


def dispatch_out(
    dispatch: Dispatch,
    pub: PublicationSettings,
    client: Client,
    *,
    full: bool,
    item: ItemRights | None = None,
) -> dict[str, Any]:
    agency = dispatch.credit if dispatch_is_agency(dispatch) else ""
    if dispatch.source_guid and not agency:
        agency = str(_("Agence"))
    data = rights(pub, client, agency=agency, item=item)
    version = int((dispatch.updated_at or dispatch.published_at).timestamp())
    return {
        "id": dispatch.pk,
        "provenance": data["origin"],
        "headline": dispatch.headline,
        "body_html": _cached_body(
            "dispatch", dispatch.pk, version, True, lambda: expand_db_html(dispatch.body)
        )
        if full
        else "",
        "representation": "full" if full else "partial",
        "published_at": dispatch.published_at,
        "updated_at": dispatch.updated_at,
        "section": _section_ref(dispatch.section),
        "access_level": dispatch.access_level,
        "url": site_url(dispatch.get_absolute_url()),
        "rights": data,
    }


def dispatch_ninjs(
    dispatch: Dispatch,
    pub: PublicationSettings,
    client: Client,
    *,
    full: bool,
    item: ItemRights | None = None,
) -> dict[str, Any]:
    data = dispatch_out(dispatch, pub, client, full=full, item=item)
    rights_data = data["rights"]
    sources = _sources(pub, rights_data["agency"])
    ninjs_item = NinjsItem(
        uri=as_uri(f"dispatch:{dispatch.pk}", fallback_prefix="urn:lede:"),
        representation="full" if full else "partial",
        version=str(int((dispatch.updated_at or dispatch.published_at).timestamp())),
        first_created=dispatch.published_at,
        version_created=dispatch.updated_at or dispatch.published_at,
        expires=rights_data["expires_at"],
        language=pub.language,
        copyright_holder=rights_data["copyright_holder"],
        copyright_notice=rights_data["copyright_notice"],
        usage_terms=rights_data["usage_terms"],
        by=rights_data["agency"],
        headline=dispatch.headline,
        body_html=data["body_html"],
        info_sources=sources,
        subjects=[Concept(name=dispatch.section.title, rel="section")] if dispatch.section else [],
    )
    return to_ninjs(ninjs_item)
