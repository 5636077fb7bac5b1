from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.account_home, name="account_home"),
    path("donnees/", views.data_export, name="account_data_export"),
    path("supprimer/", views.account_delete, name="account_delete"),
    path("supprime/", views.account_deleted, name="account_deleted"),
    # One road in for new and known readers (shadows allauth's sign-up, same
    # path and name, so every link to ``account_signup`` leads here).
    path("signup/", views.address_request, name="account_signup"),
    path("code/", views.address_confirm, name="account_code_confirm"),
    # Shadows allauth's pattern of the same path and name (this module is
    # included before allauth.urls): same flow, but a 400 for a dead link.
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
]
