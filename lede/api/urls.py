from django.urls import path

from . import docs, feeds, licensee
from .api import api

urlpatterns = [
    path("docs/", docs.documentation, name="api_docs"),
    path("ma-licence/", licensee.usage_page, name="api_licensee_usage"),
    path("ma-licence/<str:month>.csv", licensee.usage_month_csv, name="api_licensee_usage_csv"),
    path("flux/articles.rss", feeds.articles_rss, name="api_feed_rss"),
    path("flux/articles.ninjs", feeds.articles_ninjs, name="api_feed_ninjs"),
    path("", api.urls),
]
