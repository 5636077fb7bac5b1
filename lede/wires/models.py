"""The wire desk's data: sources, the items received from them, and the ingest log.

A :class:`WireItemRecord` is the latest version of one agency item (one
``guid``); a higher version replaces it in place and the record counts the
versions it replaced. What the desk did with it (brève, article, ignored) and
what the agency did (canceled, withheld) is its ``status``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lede.livefeed.models import Dispatch


class PhotoRestriction(models.TextChoices):
    NONE = "", _("Aucune")
    EDITORIAL = "editorial", _("Usage éditorial seulement")
    NO_RESALE = "no_resale", _("Photos non revendables")


class SourceKind(models.TextChoices):
    FOLDER = "folder", _("Dossier surveillé")
    HTTP = "http", _("Flux HTTP(S)")
    UPLOAD = "upload", _("Envoi manuel")


class WireSource(models.Model):
    """Where agency copy comes from: a drop folder, a feed URL, or the upload button."""

    name = models.CharField(_("nom"), max_length=120, unique=True)
    provider = models.CharField(
        _("agence"), max_length=120, help_text=_("Par exemple « AFP », « Reuters », « MAP ».")
    )
    kind = models.CharField(
        _("type"), max_length=10, choices=SourceKind.choices, default=SourceKind.FOLDER
    )
    folder_path = models.CharField(
        _("dossier"),
        max_length=500,
        blank=True,
        help_text=_(
            "Chemin absolu du dossier de dépôt. Les fichiers traités sont déplacés dans "
            "« processed/ », les fichiers refusés dans « rejected/ »."
        ),
    )
    url = models.URLField(_("adresse du flux"), max_length=1000, blank=True)
    poll_interval = models.PositiveIntegerField(_("intervalle de relève (secondes)"), default=300)
    default_section = models.ForeignKey(
        "editorial.SectionPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("rubrique par défaut"),
    )
    default_credit = models.CharField(
        _("crédit par défaut"),
        max_length=120,
        blank=True,
        help_text=_("Utilisé quand la dépêche n'indique pas de crédit."),
    )
    active = models.BooleanField(_("active"), default=True)
    auto_publish_urgent = models.BooleanField(
        _("publier automatiquement les urgents"),
        default=False,
        help_text=_("Les dépêches assez urgentes partent directement dans le fil Newsroom."),
    )
    urgency_threshold = models.PositiveSmallIntegerField(
        _("seuil d'urgence"),
        default=1,
        help_text=_("De 1 (flash) à 9 : urgence inférieure ou égale publiée automatiquement."),
    )
    # Rights the desk sets for the whole source (lede/wires/rights.py): used
    # where an item does not state its own.
    rights_embargo_until = models.DateTimeField(
        _("embargo jusqu'au"),
        null=True,
        blank=True,
        help_text=_("Les dépêches de cette source ne sortent pas (API, flux, lettres) avant."),
    )
    rights_not_for_syndication = models.BooleanField(
        _("pas de revente (syndication)"),
        default=False,
        help_text=_(
            "Le contrat de l'agence interdit de revendre ses dépêches : jamais dans l'API, "
            "les flux, les lettres ou les revues de presse des licenciés."
        ),
    )
    rights_archive_days = models.PositiveIntegerField(
        _("pas d'archive après (jours)"),
        null=True,
        blank=True,
        help_text=_("Retirées de l'API, des flux et des lettres ce nombre de jours après."),
    )
    rights_photo_restriction = models.CharField(
        _("restriction sur les photos"),
        max_length=12,
        choices=PhotoRestriction.choices,
        default=PhotoRestriction.NONE,
        blank=True,
    )
    rights_usage_terms = models.TextField(
        _("conditions d'utilisation par défaut"),
        blank=True,
        help_text=_("Reprises dans les sorties quand la dépêche n'en donne pas."),
    )
    # HTTP conditional-request state.
    etag = models.CharField(_("ETag"), max_length=500, blank=True, editable=False)
    last_modified = models.CharField(_("Last-Modified"), max_length=100, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("dernière relève"), null=True, editable=False)
    last_success_at = models.DateTimeField(_("dernier succès"), null=True, editable=False)
    last_error = models.TextField(_("dernière erreur"), blank=True, editable=False)
    failure_count = models.PositiveIntegerField(_("échecs consécutifs"), default=0, editable=False)
    next_attempt_at = models.DateTimeField(
        _("prochaine relève"), null=True, blank=True, editable=False, db_index=True
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    #: The fields the desk edits, its per-source rights defaults, and the
    #: poller's state: one list for the Django admin and the Wagtail viewset.
    DESK_FIELDS: ClassVar[tuple[str, ...]] = (
        "name",
        "provider",
        "kind",
        "folder_path",
        "url",
        "poll_interval",
        "default_section",
        "default_credit",
        "active",
        "auto_publish_urgent",
        "urgency_threshold",
    )
    RIGHTS_FIELDS: ClassVar[tuple[str, ...]] = (
        "rights_embargo_until",
        "rights_not_for_syndication",
        "rights_archive_days",
        "rights_photo_restriction",
        "rights_usage_terms",
    )
    POLL_STATE_FIELDS: ClassVar[tuple[str, ...]] = (
        "etag",
        "last_modified",
        "last_polled_at",
        "last_success_at",
        "last_error",
        "failure_count",
        "next_attempt_at",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("source de dépêches")
        verbose_name_plural = _("sources de dépêches")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.kind == SourceKind.FOLDER and not self.folder_path.strip():
            errors["folder_path"] = _("Indiquez le dossier à surveiller.")
        if self.kind == SourceKind.HTTP:
            if not self.url:
                errors["url"] = _("Indiquez l'adresse du flux.")
            elif not self.url.lower().startswith(("http://", "https://")):
                errors["url"] = _("Seules les adresses http:// et https:// sont relevées.")
        if not 1 <= self.urgency_threshold <= 9:
            errors["urgency_threshold"] = _("Le seuil d'urgence va de 1 à 9.")
        if self.poll_interval < 10:
            errors["poll_interval"] = _("Au moins 10 secondes entre deux relèves.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_polled(self) -> bool:
        return self.kind in {SourceKind.FOLDER, SourceKind.HTTP}


class ItemStatus(models.TextChoices):
    NEW = "new", _("À traiter")
    PUBLISHED_DISPATCH = "published_dispatch", _("Publiée en brève")
    ARTICLE_CREATED = "article_created", _("Article créé")
    IGNORED = "ignored", _("Ignorée")
    KILLED = "killed", _("Retirée par l'agence")


class PubStatus(models.TextChoices):
    USABLE = "usable", _("Utilisable")
    WITHHELD = "withheld", _("Suspendue")
    CANCELED = "canceled", _("Annulée")


class WireItemRecord(models.Model):
    """The latest version of one agency item, and what the desk did with it."""

    source = models.ForeignKey(
        WireSource,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        verbose_name=_("source"),
    )
    guid = models.CharField(_("identifiant"), max_length=1000, unique=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    format = models.CharField(_("format"), max_length=20)
    item_class = models.CharField(_("nature"), max_length=20, default="text")
    headline = models.TextField(_("titre"), blank=True)
    standfirst = models.TextField(_("chapô"), blank=True)
    body_html = models.TextField(_("texte"), blank=True)
    byline = models.TextField(_("signature"), blank=True)
    dateline = models.CharField(_("lieu et date"), max_length=255, blank=True)
    located = models.CharField(_("lieu"), max_length=255, blank=True)
    slugline = models.CharField(_("mot-clé agence"), max_length=255, blank=True)
    language = models.CharField(_("langue"), max_length=20, blank=True, db_index=True)
    language_tag = models.CharField(_("étiquette de langue"), max_length=35, blank=True)
    subjects = models.JSONField(_("sujets"), default=list, blank=True)
    # "code name | code name": the subject filter works the same on SQLite and PostgreSQL.
    subjects_text = models.TextField(_("sujets (texte)"), blank=True, editable=False)
    keywords = models.JSONField(_("mots-clés"), default=list, blank=True)
    urgency = models.PositiveSmallIntegerField(_("urgence"), null=True, blank=True, db_index=True)
    copyright = models.TextField(_("copyright"), blank=True)
    credit = models.CharField(_("crédit"), max_length=255, blank=True)
    provider = models.CharField(_("agence"), max_length=255, blank=True, db_index=True)
    pub_status = models.CharField(
        _("statut agence"), max_length=10, choices=PubStatus.choices, default=PubStatus.USABLE
    )
    embargo_until = models.DateTimeField(_("embargo jusqu'au"), null=True, blank=True)
    # Rights stated by the item itself (lede/wires/rights.py reads them with
    # the source's defaults).
    copyright_holder = models.CharField(_("titulaire des droits"), max_length=255, blank=True)
    usage_terms = models.TextField(_("conditions d'utilisation"), blank=True)
    not_for_syndication = models.BooleanField(
        _("pas de revente"), null=True, blank=True, help_text=_("Vide : non précisé.")
    )
    archive_days = models.PositiveIntegerField(
        _("pas d'archive après (jours)"), null=True, blank=True
    )
    rights_expires_at = models.DateTimeField(
        _("à retirer le"), null=True, blank=True, db_index=True
    )
    photo_restriction = models.CharField(
        _("restriction sur les photos"),
        max_length=12,
        choices=PhotoRestriction.choices,
        default=PhotoRestriction.NONE,
        blank=True,
    )
    first_created = models.DateTimeField(_("créée par l'agence le"), null=True, blank=True)
    version_created = models.DateTimeField(_("version du"), null=True, blank=True)
    ednote = models.TextField(_("note de l'agence"), blank=True)
    photos = models.JSONField(_("photos"), default=list, blank=True)
    associations = models.JSONField(_("éléments associés"), default=list, blank=True)
    raw_filename = models.CharField(_("fichier"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("reçue le"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("mise à jour le"), null=True, blank=True)
    previous_versions = models.PositiveIntegerField(_("versions remplacées"), default=0)
    updated_after_use = models.BooleanField(
        _("nouvelle version après utilisation"),
        default=False,
        help_text=_("Une version plus récente est arrivée après la brève ou l'article."),
    )
    status = models.CharField(
        _("état"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.NEW
    )
    kill_note = models.TextField(_("motif du retrait"), blank=True)
    # The live feed's Dispatch, by primary key: a plain id since the days the
    # wire desk could run without the live feed (a foreign key needs a migration).
    dispatch_id = models.BigIntegerField(_("brève"), null=True, blank=True, db_index=True)
    article = models.ForeignKey(
        "editorial.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("article"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("traitée par"),
    )
    handled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("dépêche")
        verbose_name_plural = _("dépêches")
        indexes = [
            models.Index(fields=["status", "-received_at"], name="wires_item_status_recv"),
            models.Index(fields=["provider", "-received_at"], name="wires_item_provider_recv"),
        ]

    def __str__(self) -> str:
        return self.headline or self.guid

    @property
    def is_updated(self) -> bool:
        return self.previous_versions > 0

    def is_embargoed(self, now: datetime | None = None) -> bool:
        return self.embargo_until is not None and self.embargo_until > (now or timezone.now())

    @property
    def is_killed(self) -> bool:
        return self.status == ItemStatus.KILLED

    def subject_names(self) -> list[str]:
        names: list[str] = []
        for subject in self.subjects or []:
            if isinstance(subject, dict):
                label = subject.get("name") or subject.get("code") or ""
                if label and label not in names:
                    names.append(str(label))
        return names

    def get_dispatch(self) -> Dispatch | None:
        """The live-feed dispatch made from this item, if any (and not deleted since)."""
        if self.dispatch_id is None:
            return None
        return Dispatch.objects.filter(pk=self.dispatch_id).first()


class IngestOutcomeKind(models.TextChoices):
    IMPORTED = "imported", _("Importée")
    UPDATED = "updated", _("Mise à jour")
    SKIPPED = "skipped", _("Ignorée à l'import")
    REJECTED = "rejected", _("Refusée")


class IngestLogEntry(models.Model):
    """One line of the ingest log: what happened to one item, or to a whole file."""

    source = models.ForeignKey(
        WireSource,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="log_entries",
        verbose_name=_("source"),
    )
    filename = models.CharField(_("fichier"), max_length=500, blank=True)
    guid = models.CharField(_("identifiant"), max_length=1000, blank=True)
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    outcome = models.CharField(_("résultat"), max_length=10, choices=IngestOutcomeKind.choices)
    reason = models.TextField(_("motif"), blank=True)
    record = models.ForeignKey(
        WireItemRecord,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="log_entries",
        verbose_name=_("dépêche"),
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("entrée du journal d'import")
        verbose_name_plural = _("journal d'import")

    def __str__(self) -> str:
        return f"{self.outcome} {self.guid or self.filename}"
