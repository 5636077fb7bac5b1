"""Newsletters: the products editors configure, who receives them (with the
proof of their consent), the editions, and the outbox a worker drains.

The outbox (:class:`Delivery`) is the guarantee against doubles: one row per
(edition, address), unique in the database; a row goes ``queued`` →
``sending`` (committed before the SMTP DATA) → ``sent`` (committed after the
server's reply). A row found ``sending`` when a worker starts was in flight
when the previous one died: it becomes ``unknown`` and is never resent
automatically (see delivery.py).
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable


class Audience(models.TextChoices):
    ANYONE = "anyone", _("Toute personne inscrite")
    REGISTERED = "registered", _("Lecteurs ayant un compte")
    ENTITLED = "entitled", _("Lecteurs ayant un accès (abonnés)")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Chaque jour")
    WEEKLY = "weekly", _("Chaque semaine")
    ON_DEMAND = "on_demand", _("À la demande (alertes)")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("lundi")
    TUESDAY = 1, _("mardi")
    WEDNESDAY = 2, _("mercredi")
    THURSDAY = 3, _("jeudi")
    FRIDAY = 4, _("vendredi")
    SATURDAY = 5, _("samedi")
    SUNDAY = 6, _("dimanche")


class Newsletter(models.Model):
    """A newsletter as a product (a Wagtail snippet)."""

    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    description = models.TextField(_("description"), max_length=600, blank=True)
    # The Arabic edition's words (lede/core/translated.py): empty, the French.
    name_ar = models.CharField(_("nom (arabe)"), max_length=120, blank=True)
    description_ar = models.TextField(_("description (arabe)"), max_length=600, blank=True)
    sender_name = models.CharField(_("nom de l'expéditeur"), max_length=120)
    sender_address = models.EmailField(_("adresse de l'expéditeur"))
    audience = models.CharField(
        _("destinataires"), max_length=16, choices=Audience.choices, default=Audience.ANYONE
    )
    frequency = models.CharField(
        _("fréquence"), max_length=16, choices=Frequency.choices, default=Frequency.DAILY
    )
    send_time = models.TimeField(
        _("heure d'envoi"),
        default=time(7, 0),
        help_text=_("Dans le fuseau horaire de la publication."),
    )
    weekday = models.PositiveSmallIntegerField(
        _("jour d'envoi (hebdomadaire)"), choices=Weekday.choices, default=Weekday.FRIDAY
    )
    sections = models.ManyToManyField(
        "editorial.SectionPage",
        blank=True,
        related_name="+",
        verbose_name=_("rubriques"),
        help_text=_("Rubriques qui alimentent les éditions automatiques (vide : toutes)."),
    )
    max_articles = models.PositiveSmallIntegerField(_("articles par édition"), default=8)
    full_text_for_entitled = models.BooleanField(
        _("texte intégral pour les lecteurs ayant accès"),
        default=False,
        help_text=_(
            "Sinon, chaque article paraît en titre, chapô et lien. Un lecteur sans accès "
            "ne reçoit jamais le texte réservé."
        ),
    )
    offered_on_site = models.BooleanField(
        _("proposée dans le formulaire du site"),
        default=False,
        help_text=_("Le court formulaire d'inscription (accueil, articles, Newsroom)."),
    )
    count_clicks = models.BooleanField(
        _("compter les clics"),
        default=False,
        help_text=_("Liens signés et comptés sans pixel de suivi."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("name_ar"), FieldPanel("description_ar")],
            heading=_("Édition arabe"),
        ),
        MultiFieldPanel(
            [FieldPanel("sender_name"), FieldPanel("sender_address")], heading=_("Expéditeur")
        ),
        FieldPanel("audience"),
        MultiFieldPanel(
            [FieldPanel("frequency"), FieldPanel("send_time"), FieldPanel("weekday")],
            heading=_("Calendrier"),
        ),
        FieldPanel("sections"),
        FieldPanel("max_articles"),
        FieldPanel("full_text_for_entitled"),
        FieldPanel("offered_on_site"),
        FieldPanel("count_clicks"),
        FieldPanel("active"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("lettre d'information")
        verbose_name_plural = _("lettres d'information")

    def __str__(self) -> str:
        return self.name


class Subscriber(models.Model):
    """An e-mail address that signed up, with or without an account."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspendue (rejet définitif)")
        COMPLAINED = "complained", _("plainte (signalé comme indésirable)")

    email = models.EmailField(_("adresse e-mail"), unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="newsletter_subscriber",
        verbose_name=_("compte"),
    )
    status = models.CharField(
        _("état"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    bounce_count = models.PositiveIntegerField(_("rejets"), default=0)
    status_reason = models.CharField(_("motif"), max_length=255, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("abonné aux lettres")
        verbose_name_plural = _("abonnés aux lettres")

    def __str__(self) -> str:
        return self.email


class Subscription(models.Model):
    """One address on one newsletter, with the proof of consent (time, the
    page where it was given, the wording; no IP address kept)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de confirmation")
        CONFIRMED = "confirmed", _("confirmée")
        UNSUBSCRIBED = "unsubscribed", _("désinscrite")

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="subscriptions"
    )
    status = models.CharField(
        _("état"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    consent_at = models.DateTimeField(_("consentement donné le"))
    consent_source = models.CharField(_("page du consentement"), max_length=500, blank=True)
    consent_text = models.CharField(_("texte accepté"), max_length=500, blank=True)
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("désinscrite le"), null=True, blank=True)
    unsubscribe_source = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "newsletter"], name="newsletters_subscription_unique"
            )
        ]
        indexes = [models.Index(fields=["newsletter", "status"])]

    def __str__(self) -> str:
        return f"{self.subscriber} → {self.newsletter}"


class Edition(ClusterableModel):
    """One issue of a newsletter."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        SCHEDULED = "scheduled", _("programmée")
        SENDING = "sending", _("en cours d'envoi")
        SENT = "sent", _("envoyée")

    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.PROTECT, related_name="editions", verbose_name=_("lettre")
    )
    subject = models.CharField(_("objet"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), blank=True, max_length=3000)
    status = models.CharField(
        _("état"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    scheduled_at = models.DateTimeField(_("envoi programmé le"), null=True, blank=True)
    automatic = models.BooleanField(default=False, editable=False)
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("newsletter"),
        FieldPanel("subject"),
        FieldPanel("intro"),
        FieldPanel("scheduled_at"),
        InlinePanel("items", label=_("Articles (dans l'ordre)")),
    ]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("édition")
        verbose_name_plural = _("éditions")
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self) -> str:
        return self.subject or f"{self.newsletter} #{self.pk}"


class EditionArticle(Orderable):
    edition = ParentalKey(Edition, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(
        "editorial.ArticlePage",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("article"),
    )

    panels = [FieldPanel("article")]

    class Meta(Orderable.Meta):
        verbose_name = _("article de l'édition")


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("en file")
    SENDING = "sending", _("en cours")
    SENT = "sent", _("envoyé")
    FAILED = "failed", _("échec")
    BOUNCED = "bounced", _("rejeté")
    UNKNOWN = "unknown", _("inconnu")
    SKIPPED = "skipped", _("écarté")


class Delivery(models.Model):
    """The outbox: one row per (edition, address)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.SET_NULL, null=True, related_name="deliveries"
    )
    email = models.EmailField()
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    connection = models.PositiveSmallIntegerField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        constraints = [
            models.UniqueConstraint(fields=["edition", "email"], name="newsletters_delivery_once")
        ]
        indexes = [models.Index(fields=["edition", "state"])]

    def __str__(self) -> str:
        return f"{self.edition_id} → {self.email} ({self.state})"


class LinkClick(models.Model):
    """A counted click (only when the newsletter counts them): per edition and
    link, no recipient kept."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="clicks")
    url = models.CharField(max_length=500)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edition", "url"], name="newsletters_click_unique")
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.count})"
