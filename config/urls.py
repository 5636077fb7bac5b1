import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lede.accounts import views as account_views
from lede.core import views as core_views
from lede.core.observability import views as observability_views
from lede.editorial import views as editorial_views
from lede.editorial.feeds import SiteFeed
from lede.search import views as search_views
from lede.subscriptions import views as subscriptions_views
from lede.syndication import views as syndication_views

# Addresses that belong to no edition: machines, the admin, the language switch.
urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", observability_views.metrics, name="metrics"),
    path("robots.txt", syndication_views.robots_txt, name="robots_txt"),
    path(".well-known/tdmrep.json", syndication_views.tdmrep_json, name="tdmrep"),
    path("api/v1/", include("lede.api.urls")),
    path("langue/<str:code>/", account_views.language_switch, name="language_switch"),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
]

# The reader's site, once per edition: French at "/", Arabic under "/ar/"
# (docs/editions.md). LocaleMiddleware activates the edition's language from
# the prefix; Wagtail's pages are routed from the home page of that locale.
edition_patterns: list[URLPattern | URLResolver] = [
    path("droits/licences/", syndication_views.licence_policy, name="licence_policy"),
    path("sitemap.xml", editorial_views.sitemap_index, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        editorial_views.sitemap_section,
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("news-sitemap.xml", editorial_views.news_sitemap, name="news_sitemap"),
    path("rss/", SiteFeed(), name="rss"),
    path("recherche/", search_views.search, name="search"),
    path("", include("lede.editorial.urls")),
    path("compte/", include("lede.accounts.urls")),
    path("compte/", include("allauth.urls")),
    path("offres/", subscriptions_views.offers, name="offers"),
    path("newsroom/", include("lede.livefeed.urls")),
    path("abonnement/", include("lede.subscriptions.urls")),
    path("paiement/", include("lede.payments.urls")),
    path("lettres/", include("lede.newsletters.urls")),
]

if settings.LEDE_DEMO and settings.MEDIA_URL.startswith("/"):
    # The demo serves its uploads and renditions itself; production's web
    # server or object storage does (deploy/). Never tied to DEBUG.
    urlpatterns += [
        re_path(
            r"^{}(?P<path>.*)$".format(re.escape(settings.MEDIA_URL.lstrip("/"))),
            core_views.media,
        )
    ]

edition_patterns += [path("", include(wagtail_urls))]
urlpatterns += i18n_patterns(*edition_patterns, prefix_default_language=False)

handler404 = "lede.core.views.page_not_found"
handler500 = "lede.core.views.server_error"
