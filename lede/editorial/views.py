from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from taggit.models import Tag

from lede.core.caching.edge import allow_shared_caching
from lede.core.caching.listings import CachedCountPaginator, serve_listing
from lede.core.site import rebase

from . import editions, selectors
from .models import ArticlePage, Author, _page_size


def paginate(request: HttpRequest, qs: QuerySet[ArticlePage], count_key: str) -> Any:
    raw = request.GET.get("page", "1")
    paginator = CachedCountPaginator(qs, _page_size(), count_key=count_key)
    try:
        if not raw.isdigit():
            raise PageNotAnInteger(raw)
        return paginator.page(int(raw))
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404(_("Cette page n’existe pas.")) from exc


@require_GET
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    page_obj = paginate(request, selectors.author_articles(author), f"author:{author.pk}")
    return render(request, "editorial/author.html", {"author": author, "page_obj": page_obj})


@require_GET
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    page_obj = paginate(request, selectors.tag_articles(slug), f"tag:{tag.pk}")
    return render(request, "editorial/tag.html", {"tag": tag, "page_obj": page_obj})


@require_GET
def news_sitemap(request: HttpRequest) -> HttpResponse:
    from lede.core.selectors import publication_settings

    def render_sitemap(req: HttpRequest) -> HttpResponse:
        items = list(selectors.recent_for_news_sitemap()[:1000])
        return render(
            req,
            "editorial/news_sitemap.xml",
            {
                "items": items,
                "pub": publication_settings(req),
                "language": editions.current_language(),
            },
            content_type="application/xml; charset=utf-8",
        )

    return allow_shared_caching(request, serve_listing(request, render_sitemap))


def sitemap_index(request: HttpRequest) -> HttpResponse:
    from django.contrib.sitemaps import views as sitemap_views
    from django.contrib.sitemaps.views import SitemapIndexItem

    from .sitemaps import sitemaps

    def render_index(req: HttpRequest) -> Any:
        response = sitemap_views.index(req, sitemaps(req))
        # Django builds the files' addresses from the request's host: move
        # them onto the site's one address.
        data = response.context_data or {}
        data["sitemaps"] = [
            SitemapIndexItem(rebase(item.location), item.last_mod) for item in data["sitemaps"]
        ]
        response.context_data = data
        return response

    response = serve_listing(request, render_index)
    return allow_shared_caching(request, response)


def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    from django.contrib.sitemaps import views as sitemap_views

    from .sitemaps import sitemaps

    response = serve_listing(
        request, lambda req: sitemap_views.sitemap(req, sitemaps(req), section=section)
    )
    return allow_shared_caching(request, response)
