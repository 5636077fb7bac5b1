from django.urls import URLPattern, URLResolver

app_name = "livefeed"

urlpatterns: list[URLPattern | URLResolver] = []
