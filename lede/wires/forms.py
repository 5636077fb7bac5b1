"""Forms of the wire desk: list filters, article section choice, file upload."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lede.editorial.models import SectionPage

from .models import IngestOutcomeKind, ItemStatus, WireItemRecord, WireSource

RECEIVED_PERIODS = {
    "1h": timedelta(hours=1),
    "6h": timedelta(hours=6),
    "24h": timedelta(hours=24),
    "7j": timedelta(days=7),
}
STATUS_ALL = "all"
STATUS_TODO = "todo"


class DeskFilterForm(forms.Form):
    """GET filters of the desk list; an invalid value is ignored, never an error page."""

    q = forms.CharField(label=_("Titre contient"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[
            (STATUS_TODO, _("À traiter")),
            (STATUS_ALL, _("Toutes")),
            *ItemStatus.choices,
        ],
    )
    provider = forms.ChoiceField(label=_("Agence"), required=False)
    language = forms.ChoiceField(label=_("Langue"), required=False)
    urgency = forms.TypedChoiceField(
        label=_("Urgence"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Toutes"))] + [(str(n), f"≤ {n}") for n in range(1, 10)],
    )
    subject = forms.CharField(label=_("Sujet"), required=False, max_length=200)
    received = forms.ChoiceField(
        label=_("Reçue"),
        required=False,
        choices=[
            ("", _("Toutes dates")),
            ("1h", _("Dernière heure")),
            ("6h", _("6 dernières heures")),
            ("24h", _("24 dernières heures")),
            ("7j", _("7 derniers jours")),
        ],
    )
    received_from = forms.DateField(label=_("Reçue depuis le"), required=False)
    received_to = forms.DateField(label=_("Reçue jusqu'au"), required=False)

    def __init__(
        self, *args: Any, providers: list[str], languages: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        provider_field = self.fields["provider"]
        language_field = self.fields["language"]
        assert isinstance(provider_field, forms.ChoiceField)
        assert isinstance(language_field, forms.ChoiceField)
        provider_field.choices = [("", _("Toutes")), *[(p, p) for p in providers]]
        language_field.choices = [("", _("Toutes")), *[(code, code) for code in languages]]

    def filter(self, queryset: QuerySet[WireItemRecord]) -> QuerySet[WireItemRecord]:
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data  # only the valid filters: a bad one is ignored
        status = data.get("status") or STATUS_TODO
        if status == STATUS_TODO:
            queryset = queryset.filter(status=ItemStatus.NEW)
        elif status != STATUS_ALL:
            queryset = queryset.filter(status=status)
        if data.get("q"):
            queryset = queryset.filter(headline__icontains=data["q"])
        if data.get("provider"):
            queryset = queryset.filter(provider=data["provider"])
        if data.get("language"):
            queryset = queryset.filter(language=data["language"])
        if data.get("urgency") is not None:
            queryset = queryset.filter(urgency__isnull=False, urgency__lte=data["urgency"])
        if data.get("subject"):
            queryset = queryset.filter(subjects_text__icontains=data["subject"])
        now = timezone.now()
        if data.get("received") in RECEIVED_PERIODS:
            queryset = queryset.filter(received_at__gte=now - RECEIVED_PERIODS[data["received"]])
        tz = timezone.get_current_timezone()
        if data.get("received_from"):
            start = datetime.combine(data["received_from"], time.min, tzinfo=tz)
            queryset = queryset.filter(received_at__gte=start)
        if data.get("received_to"):
            end = datetime.combine(data["received_to"] + timedelta(days=1), time.min, tzinfo=tz)
            queryset = queryset.filter(received_at__lt=end)
        return queryset


class CreateArticleForm(forms.Form):
    section: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Rubrique"),
        queryset=None,
        required=False,
        empty_label=_("Rubrique par défaut de la source"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["section"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = SectionPage.objects.order_by("path")


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Fichier de dépêches"))
    source = forms.ModelChoiceField(
        label=_("Source"),
        queryset=WireSource.objects.all(),
        required=False,
        empty_label=_("Aucune"),
    )


class LogFilterForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Résultat"),
        required=False,
        choices=[("", _("Tous")), *IngestOutcomeKind.choices],
    )
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=WireSource.objects.all(), required=False
    )
    q = forms.CharField(label=_("Fichier ou identifiant"), required=False, max_length=200)

    def filter(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("outcome"):
            queryset = queryset.filter(outcome=data["outcome"])
        if data.get("source"):
            queryset = queryset.filter(source=data["source"])
        if data.get("q"):
            queryset = queryset.filter(
                Q(filename__icontains=data["q"]) | Q(guid__icontains=data["q"])
            )
        return queryset
