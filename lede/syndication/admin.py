"""Licences and API keys in the Django admin. A key's secret is shown once, in
the message after it is created or rotated; only its hash is stored."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from lede.core.site import site_url
from lede.paywall.access import month_key

from . import reports, selectors, services, webhooks
from .models import SCOPES, ApiCall, ApiKey, Licence, WebhookDelivery, WebhookEndpoint

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ApiKeyForm(forms.ModelForm):  # type: ignore[type-arg]
    scopes = forms.MultipleChoiceField(
        label=_("droits"), choices=SCOPES, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ApiKey
        fields = ["name", "licence", "scopes", "sections", "languages", "expires_at", "rate_limit"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        licence = data.get("licence")
        moved = self.instance.pk is None or self.instance.licence_id != getattr(licence, "pk", None)
        if licence is not None and moved:
            try:
                services.seat_check(licence)
            except ValidationError as exc:
                self.add_error("licence", exc)
        return data


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ApiKeyForm
    list_display = ["name", "prefix", "licence", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["licence"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at", "replaced_by"]
    actions = ["revoke", "rotate"]

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if not change:
            plaintext = services.apikey_fill_secret(obj)
            super().save_model(request, obj, form, change)
            messages.warning(
                request,
                _t("Clé créée. Copiez-la maintenant, elle ne sera plus jamais affichée : %(key)s")
                % {"key": plaintext},
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Révoquer immédiatement"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            services.apikey_revoke(key=key)
        messages.success(request, _t("Clés révoquées : %(n)d") % {"n": queryset.count()})

    @admin.action(description=_("Remplacer (l’ancienne reste valable 7 jours)"))
    def rotate(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset.filter(revoked_at__isnull=True):
            replacement, plaintext = services.apikey_rotate(key=key)
            messages.warning(
                request,
                _t("Nouvelle clé pour « %(name)s », affichée une seule fois : %(key)s")
                % {"name": replacement.name, "key": plaintext},
            )


class WebhookInline(admin.TabularInline):  # type: ignore[type-arg]
    model = WebhookEndpoint
    extra = 0
    fields = ("url", "secret", "active")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["secret"].initial = webhooks.new_secret
        return formset


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "created_at",
        "endpoint",
        "event",
        "article_id",
        "status",
        "attempts",
        "last_status",
    ]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    inlines = [WebhookInline]
    list_display = ["name", "organisation", "full_text", "monthly_volume", "starts_at", "ends_at"]
    list_filter = ["full_text", "agency_copy"]
    search_fields = ["name", "organisation__name"]
    filter_horizontal = ["sections"]
    actions = ["report_csv"]
    readonly_fields = ["usage_link"]

    @admin.display(description=_("Lien de consommation (à envoyer au licencié)"))
    def usage_link(self, obj: Licence) -> str:
        """The licensee's usage page, signed for this licence only (valid
        about three months: send a fresh one with each invoice)."""
        if obj.pk is None:
            return "—"
        url = site_url(reverse("api_licensee_usage"))
        return f"{url}?{urlencode({'jeton': selectors.usage_link_token(obj)})}"

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/consommation/<str:month>.<str:fmt>",
                self.admin_site.admin_view(self.report_view),
                name="syndication_licence_report",
            ),
            *super().get_urls(),
        ]

    def report_view(self, request: HttpRequest, pk: int, month: str, fmt: str) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        if not _MONTH.match(month) or fmt not in {"csv", "pdf"}:
            return HttpResponse(
                _t("Mois (AAAA-MM) ou format (csv, pdf) invalide."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        licence = get_object_or_404(Licence.objects.select_related("organisation"), pk=pk)
        usage = selectors.licence_usage(licence, month)
        if fmt == "csv":
            response = HttpResponse(
                reports.usage_csv(usage), content_type="text/csv; charset=utf-8"
            )
        else:
            response = HttpResponse(reports.usage_pdf(usage), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="licence-{pk}-{month}.{fmt}"'
        return response

    @admin.action(description=_("Rapport de consommation du mois (CSV)"))
    def report_csv(self, request: HttpRequest, queryset: QuerySet[Licence]) -> HttpResponse:
        month = month_key(timezone.now())
        body = "".join(
            reports.usage_csv(selectors.licence_usage(licence, month))
            for licence in queryset.select_related("organisation")
        )
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="licences-{month}.csv"'
        return response


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["at", "key", "endpoint", "status", "items", "full_items"]
    list_filter = ["status", "licence"]
    readonly_fields = ["key", "licence", "endpoint", "status", "items", "full_items", "at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
