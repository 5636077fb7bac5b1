from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "livefeed"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.newsroom, name="newsroom"),
    path("flux/", views.stream, name="stream"),
    path("depeche/<int:pk>/", views.dispatch_fragment, name="dispatch"),
]
