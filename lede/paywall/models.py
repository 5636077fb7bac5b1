"""Where entitlements come from: personal access (complimentary now, subscriptions
later) and organisations' group licences; and the registered readers' meter."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel


class AccessGrant(models.Model):
    """A personal entitlement: complimentary access granted by staff, or the
    access a paid subscription gives (created by the subscriptions app)."""

    class Kind(models.TextChoices):
        COMPLIMENTARY = "complimentary", _("Accès offert")
        SUBSCRIPTION = "subscription", _("Abonnement")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="access_grants",
        verbose_name=_("lecteur"),
    )
    kind = models.CharField(
        _("type"), max_length=16, choices=Kind.choices, default=Kind.COMPLIMENTARY
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    sections = models.ManyToManyField(
        "editorial.SectionPage",
        blank=True,
        related_name="+",
        verbose_name=_("rubriques"),
        help_text=_("Vide : toutes les rubriques."),
    )
    note = models.CharField(_("note interne"), max_length=255, blank=True)
    source = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("user"),
        FieldPanel("kind"),
        FieldPanel("starts_at"),
        FieldPanel("ends_at"),
        FieldPanel("sections"),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = _("accès personnel")
        verbose_name_plural = _("accès personnels")
        indexes = [models.Index(fields=["user", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()}"

    def clean(self) -> None:
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("La fin doit être postérieure au début.")})


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").replace(",", "\n").splitlines() if line.strip()]


class Organisation(models.Model):
    """A group licence: an organisation reading legitimately from its network
    (IP ranges) and/or with its staff's e-mail addresses, within a seat limit."""

    name = models.CharField(_("nom"), max_length=200)
    ip_ranges = models.TextField(
        _("plages d'adresses IP"),
        blank=True,
        help_text=_("Une plage CIDR par ligne, IPv4 ou IPv6 (ex. 196.200.0.0/16)."),
    )
    email_domains = models.TextField(
        _("domaines e-mail"),
        blank=True,
        help_text=_("Un domaine par ligne (ex. exemple.ma). Adresses vérifiées seulement."),
    )
    seats = models.PositiveIntegerField(
        _("nombre de postes"),
        null=True,
        blank=True,
        help_text=_("Lecteurs identifiés par e-mail au plus. Vide : illimité."),
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    sections = models.ManyToManyField(
        "editorial.SectionPage",
        blank=True,
        related_name="+",
        verbose_name=_("rubriques"),
        help_text=_("Vide : toutes les rubriques."),
    )
    contact_email = models.EmailField(_("contact"), blank=True)

    panels = [
        FieldPanel("name"),
        MultiFieldPanel(
            [FieldPanel("ip_ranges"), FieldPanel("email_domains"), FieldPanel("seats")],
            heading=_("Qui est couvert"),
        ),
        MultiFieldPanel(
            [FieldPanel("starts_at"), FieldPanel("ends_at"), FieldPanel("sections")],
            heading=_("Licence"),
        ),
        FieldPanel("contact_email"),
    ]

    class Meta:
        verbose_name = _("organisation (licence de groupe)")
        verbose_name_plural = _("organisations (licences de groupe)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        nets = []
        for line in _lines(self.ip_ranges):
            try:
                nets.append(ipaddress.ip_network(line, strict=False))
            except ValueError:
                continue
        return nets

    def domains(self) -> list[str]:
        return [d.lower().lstrip("@") for d in _lines(self.email_domains)]

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        bad = []
        for line in _lines(self.ip_ranges):
            try:
                ipaddress.ip_network(line, strict=False)
            except ValueError:
                bad.append(line)
        if bad:
            errors["ip_ranges"] = _("Plage d'adresses invalide : %(bad)s") % {
                "bad": ", ".join(bad[:5])
            }
        bad_domains = [d for d in self.domains() if "." not in d or " " in d or "/" in d]
        if bad_domains:
            errors["email_domains"] = _("Domaine invalide : %(bad)s") % {
                "bad": ", ".join(bad_domains[:5])
            }
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("La fin doit être postérieure au début.")
        if errors:
            raise ValidationError(errors)


class OrganisationSeat(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="seat_set"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="unique_org_seat")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.user_id}"


class MeterRead(models.Model):
    """One metered article read by a registered reader in a calendar month."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article_id = models.PositiveBigIntegerField()
    month = models.CharField(max_length=7)  # "YYYY-MM" in the newsroom's time zone
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "month", "article_id"], name="unique_meter_read"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.month} {self.article_id}"
