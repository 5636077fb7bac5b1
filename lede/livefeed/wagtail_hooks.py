"""Admin: the dispatch desk ("Newsroom › Dépêches").

A short form (headline, text, section, source; photo and article link folded
away) whose create and edit go through the services, and a "Retirer" action
with an optional editor's note.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, EditView, IndexView, SnippetViewSet

from . import services
from .models import Dispatch, Edition

FIELDS = (
    "headline",
    "body",
    "section",
    "credit",
    "access_level",
    "photo",
    "photo_caption",
    "photo_credit",
    "article",
    "language",
)


def _add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class DispatchForm(WagtailAdminModelForm):
    """Checks the same rules as the services, so errors show on the right field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "language" in self.fields:  # French unless the desk says otherwise
            self.fields["language"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("language"):
            cleaned["language"] = self.instance.language or Edition.FR
        if self.errors:
            return cleaned
        if self.instance.pk and self.instance.is_withdrawn:
            raise ValidationError(_("Une dépêche retirée ne peut plus être corrigée."))
        try:
            services.dispatch_validate(
                headline=cleaned.get("headline", ""),
                body=cleaned.get("body", ""),
                credit=cleaned.get("credit", ""),
                access_level=cleaned.get("access_level", "public"),
                photo_caption=cleaned.get("photo_caption", ""),
                photo_credit=cleaned.get("photo_credit", ""),
            )
        except ValidationError as exc:
            _add_errors(self, exc)
        return cleaned


def _service_fields(form: forms.BaseForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {name: data.get(name) for name in FIELDS} | {
        "credit": data.get("credit") or "",
        "photo_caption": data.get("photo_caption") or "",
        "photo_credit": data.get("photo_credit") or "",
    }


class DispatchCreateView(CreateView):
    def save_instance(self) -> Dispatch:
        dispatch = services.dispatch_publish(user=self.request.user, **_service_fields(self.form))
        log(instance=dispatch, action="wagtail.create", user=self.request.user)
        return dispatch

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)


class DispatchEditView(EditView):
    def save_instance(self) -> Dispatch:
        dispatch = services.dispatch_update(
            dispatch=self.object, user=self.request.user, **_service_fields(self.form)
        )
        log(instance=dispatch, action="wagtail.edit", user=self.request.user)
        return dispatch

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)

    @property
    def header_more_buttons(self) -> list[Any]:
        buttons = list(super().header_more_buttons)
        if not self.object.is_withdrawn:
            buttons.append(
                Button(
                    _("Retirer"),
                    url=reverse("livefeed_dispatch:withdraw", args=[self.object.pk]),
                    icon_name="warning",
                    priority=15,
                )
            )
        return buttons


class DispatchIndexView(IndexView):
    def get_list_more_buttons(self, instance: Dispatch) -> list[Any]:
        buttons = list(super().get_list_more_buttons(instance))
        if not instance.is_withdrawn and self.permission_policy.user_has_permission(
            self.request.user, "change"
        ):
            buttons.append(
                Button(
                    _("Retirer"),
                    url=reverse("livefeed_dispatch:withdraw", args=[instance.pk]),
                    icon_name="warning",
                    priority=25,
                )
            )
        return buttons


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note de la rédaction"),
        required=False,
        max_length=services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Affichée à la place de la dépêche (par exemple : « Cette dépêche contenait "
            "une erreur. »). Vide : la dépêche disparaît du fil."
        ),
    )


class WithdrawView(WagtailAdminTemplateMixin, FormView):  # type: ignore[type-arg]
    template_name = "wagtailadmin/generic/form.html"
    form_class = WithdrawForm
    header_icon = "warning"
    permission_policy: Any = None
    index_url_name = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not self.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        self.object = get_object_or_404(Dispatch, pk=kwargs["pk"])
        if self.object.is_withdrawn:
            messages.warning(request, _("Cette dépêche est déjà retirée."))
            return redirect(self.index_url_name)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("Retirer la dépêche")

    def get_page_subtitle(self) -> str:
        return self.object.headline

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return []

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "action_url": self.request.path,
                "submit_button_label": _("Retirer"),
                "submit_button_active_label": _("Retrait…"),
                "object": self.object,
            }
        )
        return context

    def form_valid(self, form: WithdrawForm) -> HttpResponse:
        try:
            services.dispatch_withdraw(
                dispatch=self.object, note=form.cleaned_data["note"], user=self.request.user
            )
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)
        log(instance=self.object, action="livefeed.withdraw", user=self.request.user)
        messages.success(
            self.request, _("Dépêche « %(title)s » retirée.") % {"title": self.object.headline}
        )
        return redirect(self.index_url_name)


class DispatchViewSet(SnippetViewSet):  # type: ignore[type-arg]
    model = Dispatch
    icon = "pilcrow"
    menu_label = gettext_lazy("Dépêches")
    menu_order = 150
    add_to_admin_menu = True
    url_namespace = "livefeed_dispatch"
    url_prefix = "livefeed/dispatch"
    index_view_class = DispatchIndexView
    add_view_class = DispatchCreateView
    edit_view_class = DispatchEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["headline", "published_at", "section", "credit", "access_level", "status"]
    list_filter = ["status", "access_level", "language", "credit"]
    search_fields = ["headline"]
    ordering = ["-published_at", "-id"]
    edit_handler = ObjectList(
        [
            FieldPanel("headline"),
            FieldPanel("body"),
            FieldPanel("section"),
            FieldPanel("credit"),
            FieldPanel("access_level"),
            FieldPanel("language"),
            MultiFieldPanel(
                [
                    FieldPanel("photo"),
                    FieldPanel("photo_caption"),
                    FieldPanel("photo_credit"),
                    FieldPanel("article"),
                ],
                heading=gettext_lazy("Photo et article complet"),
                classname="collapsed",
            ),
        ],
        base_form_class=DispatchForm,
    )

    @property
    def withdraw_view(self) -> Any:
        return WithdrawView.as_view(
            permission_policy=self.permission_policy,
            index_url_name=self.get_url_name("list"),
        )

    def get_urlpatterns(self) -> list[Any]:
        return [
            *super().get_urlpatterns(),
            path("withdraw/<int:pk>/", self.withdraw_view, name="withdraw"),
        ]


register_snippet(DispatchViewSet)


@hooks.register("register_log_actions")
def register_withdraw_action(actions: Any) -> None:
    actions.register_action(
        "livefeed.withdraw", gettext_lazy("Retrait"), gettext_lazy("Dépêche retirée du fil")
    )
