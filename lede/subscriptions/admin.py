"""Django admin (``/django-admin/``): subscriptions, receipts, gifts and the
ledger, read-only — they change only through services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import GiftCode, Invoice, LedgerEntry, Subscription


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = [
        "user",
        "plan",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "provider",
    ]
    list_filter = ["status", "provider", "is_gift", "cancel_at_period_end"]
    search_fields = ["user__email", "provider_customer_id", "provider_subscription_id"]
    list_select_related = ["user", "plan"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "issued_at", "user", "total_display", "payment_method"]
    search_fields = ["number", "user__email"]
    list_select_related = ["user"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "user", "amount_minor", "currency", "provider", "note"]
    list_filter = ["kind", "provider"]
    search_fields = ["event_key", "user__email", "note"]
    list_select_related = ["user"]


@admin.register(GiftCode)
class GiftCodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "buyer", "recipient_email", "months", "redeemed_by", "redeemed_at"]
    search_fields = ["code", "recipient_email", "buyer__email"]
