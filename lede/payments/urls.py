from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "payments"

urlpatterns: list[URLPattern | URLResolver] = [
    path("notification/<slug:provider>/", views.notification, name="notify"),
    path("retour/<slug:provider>/", views.payment_return, name="return"),
    path("commande/<uuid:uuid>/", views.order_status, name="order_status"),
    path("commande/<uuid:uuid>/payer/", views.order_pay, name="order_pay"),
    path("commande/<uuid:uuid>/virement/", views.manual_instructions, name="manual"),
    path("test/<slug:oid>/", views.sandbox_card, name="sandbox_card"),
    path("stripe/portail/", views.stripe_portal, name="stripe_portal"),
]
