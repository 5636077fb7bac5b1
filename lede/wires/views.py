"""The wire desk in the Wagtail admin: the queue, an item, its actions, uploads, the log."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lede.core.sanitize import clean_html

from .forms import CreateArticleForm, DeskFilterForm, LogFilterForm, UploadForm
from .models import IngestLogEntry, IngestOutcomeKind, ItemStatus, WireItemRecord
from .ninjs_output import to_ninjs
from .services.desk import (
    WireActionError,
    effective_credit,
    wire_create_article,
    wire_ignore,
    wire_publish_dispatch,
    wire_restore,
)
from .services.ingest import wire_ingest_bytes
from .services.log import log_rejected_file, max_bytes, too_large_reason

VIEW_PERMISSION = "wires.view_wireitemrecord"
CHANGE_PERMISSION = "wires.change_wireitemrecord"
ADD_PERMISSION = "wires.add_wireitemrecord"
LOG_PERMISSION = "wires.view_ingestlogentry"
DESK_PAGE_SIZE = 50
LOG_PAGE_SIZE = 100

DESK_BREADCRUMB = {"url": reverse_lazy("wires:desk"), "label": _("Fils d'agences")}


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


class DeskView(WagtailAdminTemplateMixin, View):
    """The queue: newest first, filtered by provider, language, urgency, subject, time."""

    template_name = "wires/desk.html"
    page_title = _("Fils d'agences")
    header_icon = "doc-full-inverse"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request, VIEW_PERMISSION)
        records = WireItemRecord.objects.all()
        providers = list(
            records.exclude(provider="")
            .order_by("provider")
            .values_list("provider", flat=True)
            .distinct()
        )
        languages = list(
            records.exclude(language="")
            .order_by("language")
            .values_list("language", flat=True)
            .distinct()
        )
        form = DeskFilterForm(request.GET or None, providers=providers, languages=languages)
        queryset = form.filter(records.select_related("source")).defer(
            "body_html", "photos", "associations", "copyright", "ednote", "keywords"
        )
        page = Paginator(queryset, DESK_PAGE_SIZE).get_page(request.GET.get("p"))
        query = request.GET.copy()
        query.pop("p", None)
        context = self.get_context_data(
            form=form,
            page_obj=page,
            records=list(page.object_list),
            query_string=query.urlencode(),
            can_upload=request.user.has_perm(ADD_PERMISSION),
            can_see_log=request.user.has_perm(LOG_PERMISSION),
        )
        return self.render_to_response(context)


class ItemView(WagtailAdminTemplateMixin, View):
    """One item in full, with the desk's actions."""

    template_name = "wires/item.html"
    header_icon = "doc-full"

    def get_page_title(self) -> str:
        return str(self.record.headline or self.record.guid)[:120]

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            DESK_BREADCRUMB,
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        _require(request, VIEW_PERMISSION)
        self.record = get_object_or_404(
            WireItemRecord.objects.select_related("source", "source__default_section", "article"),
            pk=pk,
        )
        return self.render_item(request)

    def render_item(
        self,
        request: HttpRequest,
        *,
        status: int = 200,
        article_form: CreateArticleForm | None = None,
    ) -> HttpResponse:
        record = self.record
        dispatch = record.get_dispatch()
        context = self.get_context_data(
            record=record,
            body=clean_html(record.body_html),
            embargoed=record.is_embargoed(),
            dispatch=dispatch,
            credit=effective_credit(record),
            article_form=article_form or CreateArticleForm(),
            can_act=request.user.has_perm(CHANGE_PERMISSION),
            log_entries=list(record.log_entries.select_related("source")[:20]),
            ninjs=json.dumps(to_ninjs(record), ensure_ascii=False, indent=2),
            statuses=ItemStatus,
        )
        return self.render_to_response(context, status=status)


class ItemActionView(ItemView):
    """POST actions on one item. A refused action (embargo, killed item…) answers
    409 with the item and the reason; nothing is half-done."""

    http_method_names = ["post"]
    action = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        _require(request, CHANGE_PERMISSION)
        self.record = get_object_or_404(
            WireItemRecord.objects.select_related("source", "source__default_section", "article"),
            pk=pk,
        )
        try:
            return self.act(request)
        except WireActionError as exc:
            messages.error(request, str(exc))
            self.record.refresh_from_db()
            return self.render_item(request, status=409)

    def act(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError

    def back(self) -> HttpResponseRedirect:
        return redirect("wires:item", pk=self.record.pk)


class PublishDispatchView(ItemActionView):
    def act(self, request: HttpRequest) -> HttpResponse:
        wire_publish_dispatch(record=self.record, user=request.user)
        messages.success(request, _("Brève publiée dans le fil Newsroom."))
        return self.back()


class CreateArticleView(ItemActionView):
    def act(self, request: HttpRequest) -> HttpResponse:
        form = CreateArticleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Rubrique inconnue : choisissez-en une dans la liste."))
            return self.render_item(request, status=400, article_form=form)
        article, notes = wire_create_article(
            record=self.record, section=form.cleaned_data.get("section"), user=request.user
        )
        messages.success(request, _("Brouillon d'article créé à partir de la dépêche."))
        for note in notes:
            messages.warning(request, note)
        return redirect("wagtailadmin_pages:edit", article.pk)


class IgnoreView(ItemActionView):
    def act(self, request: HttpRequest) -> HttpResponse:
        wire_ignore(record=self.record, user=request.user)
        messages.success(request, _("Dépêche ignorée."))
        return redirect("wires:desk")


class RestoreView(ItemActionView):
    def act(self, request: HttpRequest) -> HttpResponse:
        wire_restore(record=self.record, user=request.user)
        messages.success(request, _("Dépêche remise au desk."))
        return self.back()


def item_ninjs(request: HttpRequest, pk: int) -> JsonResponse:
    """The item as ninjs 3.1 JSON (for checking, or for another system)."""
    _require(request, VIEW_PERMISSION)
    record = get_object_or_404(WireItemRecord, pk=pk)
    return JsonResponse(to_ninjs(record), json_dumps_params={"ensure_ascii": False, "indent": 2})


class UploadView(WagtailAdminTemplateMixin, View):
    """The upload button: one wire file, imported at once, results shown."""

    template_name = "wires/upload.html"
    page_title = _("Envoyer un fichier de dépêches")
    header_icon = "upload"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, DESK_BREADCRUMB, {"url": "", "label": self.page_title}]

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request, ADD_PERMISSION)
        return self.render_to_response(self.get_context_data(form=UploadForm()))

    def post(self, request: HttpRequest) -> HttpResponse:
        _require(request, ADD_PERMISSION)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["file"]
        source = form.cleaned_data.get("source")
        if upload.size is not None and upload.size > max_bytes():
            # Not read at all: the limit is checked on the size Django already knows.
            rejected = log_rejected_file(
                label=upload.name or "envoi", reason=too_large_reason(upload.size), source=source
            )
            form.add_error("file", rejected.reason)
            return self.render_to_response(
                self.get_context_data(form=form, outcomes=[rejected]), status=400
            )
        data = upload.read(max_bytes() + 1)
        outcomes = wire_ingest_bytes(data=data, filename=upload.name or "envoi", source=source)
        if outcomes and all(o.outcome == IngestOutcomeKind.REJECTED for o in outcomes):
            for outcome in outcomes:
                form.add_error("file", outcome.reason)
            return self.render_to_response(
                self.get_context_data(form=form, outcomes=outcomes), status=400
            )
        imported = sum(o.outcome in {"imported", "updated"} for o in outcomes)
        messages.success(
            request, _("%(count)d dépêche(s) importée(s) ou mise(s) à jour.") % {"count": imported}
        )
        return self.render_to_response(
            self.get_context_data(
                form=UploadForm(), outcomes=outcomes, records_url=reverse("wires:desk")
            )
        )


class LogView(WagtailAdminTemplateMixin, View):
    """The ingest log: every file and item, with its outcome and reason."""

    template_name = "wires/log.html"
    page_title = _("Journal d'import")
    header_icon = "list-ul"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, DESK_BREADCRUMB, {"url": "", "label": self.page_title}]

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request, LOG_PERMISSION)
        form = LogFilterForm(request.GET or None)
        queryset = form.filter(IngestLogEntry.objects.select_related("source"))
        page = Paginator(queryset, LOG_PAGE_SIZE).get_page(request.GET.get("p"))
        query = request.GET.copy()
        query.pop("p", None)
        return self.render_to_response(
            self.get_context_data(
                form=form,
                page_obj=page,
                entries=list(page.object_list),
                query_string=query.urlencode(),
            )
        )
