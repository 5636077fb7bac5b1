from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "subscriptions"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.account, name="account"),
    path("offres/", views.offers, name="offers"),
    path("commande/<slug:slug>/", views.checkout, name="checkout"),
    path("resilier/", views.cancel, name="cancel"),
    path("reprendre/", views.resume, name="resume"),
    path("changer/", views.change_plan, name="change_plan"),
    path("renouveler/", views.renew, name="renew"),
    path("recus/<str:number>.pdf", views.receipt, name="receipt"),
    path("cadeau/", views.gift_buy, name="gift_buy"),
    path("cadeau/merci/<uuid:uuid>/", views.gift_done, name="gift_done"),
    path("cadeau/utiliser/", views.gift_redeem, name="gift_redeem"),
    path("licence-groupe/", views.group, name="group"),
]
