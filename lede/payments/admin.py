"""Django admin for orders: staff record bank transfers and cash payments
("Enregistrer le paiement reçu") and refund."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import Order, PaymentAttempt, ProviderEvent
from .providers.base import ProviderError


class AttemptInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PaymentAttempt
    extra = 0
    can_delete = False
    fields = ("oid", "provider", "status", "amount_minor", "provider_reference", "created_at")
    readonly_fields = (
        "oid",
        "provider",
        "status",
        "amount_minor",
        "provider_reference",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["created_at", "user", "description", "amount_display", "status", "provider"]
    list_filter = ["status", "kind", "provider"]
    search_fields = ["uuid", "user__email", "attempts__oid"]
    list_select_related = ["user"]
    inlines = [AttemptInline]
    actions = ["record_payment", "refund_in_full"]
    readonly_fields = tuple(f.name for f in Order._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Enregistrer le paiement reçu (virement, espèces, bon de commande)")
    def record_payment(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        done = 0
        for order in queryset:
            try:
                services.manual_payment_record(order=order, staff_user=request.user)
            except services.PaymentError as exc:
                self.message_user(request, f"{order}: {exc.message}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} paiement(s) enregistré(s).", messages.SUCCESS)

    @admin.action(description="Rembourser intégralement (accès fermé)")
    def refund_in_full(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        for order in queryset:
            try:
                amount = services.order_refund(order=order, staff_user=request.user)
            except (services.PaymentError, ProviderError) as exc:
                self.message_user(request, f"{order}: {exc.message}", messages.WARNING)
            else:
                self.message_user(request, f"{order}: {amount} centimes remboursés.")


@admin.register(ProviderEvent)
class ProviderEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["received_at", "provider", "event_id", "kind", "outcome"]
    list_filter = ["provider", "outcome"]
    search_fields = ["event_id", "attempt__oid"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
