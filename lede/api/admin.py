"""The press reviews in Django's admin (beside the licences): editors choose
the articles and download the PDF made for the licensee."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from lede.editorial.models import ArticlePage
from lede.syndication.models import PressReview, PressReviewItem

from .press_review import PressReviewRefused, review_pdf

#: The articles offered in the choice list: the last weeks' live articles.
CHOICE_DAYS = 60


class PressReviewItemInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PressReviewItem
    extra = 3
    fields = ["article", "sort_order"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "article":
            since = timezone.now() - timedelta(days=CHOICE_DAYS)
            kwargs["queryset"] = (
                ArticlePage.objects.live().filter(published_at__gte=since).order_by("-published_at")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(PressReview)
class PressReviewAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    inlines = [PressReviewItemInline]
    list_display = ["title", "edition_date", "licence", "last_generated_at", "pdf_link"]
    list_filter = ["edition_date"]
    search_fields = ["title", "licence__name", "licence__organisation__name"]
    readonly_fields = ["last_generated_at", "pdf_link"]
    fields = ["licence", "title", "edition_date", "introduction", "last_generated_at", "pdf_link"]

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj: PressReview) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:syndication_pressreview_pdf", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _t("Télécharger la revue (PDF)"))

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="syndication_pressreview_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        review = get_object_or_404(
            PressReview.objects.select_related("licence__organisation"), pk=pk
        )
        try:
            pdf = review_pdf(review)
        except PressReviewRefused as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return HttpResponseRedirect(reverse("admin:syndication_pressreview_change", args=[pk]))
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"revue-{review.edition_date:%Y-%m-%d}-{review.pk}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
