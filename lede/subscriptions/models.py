"""What readers can buy (plans, offers, coupons, gifts), what they hold
(subscriptions), the append-only money ledger and the receipts (invoices)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from lede.core.money import format_amount, format_period, format_price, months_label, percent_of

from .periods import PERIOD_MONTHS


class Period(models.TextChoices):
    MONTH = "month", _("mois")
    YEAR = "year", _("an")


class Plan(models.Model):
    """A price for a billing period, and what it unlocks."""

    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=1000)
    name_ar = models.CharField(_("nom (arabe)"), max_length=120, blank=True)
    description_ar = models.TextField(_("description (arabe)"), blank=True, max_length=1000)
    price_minor = models.PositiveIntegerField(
        _("prix (centimes)"), help_text=_("En centimes : 6000 = 60 DH. TVA comprise.")
    )
    currency = models.CharField(_("devise"), max_length=3, default="MAD")
    period = models.CharField(
        _("période"), max_length=8, choices=Period.choices, default=Period.MONTH
    )
    unlocks_all = models.BooleanField(
        _("tous les contenus abonnés"),
        default=True,
        help_text=_("Décocher pour ne débloquer que les rubriques choisies."),
    )
    sections = models.ManyToManyField(
        "editorial.SectionPage",
        blank=True,
        related_name="+",
        verbose_name=_("rubriques débloquées"),
    )
    active = models.BooleanField(_("en vente"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("name_ar"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("description_ar"),
        MultiFieldPanel(
            [FieldPanel("price_minor"), FieldPanel("currency"), FieldPanel("period")],
            heading=_("Prix"),
        ),
        MultiFieldPanel([FieldPanel("unlocks_all"), FieldPanel("sections")], heading=_("Accès")),
        FieldPanel("active"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "price_minor"]
        verbose_name = _("formule")
        verbose_name_plural = _("formules")

    def __str__(self) -> str:
        return f"{self.name} ({self.price_display})"

    @property
    def months(self) -> int:
        return PERIOD_MONTHS.get(self.period, 1)

    @property
    def price_display(self) -> str:
        return format_price(self.price_minor, self.currency, self.period)

    def clean(self) -> None:
        if len(self.currency or "") != 3 or not self.currency.isalpha():
            raise ValidationError({"currency": _("Code de devise ISO à trois lettres (MAD).")})
        self.currency = self.currency.upper()


class OfferQuerySet(models.QuerySet["Offer"]):
    def current(self, now: datetime | None = None) -> OfferQuerySet:
        now = now or timezone.now()
        return (
            self.filter(active=True, plan__active=True)
            .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now))
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        )


class Offer(models.Model):
    """How a plan is sold: an introductory price for the first periods, a free
    trial, a validity window. An offer without an introductory price sells
    the plan at its own price."""

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="offers", verbose_name=_("formule")
    )
    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    headline = models.CharField(
        _("accroche"), max_length=120, help_text=_("Par exemple : « L'offre de lancement »")
    )
    description = models.TextField(_("description"), blank=True, max_length=1000)
    headline_ar = models.CharField(_("accroche (arabe)"), max_length=120, blank=True)
    description_ar = models.TextField(_("description (arabe)"), blank=True, max_length=1000)
    intro_price_minor = models.PositiveIntegerField(
        _("prix de lancement (centimes)"),
        null=True,
        blank=True,
        help_text=_("Prix des premières périodes. Vide : le prix de la formule."),
    )
    intro_periods = models.PositiveSmallIntegerField(
        _("nombre de périodes au prix de lancement"), default=0
    )
    trial_days = models.PositiveSmallIntegerField(
        _("essai gratuit (jours)"), default=0, validators=[MaxValueValidator(90)]
    )
    starts_at = models.DateTimeField(_("début de validité"), null=True, blank=True)
    ends_at = models.DateTimeField(_("fin de validité"), null=True, blank=True)
    featured = models.BooleanField(
        _("offre mise en avant"),
        default=False,
        help_text=_("Montrée en premier et dans l'encadré du paywall (offre de lancement)."),
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OfferQuerySet.as_manager()

    panels = [
        FieldPanel("plan"),
        FieldPanel("headline"),
        FieldPanel("slug"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("headline_ar"), FieldPanel("description_ar")],
            heading=_("Édition arabe"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("intro_price_minor"),
                FieldPanel("intro_periods"),
                FieldPanel("trial_days"),
            ],
            heading=_("Conditions"),
        ),
        MultiFieldPanel(
            [FieldPanel("starts_at"), FieldPanel("ends_at"), FieldPanel("active")],
            heading=_("Validité"),
        ),
        FieldPanel("featured"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["-featured", "sort_order", "pk"]
        verbose_name = _("offre")
        verbose_name_plural = _("offres")

    def __str__(self) -> str:
        return self.headline

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.intro_price_minor is not None and not self.intro_periods:
            errors["intro_periods"] = _("Indiquez pendant combien de périodes.")
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("La fin doit être postérieure au début.")
        if errors:
            raise ValidationError(errors)

    def is_current(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.active
            and self.plan.active
            and (self.starts_at is None or self.starts_at <= now)
            and (self.ends_at is None or now < self.ends_at)
        )

    def price_for_period(self, index: int) -> int:
        """What period number ``index`` (0 = the first) costs under this offer."""
        if self.intro_price_minor is not None and index < self.intro_periods:
            return self.intro_price_minor
        return self.plan.price_minor

    @property
    def has_intro(self) -> bool:
        return self.intro_price_minor is not None and self.intro_periods > 0

    @property
    def first_price_display(self) -> str:
        plan = self.plan
        if self.has_intro:
            assert self.intro_price_minor is not None
            return format_price(
                self.intro_price_minor, plan.currency, plan.period, self.intro_periods
            )
        return plan.price_display

    @property
    def first_amount_display(self) -> str:
        return format_amount(self.price_for_period(0), self.plan.currency)

    @property
    def first_period_display(self) -> str:
        count = self.intro_periods if self.has_intro else 1
        return format_period(self.plan.period, count)


class Coupon(models.Model):
    """A reduction code for the first payment: a percentage (rounded down to
    the centime, see :func:`lede.core.money.percent_of`) or a fixed
    amount, with an optional usage limit and expiry."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    percent_off = models.PositiveSmallIntegerField(
        _("réduction (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    amount_off_minor = models.PositiveIntegerField(
        _("réduction fixe (centimes)"), null=True, blank=True
    )
    currency = models.CharField(_("devise"), max_length=3, default="MAD")
    plans = models.ManyToManyField(
        Plan,
        blank=True,
        related_name="+",
        verbose_name=_("formules concernées"),
        help_text=_("Vide : toutes."),
    )
    max_uses = models.PositiveIntegerField(_("utilisations au plus"), null=True, blank=True)
    uses = models.PositiveIntegerField(_("utilisations"), default=0, editable=False)
    starts_at = models.DateTimeField(_("début"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expiration"), null=True, blank=True)
    active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("code"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("percent_off"), FieldPanel("amount_off_minor"), FieldPanel("currency")],
            heading=_("Réduction"),
        ),
        FieldPanel("plans"),
        MultiFieldPanel(
            [
                FieldPanel("max_uses"),
                FieldPanel("starts_at"),
                FieldPanel("expires_at"),
                FieldPanel("active"),
            ],
            heading=_("Limites"),
        ),
    ]

    class Meta:
        verbose_name = _("code de réduction")
        verbose_name_plural = _("codes de réduction")

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.code = normalise_code(self.code)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if (self.percent_off is None) == (self.amount_off_minor is None):
            raise ValidationError(
                _("Indiquez soit un pourcentage, soit un montant fixe (l'un des deux).")
            )

    def discount_for(self, amount_minor: int, currency: str) -> int:
        if self.percent_off is not None:
            return percent_of(amount_minor, self.percent_off)
        if self.amount_off_minor is not None and currency.upper() == self.currency.upper():
            return min(amount_minor, self.amount_off_minor)
        return 0


def normalise_code(raw: str) -> str:
    return "".join((raw or "").split()).upper()


class Subscription(models.Model):
    """What a reader holds. Its state changes only through
    :mod:`lede.subscriptions.services` (verified provider events and staff
    actions); each change of money or access is written to the ledger and
    reflected in the reader's :class:`~lede.paywall.models.AccessGrant`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de paiement")
        TRIALING = "trialing", _("essai gratuit")
        ACTIVE = "active", _("actif")
        PAST_DUE = "past_due", _("paiement en retard")
        CANCELED = "canceled", _("résilié")
        EXPIRED = "expired", _("expiré")

    LIVE_STATUSES = (Status.TRIALING, Status.ACTIVE, Status.PAST_DUE)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("lecteur"),
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    offer = models.ForeignKey(
        Offer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    is_gift = models.BooleanField(_("abonnement offert"), default=False)
    anchor = models.DateTimeField(_("début de la première période"), null=True, blank=True)
    months_paid = models.PositiveIntegerField(default=0)
    periods_paid = models.PositiveIntegerField(default=0)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(_("résiliation à échéance"), default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    grace_until = models.DateTimeField(null=True, blank=True)
    next_plan = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    provider = models.CharField(_("prestataire"), max_length=16, blank=True)
    provider_customer_id = models.CharField(max_length=255, blank=True)
    provider_subscription_id = models.CharField(max_length=255, blank=True, db_index=True)
    provider_token = models.CharField(
        max_length=255, blank=True, help_text=_("Moyen de paiement enregistré (jeton).")
    )
    reminder_sent_for = models.DateTimeField(null=True, blank=True)
    dunning_count = models.PositiveSmallIntegerField(default=0)
    last_renewal_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("abonnement")
        verbose_name_plural = _("abonnements")
        indexes = [
            models.Index(fields=["status", "current_period_end"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.plan.name} ({self.get_status_display()})"

    @property
    def grant_source(self) -> str:
        return f"subscription:{self.pk}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE_STATUSES

    @property
    def renewal_plan(self) -> Plan:
        return self.next_plan or self.plan

    def renewal_amount_minor(self) -> int:
        """What the next period will cost (launch price while it lasts, then
        the plan's price; a plan change takes effect here)."""
        plan = self.renewal_plan
        if self.offer is not None and self.offer.plan_id == plan.pk:
            return self.offer.price_for_period(self.periods_paid)
        return plan.price_minor

    @property
    def renews(self) -> bool:
        return self.is_live and not self.cancel_at_period_end and not self.is_gift


class LedgerEntry(models.Model):
    """The append-only money and access ledger. One row per applied event;
    ``event_key`` is unique, so an event can never be applied twice."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("paiement")
        RENEWAL = "renewal", _("renouvellement")
        REFUND = "refund", _("remboursement")
        FAILURE = "failure", _("échec de paiement")
        GRANT = "grant", _("accès ouvert")
        REVOKE = "revoke", _("accès fermé")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    event_key = models.CharField(max_length=255, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="ledger"
    )
    order = models.ForeignKey(
        "payments.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amount_minor = models.IntegerField(default=0)
    currency = models.CharField(max_length=3, default="MAD")
    provider = models.CharField(max_length=16, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("écriture")
        verbose_name_plural = _("grand livre")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_amount(self.amount_minor, self.currency)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)


class InvoiceCounter(models.Model):
    """The last number used in a series ("LQ-2026"): locked with
    ``select_for_update`` in the transaction that issues the invoice, so the
    numbers have no gaps and no duplicates."""

    series = models.CharField(max_length=40, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de factures")

    def __str__(self) -> str:
        return f"{self.series}: {self.last}"


class Invoice(models.Model):
    """A receipt as issued: numbers, seller and buyer frozen at issue time."""

    number = models.CharField(_("numéro"), max_length=40, unique=True)
    series = models.CharField(max_length=40)
    sequence = models.PositiveIntegerField()
    issued_at = models.DateTimeField(_("date"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices"
    )
    order = models.OneToOneField("payments.Order", on_delete=models.PROTECT, related_name="invoice")
    seller = models.JSONField(default=dict)
    buyer = models.JSONField(default=dict)
    lines = models.JSONField(default=list)
    tax_lines = models.JSONField(default=list)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="MAD")
    total_minor = models.IntegerField()
    total_excl_tax_minor = models.IntegerField()
    tax_minor = models.IntegerField()
    payment_method = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("reçu")
        verbose_name_plural = _("reçus")
        constraints = [
            models.UniqueConstraint(fields=["series", "sequence"], name="unique_invoice_sequence")
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def total_display(self) -> str:
        return format_amount(self.total_minor, self.currency)


class GiftCode(models.Model):
    """A gift subscription: paid by a buyer, redeemed by the recipient."""

    code = models.CharField(_("code"), max_length=24, unique=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    months = models.PositiveSmallIntegerField(_("durée (mois)"))
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gifts_bought",
    )
    order = models.OneToOneField(
        "payments.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gift_code",
    )
    recipient_email = models.EmailField(_("e-mail du bénéficiaire"))
    recipient_name = models.CharField(_("nom du bénéficiaire"), max_length=120, blank=True)
    message = models.TextField(_("message"), blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("à utiliser avant"), null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gifts_redeemed",
    )
    redeemed_at = models.DateTimeField(null=True, blank=True)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("abonnement cadeau")
        verbose_name_plural = _("abonnements cadeaux")

    def __str__(self) -> str:
        return self.code

    @property
    def duration_display(self) -> str:
        return months_label(self.months)


@register_setting(icon="doc-full")
class BillingSettings(BaseSiteSetting):
    """The seller's details printed on receipts (Paramètres › Facturation)."""

    legal_name = models.CharField(_("raison sociale"), max_length=200, default="Éditions Lede SARL")
    address = models.TextField(_("adresse"), blank=True, max_length=500)
    ice = models.CharField(
        _("ICE"), max_length=20, blank=True, help_text=_("Identifiant commun de l'entreprise.")
    )
    tax_id = models.CharField(_("identifiant fiscal (IF)"), max_length=20, blank=True)
    trade_register = models.CharField(_("registre de commerce (RC)"), max_length=40, blank=True)
    patente = models.CharField(_("taxe professionnelle (patente)"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail de facturation"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    invoice_prefix = models.CharField(
        _("préfixe des numéros de reçu"),
        max_length=8,
        default="LQ",
        help_text=_("Les numéros suivent la forme PRÉFIXE-ANNÉE-000001, sans trou."),
    )
    bank_name = models.CharField(_("banque (virements)"), max_length=120, blank=True)
    bank_rib = models.CharField(_("RIB"), max_length=40, blank=True)
    receipt_footer = models.TextField(_("mention en bas des reçus"), blank=True, max_length=500)

    panels = [
        MultiFieldPanel(
            [FieldPanel("legal_name"), FieldPanel("address"), FieldPanel("email")],
            heading=_("Vendeur"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("ice"),
                FieldPanel("tax_id"),
                FieldPanel("trade_register"),
                FieldPanel("patente"),
                FieldPanel("phone"),
            ],
            heading=_("Identifiants"),
        ),
        MultiFieldPanel(
            [FieldPanel("invoice_prefix"), FieldPanel("receipt_footer")], heading=_("Reçus")
        ),
        MultiFieldPanel(
            [FieldPanel("bank_name"), FieldPanel("bank_rib")], heading=_("Virements bancaires")
        ),
    ]

    class Meta:
        verbose_name = _("facturation")

    def clean(self) -> None:
        prefix = (self.invoice_prefix or "").strip().upper()
        if not prefix.isalnum():
            raise ValidationError({"invoice_prefix": _("Lettres et chiffres seulement.")})
        self.invoice_prefix = prefix
