from django.urls import path

from . import views

app_name = "editorial"

urlpatterns = [
    path("auteurs/<slug:slug>/", views.author_detail, name="author"),
    path("mots-cles/<slug:slug>/", views.tag_detail, name="tag"),
]
