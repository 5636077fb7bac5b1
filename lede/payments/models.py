"""Orders (what a reader pays for), payment attempts at a provider (one fresh
``oid`` each) and the provider events received (stored once each)."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lede.core.money import format_amount


class Order(models.Model):
    """One purchase. Created once per checkout (idempotent: a double click or a
    second tab finds the pending order of the same purchase); paid at most once,
    by one of its attempts."""

    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription", _("abonnement")
        RENEWAL = "renewal", _("renouvellement")
        GIFT = "gift", _("abonnement cadeau")
        GROUP = "group", _("licence de groupe")

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        PAID = "paid", _("payée")
        CANCELED = "canceled", _("annulée")
        REFUNDED = "refunded", _("remboursée")
        PARTIALLY_REFUNDED = "partially_refunded", _("remboursée en partie")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="orders",
        verbose_name=_("lecteur"),
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    description = models.CharField(_("désignation"), max_length=255)
    amount_minor = models.PositiveIntegerField(_("montant (centimes)"))
    currency = models.CharField(_("devise"), max_length=3, default="MAD")
    discount_minor = models.PositiveIntegerField(default=0)
    provider = models.CharField(_("prestataire"), max_length=16, blank=True)
    plan = models.ForeignKey(
        "subscriptions.Plan", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    offer = models.ForeignKey(
        "subscriptions.Offer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    coupon = models.ForeignKey(
        "subscriptions.Coupon",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
    )
    organisation = models.ForeignKey(
        "paywall.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    months = models.PositiveSmallIntegerField(default=0)
    seats = models.PositiveIntegerField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    next_url = models.CharField(max_length=500, blank=True)
    purpose_key = models.CharField(max_length=64)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_minor = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("commande")
        verbose_name_plural = _("commandes")
        constraints = [
            # At most one pending order per purchase and reader: a double
            # click or a second tab reuses it instead of creating another.
            models.UniqueConstraint(
                fields=["user", "purpose_key"],
                condition=Q(status="pending"),
                name="unique_pending_order_per_purpose",
            ),
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.description} — {self.amount_display} ({self.get_status_display()})"

    @property
    def amount_display(self) -> str:
        return format_amount(self.amount_minor, self.currency)

    @property
    def is_paid(self) -> bool:
        return self.status in {
            self.Status.PAID,
            self.Status.REFUNDED,
            self.Status.PARTIALLY_REFUNDED,
        }


def new_oid() -> str:
    """A fresh, unguessable order id for one attempt at a gateway."""
    return "LQ" + secrets.token_hex(10).upper()


class PaymentAttempt(models.Model):
    """One attempt at paying an order with a provider. A gateway may send
    declines and then an approval for the same ``oid``."""

    class Status(models.TextChoices):
        CREATED = "created", _("créée")
        APPROVED = "approved", _("acceptée")
        DECLINED = "declined", _("refusée")
        ERROR = "error", _("erreur")
        DUPLICATE = "duplicate", _("doublon (commande déjà payée)")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="attempts")
    oid = models.CharField(max_length=64, unique=True, default=new_oid)
    provider = models.CharField(max_length=16)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CREATED)
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    provider_reference = models.CharField(max_length=255, blank=True, db_index=True)
    message = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("tentative de paiement")
        verbose_name_plural = _("tentatives de paiement")

    def __str__(self) -> str:
        return f"{self.provider}:{self.oid} ({self.get_status_display()})"


class ProviderEvent(models.Model):
    """A verified notification from a provider, stored raw. ``(provider,
    event_id)`` is unique: the same event delivered five times is stored and
    applied once."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("appliqué")
        DECLINED = "declined", _("paiement refusé")
        DUPLICATE = "duplicate", _("doublon")
        IGNORED = "ignored", _("ignoré")

    provider = models.CharField(max_length=16)
    event_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=80, blank=True)
    attempt = models.ForeignKey(
        PaymentAttempt, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    payload = models.TextField(blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    message = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("notification de paiement")
        verbose_name_plural = _("notifications de paiement")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="unique_provider_event")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"
