"""Shared reads of the editorial domain (used by views, feeds, sitemaps, home)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils import timezone

from lede.core.models import PublicationSettings
from lede.core.selectors import publication_settings
from lede.core.site import site_url

from . import editions, json_ld_hooks
from .models import (
    TOP_SECTION_DEPTH,
    ArticleAuthor,
    ArticlePage,
    ArticleTag,
    Author,
    HomePage,
    SectionPage,
)

LIST_FIELDS = (
    "id",
    "title",
    "slug",
    "url_path",
    "path",
    "depth",
    "standfirst",
    "lead_image",
    "published_at",
    "updated_at",
    "first_published_at",
    "go_live_at",
    "agency_credit",
    "section",
    "access_level",
    "metered",
    "live",
    "content_type",
)


def _authors_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "article_authors",
        queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"),
    )


def live_articles() -> QuerySet[ArticlePage]:
    return ArticlePage.objects.live().filter(published_at__isnull=False)


def edition_articles(language: str | None = None) -> QuerySet[ArticlePage]:
    """The live articles of one edition (the current one by default:
    docs/editions.md). The content API and the search read every edition."""
    return editions.in_edition(live_articles(), language)


def for_listing(qs: QuerySet[ArticlePage]) -> QuerySet[ArticlePage]:
    """What a teaser needs, in a constant number of queries."""
    return (
        qs.select_related("lead_image", "section")
        .prefetch_related(_authors_prefetch())
        .defer("body")  # teasers never show the body: do not fetch it
        .order_by("-published_at", "-id")
    )


def latest_articles(limit: int = 20, language: str | None = None) -> QuerySet[ArticlePage]:
    return for_listing(edition_articles(language))[:limit]


def section_articles(section: SectionPage) -> QuerySet[ArticlePage]:
    """A section's articles, sub-sections included, newest first. Each case
    reads one index in order: (top_section, published_at) for a top-level
    section, (section, published_at) for a leaf; only a middle section with
    sub-sections of its own falls back on a list of sections."""
    if section.depth <= TOP_SECTION_DEPTH:
        return for_listing(live_articles().filter(top_section_id=section.pk))
    ids = section.section_ids()
    if len(ids) == 1:
        return for_listing(live_articles().filter(section_id=section.pk))
    return for_listing(live_articles().filter(section_id__in=ids))


def author_articles(author: Author) -> QuerySet[ArticlePage]:
    return for_listing(edition_articles().filter(article_authors__author=author))


def tag_articles(slug: str) -> QuerySet[ArticlePage]:
    return for_listing(edition_articles().filter(tags__slug=slug))


def recent_for_news_sitemap(hours: int = 48) -> QuerySet[ArticlePage]:
    since = timezone.now() - timedelta(hours=hours)
    return for_listing(edition_articles().filter(published_at__gte=since))


def navigation_sections(home: HomePage | None = None) -> QuerySet[SectionPage]:
    """The top-level sections of ``home``'s edition (the current one when
    no home is given)."""
    qs = SectionPage.objects.live().filter(show_in_navigation=True, depth=3)
    if home is not None:
        qs = qs.filter(locale_id=home.locale_id)
    else:
        qs = editions.in_edition(qs)
    return qs.order_by("path")


def home_blocks(home: HomePage) -> dict[str, Any]:
    """Lead story, secondary stories and latest per section for the home page."""
    lead = None
    articles = live_articles().filter(locale_id=home.locale_id)
    if home.lead_story_id:
        lead = for_listing(articles.filter(pk=home.lead_story_id)).first()
    if lead is None:
        lead = for_listing(articles).first()
    exclude = {lead.pk} if lead else set()
    chosen_ids = list(home.featured.values_list("article_id", flat=True))
    secondary: list[ArticlePage] = []
    if chosen_ids:
        by_id = {a.pk: a for a in for_listing(articles.filter(pk__in=chosen_ids))}
        secondary = [by_id[i] for i in chosen_ids if i in by_id and i not in exclude]
    missing = home.secondary_count - len(secondary)
    if missing > 0:
        exclude |= {a.pk for a in secondary}
        extra = for_listing(articles.exclude(pk__in=exclude))[:missing]
        secondary += list(extra)
    exclude |= {a.pk for a in secondary}
    per_section = []
    for section in navigation_sections(home):
        items = list(section_articles(section).exclude(pk__in=exclude)[:4])
        if items:
            per_section.append((section, items))
    return {"lead": lead, "secondary": secondary, "per_section": per_section}


#: The rendition readers' link previews (og:image) and JSON-LD use.
SHARE_RENDITION = "fill-1200x630|format-jpeg"


def article_share_image(article: ArticlePage, pub: PublicationSettings) -> str:
    """Absolute URL of the picture shown when the article is shared: its lead
    image, else the publication's default share image, else its logo, else the
    project's own card (static/lede/share-default.png): every article has one."""
    if article.lead_image is not None:
        return site_url(article.lead_image.get_rendition(SHARE_RENDITION).url)
    if pub.share_image is not None:
        return site_url(pub.share_image.get_rendition(SHARE_RENDITION).url)
    if pub.logo is not None:
        return site_url(pub.logo.get_rendition("max-1200x630|format-png").url)
    return site_url(static("lede/share-default.png"))


def article_json_ld(article: ArticlePage, request: HttpRequest | None) -> dict[str, Any]:
    """schema.org NewsArticle for an article page (every URL on the site's
    one address, lede/core/site.py)."""
    pub = publication_settings(request)
    url = article.get_full_url(request) or site_url("/")
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title[:110],
        "description": article.standfirst,
        "inLanguage": article.locale.language_code,
        "isAccessibleForFree": article.effective_access_level == "public",
    }
    if article.display_date:
        data["datePublished"] = article.display_date.isoformat()
        data["dateModified"] = (article.updated_at or article.display_date).isoformat()
    if article.section is not None:
        data["articleSection"] = article.section.title
    image = article_share_image(article, pub)
    if image:
        data["image"] = [image]
    publisher: dict[str, Any] = {"@type": "NewsMediaOrganization", "name": pub.name}
    if pub.logo is not None:
        logo = pub.logo.get_rendition("height-60")
        publisher["logo"] = {"@type": "ImageObject", "url": site_url(logo.url)}
    else:
        # As before the site address existed: the static logo's conventional
        # place (a publication without a logo image should add one).
        publisher["logo"] = {"@type": "ImageObject", "url": site_url("/static/lede/logo.png")}
    data["publisher"] = publisher
    if article.authors:
        data["author"] = [
            {
                "@type": "Person",
                "name": a.name,
                "url": site_url(a.get_absolute_url()),
            }
            for a in article.authors
        ]
    else:
        data["author"] = {"@type": "Organization", "name": article.agency_credit or pub.name}
    return json_ld_hooks.apply(data, article, request)


def related_articles(article: ArticlePage, limit: int = 4) -> list[ArticlePage]:
    """Stories to read next: those sharing the most tags with ``article`` first
    (newest first among equals), then the newest of its section; never the
    article itself. Four queries whatever the limit: the tags' articles, the
    section's latest, then the teasers and their authors. Each reads an index
    (tag, section and publication date) and stops after a few rows."""
    chosen: list[int] = []
    tag_ids = list(
        ArticleTag.objects.filter(content_object_id=article.pk).values_list("tag_id", flat=True)
    )
    if tag_ids:
        shared = (
            live_articles()
            .filter(tagged_items__tag_id__in=tag_ids, locale_id=article.locale_id)
            .exclude(pk=article.pk)
            .values("pk")
            .annotate(n=Count("tagged_items"))
            .order_by("-n", "-published_at", "-pk")
        )
        chosen = [row["pk"] for row in shared[:limit]]
    if len(chosen) < limit and article.section_id is not None:
        section = (
            live_articles()
            .filter(section_id=article.section_id)
            .exclude(pk__in=[article.pk, *chosen])
            .order_by("-published_at", "-id")
            .values_list("pk", flat=True)
        )
        chosen += list(section[: limit - len(chosen)])
    if not chosen:
        return []
    by_id = {a.pk: a for a in for_listing(live_articles().filter(pk__in=chosen))}
    return [by_id[pk] for pk in chosen if pk in by_id]
