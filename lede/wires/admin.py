"""The wire tables in Django's admin too (read-only log and items, editable sources).

Editors work in the Wagtail desk (``/admin/depeches/``); this is for operators.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import IngestLogEntry, WireItemRecord, WireSource


@admin.register(WireSource)
class WireSourceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "provider", "kind", "active", "last_polled_at", "failure_count"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "provider"]
    fieldsets = [
        (
            None,
            {"fields": WireSource.DESK_FIELDS},
        ),
        (
            _("Droits par défaut (quand la dépêche ne les précise pas)"),
            {"fields": WireSource.RIGHTS_FIELDS},
        ),
        (
            _("Relève"),
            {"fields": WireSource.POLL_STATE_FIELDS},
        ),
    ]
    readonly_fields = WireSource.POLL_STATE_FIELDS

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WireItemRecord)
class WireItemRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "headline",
        "provider",
        "language",
        "urgency",
        "version",
        "status",
        "received_at",
    ]
    list_filter = ["status", "provider", "language", "pub_status"]
    search_fields = ["guid", "headline"]
    date_hierarchy = "received_at"
    list_select_related = ["source"]


@admin.register(IngestLogEntry)
class IngestLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "outcome", "source", "filename", "guid", "version", "reason"]
    list_filter = ["outcome", "source"]
    search_fields = ["filename", "guid", "reason"]
    date_hierarchy = "created_at"
    list_select_related = ["source"]
