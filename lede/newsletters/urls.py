from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "newsletters"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.manage, name="manage"),
    path("inscription/", views.signup, name="signup"),
    path("confirmer/<str:token>/", views.confirm, name="confirm"),
    path("desinscription/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("clic/<str:token>/", views.click, name="click"),
    path("webhooks/mailgun/", views.mailgun_webhook, name="mailgun_webhook"),
    path("<slug:slug>/", views.archive, name="archive"),
    path("<slug:slug>/<int:pk>/", views.edition_view, name="edition"),
]
