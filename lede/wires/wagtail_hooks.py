"""The wire desk in Wagtail's admin: URLs, menu, permissions, sources, publish guard."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from lede.core.dates import format_news_datetime

from . import views
from .models import ItemStatus, WireItemRecord, WireSource


@hooks.register("register_admin_urls")
def register_admin_urls() -> list[Any]:
    urlpatterns = [
        path("", views.DeskView.as_view(), name="desk"),
        path("<int:pk>/", views.ItemView.as_view(), name="item"),
        path("<int:pk>/ninjs/", views.item_ninjs, name="ninjs"),
        path("<int:pk>/publier/", views.PublishDispatchView.as_view(), name="publish"),
        path("<int:pk>/article/", views.CreateArticleView.as_view(), name="create_article"),
        path("<int:pk>/ignorer/", views.IgnoreView.as_view(), name="ignore"),
        path("<int:pk>/restaurer/", views.RestoreView.as_view(), name="restore"),
        path("envoyer/", views.UploadView.as_view(), name="upload"),
        path("journal/", views.LogView.as_view(), name="log"),
    ]
    return [path("depeches/", include((urlpatterns, "wires"), namespace="wires"))]


class WireSourceViewSet(ModelViewSet):  # type: ignore[type-arg]
    model = WireSource
    icon = "download"
    name = "wire_sources"
    url_prefix = "depeches/sources"
    menu_label = _("Sources")
    add_to_admin_menu = False
    form_fields = [*WireSource.DESK_FIELDS, *WireSource.RIGHTS_FIELDS]
    list_display = ["name", "provider", "kind", "active", "last_polled_at", "failure_count"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "provider"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        *WireSource.DESK_FIELDS,
        *WireSource.RIGHTS_FIELDS,
        *WireSource.POLL_STATE_FIELDS,
    ]

    def formfield_for_dbfield(self, db_field: Any, **kwargs: Any) -> Any:
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, **kwargs)


wire_source_viewset = WireSourceViewSet()


@hooks.register("register_admin_viewset")
def register_wire_source_viewset() -> ModelViewSet:  # type: ignore[type-arg]
    return wire_source_viewset


class PermissionMenuItem(MenuItem):
    def __init__(self, *args: Any, permission: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(self.permission))


@hooks.register("register_admin_menu_item")
def register_wires_menu() -> SubmenuMenuItem:
    menu = Menu(
        items=[
            PermissionMenuItem(
                _("Desk"),
                reverse("wires:desk"),
                icon_name="doc-full-inverse",
                order=100,
                permission=views.VIEW_PERMISSION,
            ),
            PermissionMenuItem(
                _("Envoyer un fichier"),
                reverse("wires:upload"),
                icon_name="upload",
                order=200,
                permission=views.ADD_PERMISSION,
            ),
            PermissionMenuItem(
                _("Journal d'import"),
                reverse("wires:log"),
                icon_name="list-ul",
                order=300,
                permission=views.LOG_PERMISSION,
            ),
            PermissionMenuItem(
                _("Sources"),
                reverse("wire_sources:index"),
                icon_name="download",
                order=400,
                permission="wires.change_wiresource",
            ),
        ]
    )
    return SubmenuMenuItem(_("Fils d'agences"), menu, icon_name="doc-full-inverse", order=250)


@hooks.register("register_permissions")
def register_permissions() -> QuerySet[Permission]:
    return Permission.objects.filter(
        content_type__app_label="wires",
        codename__in=[
            "view_wireitemrecord",
            "change_wireitemrecord",
            "add_wireitemrecord",
            "view_ingestlogentry",
            "add_wiresource",
            "change_wiresource",
            "delete_wiresource",
            "view_wiresource",
        ],
    )


@hooks.register("before_publish_page")
def refuse_killed_or_embargoed_wire(request: HttpRequest, page: Any) -> HttpResponse | None:
    """An article made from a wire cannot go live once the agency has killed the
    wire, nor before its embargo (the draft itself is kept)."""
    record = (
        WireItemRecord.objects.filter(article_id=page.pk)
        .only("status", "embargo_until", "kill_note")
        .first()
    )
    if record is None:
        return None
    if record.status == ItemStatus.KILLED:
        messages.error(
            request,
            _("Publication refusée : la dépêche d'origine a été retirée par l'agence. %(note)s")
            % {"note": record.kill_note},
        )
    elif record.embargo_until is not None and record.embargo_until > timezone.now():
        messages.error(
            request,
            _("Publication refusée : la dépêche d'origine est sous embargo jusqu'au %(until)s.")
            % {"until": format_news_datetime(record.embargo_until)},
        )
    else:
        return None
    return redirect("wagtailadmin_pages:edit", page.pk)
