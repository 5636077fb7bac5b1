"""Newsletters in Wagtail's admin: the products and editions (snippets),
the addresses (bounces and complaints visible), and the sending desk
(/admin/envois/)."""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .models import Edition, Newsletter, Subscriber


class NewsletterViewSet(SnippetViewSet):  # type: ignore[type-arg]
    model = Newsletter
    icon = "mail"
    menu_label = _("Lettres")
    list_display = ["name", "slug", "audience", "frequency", "active"]


class EditionViewSet(SnippetViewSet):  # type: ignore[type-arg]
    model = Edition
    icon = "doc-full"
    menu_label = _("Éditions")
    list_display = ["__str__", "newsletter", "status", "scheduled_at", "created_at"]
    list_filter = ["newsletter", "status"]


class SubscriberViewSet(SnippetViewSet):  # type: ignore[type-arg]
    model = Subscriber
    icon = "user"
    menu_label = _("Adresses")
    list_display = ["email", "status", "bounce_count", "status_reason", "created_at"]
    list_filter = ["status"]
    search_fields = ["email"]
    form_fields = ["status", "status_reason"]


class NewslettersGroup(SnippetViewSetGroup):
    menu_label = _("Lettres d’information")
    menu_icon = "mail"
    items = (NewsletterViewSet, EditionViewSet, SubscriberViewSet)


register_snippet(NewslettersGroup)


@hooks.register("register_admin_urls")
def register_admin_urls() -> list[Any]:
    urlpatterns = [
        path("", admin_views.desk, name="desk"),
        path("<int:pk>/", admin_views.edition_detail, name="edition"),
        path("<int:pk>/apercu/", admin_views.edition_preview, name="preview"),
        path("<int:pk>/test/", admin_views.edition_test, name="test"),
        path("<int:pk>/envoyer/", admin_views.edition_send, name="send"),
        path("<int:pk>/programmer/", admin_views.edition_schedule, name="schedule"),
        path("<int:pk>/progression/", admin_views.edition_progress, name="progress"),
        path("renvoyer/<int:delivery_id>/", admin_views.delivery_resend, name="resend"),
    ]
    return [
        path("envois/", include((urlpatterns, "newsletters_admin"), namespace="newsletters_admin"))
    ]


@hooks.register("register_admin_menu_item")
def register_desk_menu_item() -> MenuItem:
    return MenuItem(
        _("Envois"), "/admin/envois/", icon_name="mail", order=310, name="newsletter-desk"
    )
