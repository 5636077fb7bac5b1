"""Reproduction and syndication licences, the API keys that carry them, and the
log of what each key was served (billing and audit)."""

from __future__ import annotations

import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

#: What a key may call. ``articles`` covers articles, sections, authors and tags.
SCOPES = (
    ("articles", _("Articles, rubriques, auteurs, mots-clés")),
    ("dispatches", _("Dépêches (brèves)")),
    ("liveblogs", _("Directs")),
    ("usage", _("Consommation de la licence")),
)
SCOPE_NAMES = frozenset(name for name, _label in SCOPES)


def _languages(value: str) -> frozenset[str]:
    return frozenset(
        part.strip().lower() for part in (value or "").replace(",", " ").split() if part.strip()
    )


def validate_scopes(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise ValidationError(_("Les droits doivent être une liste de noms."))
    unknown = sorted(set(value) - SCOPE_NAMES)
    if unknown:
        raise ValidationError(
            _("Droits inconnus : %(names)s"), params={"names": ", ".join(unknown)}
        )


class Licence(models.Model):
    """A reproduction licence held by an organisation, beside its reading seats."""

    class OverQuota(models.TextChoices):
        REFUSE = "refuse", _("Refuser (429)")
        ABSTRACTS = "abstracts", _("Résumés seulement")

    organisation = models.ForeignKey(
        "paywall.Organisation",
        on_delete=models.PROTECT,
        related_name="syndication_licences",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("intitulé"), max_length=200)
    sections = models.ManyToManyField(
        "editorial.SectionPage",
        blank=True,
        related_name="+",
        verbose_name=_("rubriques"),
        help_text=_("Vide : toutes les rubriques."),
    )
    full_text = models.BooleanField(
        _("texte intégral"),
        default=False,
        help_text=_("Décoché : titres, chapôs et premier paragraphe seulement."),
    )
    languages = models.CharField(
        _("langues"),
        max_length=100,
        blank=True,
        help_text=_("Par exemple « fr ar ». Vide : toutes."),
    )
    channel_api = models.BooleanField(_("API et flux"), default=True)
    channel_digest = models.BooleanField(_("lettre de synthèse"), default=False)
    channel_press_review = models.BooleanField(_("revue de presse PDF"), default=False)
    digest_recipients = models.TextField(
        _("destinataires de la lettre de synthèse"),
        blank=True,
        help_text=_("Une adresse par ligne."),
    )
    #: The last digest covered articles published before this instant.
    digest_sent_until = models.DateTimeField(null=True, blank=True, editable=False)
    agency_copy = models.BooleanField(
        _("copie d'agence"),
        default=False,
        help_text=_(
            "Cocher seulement si les contrats des agences permettent de la revendre à ce client."
        ),
    )
    users = models.PositiveIntegerField(_("nombre d'utilisateurs"), null=True, blank=True)
    monthly_volume = models.PositiveIntegerField(
        _("volume mensuel"),
        null=True,
        blank=True,
        help_text=_("Articles distincts livrés en texte intégral par mois. Vide : illimité."),
    )
    over_quota = models.CharField(
        _("au-delà du volume"),
        max_length=12,
        choices=OverQuota.choices,
        default=OverQuota.REFUSE,
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    price_minor = models.PositiveIntegerField(_("prix (centimes)"), default=0)
    currency = models.CharField(_("devise"), max_length=3, default="MAD")
    created_at = models.DateTimeField(auto_now_add=True)

    #: Moves the API's Last-Modified (what the licence gives may have changed).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("licence de reproduction")
        verbose_name_plural = _("licences de reproduction")
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.name}"

    def clean(self) -> None:
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("La fin doit être postérieure au début.")})
        if self.users is not None:
            used = self.seats_used(timezone.now())
            if used > self.users:
                raise ValidationError({"users": self.seats_message(used)})

    # --- Users: each active key and each digest address is one ---------------

    def seated_keys(self, now: datetime) -> models.QuerySet[ApiKey]:
        """The keys that take a user of the licence: not revoked, not expired,
        not replaced (a rotated key rides on its replacement's seat during the
        overlap), oldest first."""
        if self.pk is None:
            return ApiKey.objects.none()
        return (
            ApiKey.objects.filter(licence=self, revoked_at__isnull=True, replaced_by__isnull=True)
            .filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))
            .order_by("created_at", "pk")
        )

    def seats_used(self, now: datetime) -> int:
        return self.seated_keys(now).count() + len(self.digest_addresses())

    def seats_message(self, used: int) -> str:
        users = self.users or 0
        return ngettext(
            "La licence « %(name)s » est limitée à %(users)d utilisateur "
            "(clés d’API actives et destinataires de la lettre de synthèse) ; il en "
            "faudrait %(used)d. Révoquez une clé, retirez une adresse ou augmentez le "
            "nombre d’utilisateurs de la licence.",
            "La licence « %(name)s » est limitée à %(users)d utilisateurs "
            "(clés d’API actives et destinataires de la lettre de synthèse) ; il en "
            "faudrait %(used)d. Révoquez une clé, retirez une adresse ou augmentez le "
            "nombre d’utilisateurs de la licence.",
            users,
        ) % {"name": self.name, "users": users, "used": used}

    def digest_addresses(self) -> list[str]:
        return [line.strip() for line in self.digest_recipients.splitlines() if line.strip()]

    def is_active(self, now: datetime) -> bool:
        return self.starts_at <= now and (self.ends_at is None or now < self.ends_at)

    def language_set(self) -> frozenset[str]:
        return _languages(self.languages)


class ApiKey(models.Model):
    """A key for a partner or an app. Its secret is shown once, at creation;
    only its hash is kept (lede/syndication/keys.py)."""

    name = models.CharField(_("nom"), max_length=200)
    licence = models.ForeignKey(
        Licence,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="keys",
        verbose_name=_("licence"),
        help_text=_("Vide : contenus publics et résumés seulement."),
    )
    prefix = models.CharField(_("identifiant"), max_length=12, unique=True, editable=False)
    hashed = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("droits"), default=list, blank=True, validators=[validate_scopes])
    sections = models.ManyToManyField(
        "editorial.SectionPage",
        blank=True,
        related_name="+",
        verbose_name=_("rubriques"),
        help_text=_("Restreint encore la licence. Vide : celles de la licence."),
    )
    languages = models.CharField(_("langues"), max_length=100, blank=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    rate_limit = models.PositiveIntegerField(_("appels par minute"), default=60)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True, editable=False)
    replaced_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("remplacée par"),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    #: Moves the API's Last-Modified (what the key gives may have changed).
    updated_at = models.DateTimeField(auto_now=True)
    last_used_at = models.DateTimeField(_("dernier appel"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("clé d'API")
        verbose_name_plural = _("clés d'API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def language_set(self) -> frozenset[str]:
        return _languages(self.languages)


class ApiCall(models.Model):
    """One call made with a key: what was asked and how many items it served."""

    key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="calls")
    licence = models.ForeignKey(
        Licence, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    endpoint = models.CharField(_("point d'accès"), max_length=200)
    status = models.PositiveSmallIntegerField(_("statut"))
    items = models.PositiveIntegerField(_("éléments servis"), default=0)
    full_items = models.PositiveIntegerField(_("dont texte intégral"), default=0)
    at = models.DateTimeField(_("date"), db_index=True)

    class Meta:
        verbose_name = _("appel d'API")
        verbose_name_plural = _("appels d'API")
        indexes = [models.Index(fields=["licence", "at"], name="apicall_licence_at")]

    def __str__(self) -> str:
        return f"{self.key_id} {self.endpoint} {self.status}"


class Delivery(models.Model):
    """An article delivered in full under a licence in a calendar month (the
    publication's zone): the volume counts these, once per article and month."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="deliveries")
    month = models.CharField(max_length=7)
    kind = models.CharField(max_length=12, default="article")
    item_id = models.PositiveBigIntegerField()
    channel = models.CharField(max_length=16, default="api")
    first_at = models.DateTimeField()

    class Meta:
        verbose_name = _("livraison")
        verbose_name_plural = _("livraisons")
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "month", "kind", "item_id"], name="unique_delivery_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.licence_id} {self.month} {self.kind}:{self.item_id}"


#: Known AI crawlers (robots.txt user agents). The publisher allows or refuses
#: each one in the rights settings; search engines are never named here.
AI_CRAWLERS = (
    "GPTBot",
    "ChatGPT-User",
    "OAI-SearchBot",
    "CCBot",
    "Google-Extended",
    "ClaudeBot",
    "anthropic-ai",
    "PerplexityBot",
    "Applebot-Extended",
    "Bytespider",
    "Meta-ExternalAgent",
    "Amazonbot",
    "cohere-ai",
    "Diffbot",
)


def _crawler_lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").replace(",", "\n").splitlines() if line.strip()]


@register_setting(icon="lock")
class RightsSettings(BaseSiteSetting):
    """Machine-readable rights: TDMRep (W3C community group report) and the AI
    crawlers named in robots.txt."""

    tdm_reserved = models.BooleanField(
        _("réserver la fouille de textes et de données"),
        default=True,
        help_text=_(
            "Publie « tdm-reservation: 1 » (TDMRep) : la fouille de textes et de données "
            "n'est permise que sous licence."
        ),
    )
    tdm_policy_url = models.URLField(
        _("page de la politique de licence"),
        blank=True,
        help_text=_("Vide : la page intégrée /droits/licences/."),
    )
    allowed_ai_crawlers = models.TextField(
        _("robots d'IA autorisés"),
        blank=True,
        help_text=_(
            "Un nom de robot par ligne parmi : %(names)s. Les autres sont refusés. "
            "Les moteurs de recherche ne sont pas concernés."
        )
        % {"names": ", ".join(AI_CRAWLERS)},
    )
    extra_refused_crawlers = models.TextField(
        _("autres robots refusés"), blank=True, help_text=_("Un nom de robot par ligne.")
    )
    licence_contact = models.EmailField(_("contact licences"), blank=True)

    panels = [
        FieldPanel("tdm_reserved"),
        FieldPanel("tdm_policy_url"),
        FieldPanel("allowed_ai_crawlers"),
        FieldPanel("extra_refused_crawlers"),
        FieldPanel("licence_contact"),
    ]

    class Meta:
        verbose_name = _("droits et robots")

    def clean(self) -> None:
        known = {name.lower() for name in AI_CRAWLERS}
        unknown = [n for n in _crawler_lines(self.allowed_ai_crawlers) if n.lower() not in known]
        if unknown:
            message = _("Robot inconnu : %(names)s") % {"names": ", ".join(unknown)}
            raise ValidationError({"allowed_ai_crawlers": message})
        for name in _crawler_lines(self.extra_refused_crawlers):
            if not re.match(r"^[A-Za-z0-9._-]{1,80}$", name):
                message = _("Nom de robot invalide : %(name)s") % {"name": name}
                raise ValidationError({"extra_refused_crawlers": message})

    def allowed(self) -> list[str]:
        wanted = {n.lower() for n in _crawler_lines(self.allowed_ai_crawlers)}
        return [name for name in AI_CRAWLERS if name.lower() in wanted]

    def refused(self) -> list[str]:
        allowed = {n.lower() for n in self.allowed()}
        names = [name for name in AI_CRAWLERS if name.lower() not in allowed]
        for extra in _crawler_lines(self.extra_refused_crawlers):
            if extra.lower() not in {n.lower() for n in names} | allowed:
                names.append(extra)
        return names


class WebhookEndpoint(models.Model):
    """Where a licensee wants to hear of its articles being published, updated
    or killed. Calls are signed with HMAC-SHA256 under ``secret``."""

    licence = models.ForeignKey(
        Licence, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("licence")
    )
    url = models.URLField(_("adresse"), max_length=500)
    secret = models.CharField(
        _("secret de signature"),
        max_length=64,
        help_text=_("Partagé avec le client pour vérifier la signature HMAC-SHA256."),
    )
    active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint, with its attempts (the delivery log)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        DELIVERED = "delivered", _("Livré")
        FAILED = "failed", _("Abandonné")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("événement"), max_length=32)
    article_id = models.PositiveBigIntegerField(_("article"))
    payload = models.JSONField()
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_status = models.PositiveSmallIntegerField(_("dernier code HTTP"), null=True, blank=True)
    last_error = models.CharField(_("dernière erreur"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("livré le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("envoi de webhook")
        verbose_name_plural = _("envois de webhooks")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.event} {self.article_id} → {self.endpoint_id}"


class PressReview(models.Model):
    """A press review of articles the editors choose, sent as a PDF to a
    licensee with the press-review channel (rendered by lede.api.press_review)."""

    licence = models.ForeignKey(
        Licence,
        on_delete=models.CASCADE,
        related_name="press_reviews",
        verbose_name=_("licence"),
        limit_choices_to={"channel_press_review": True},
    )
    title = models.CharField(_("titre"), max_length=200, default=_("Revue de presse"))
    edition_date = models.DateField(_("date de l'édition"))
    introduction = models.TextField(_("introduction"), blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    last_generated_at = models.DateTimeField(
        _("dernier PDF le"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("revue de presse")
        verbose_name_plural = _("revues de presse")
        ordering = ["-edition_date", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} — {self.edition_date:%Y-%m-%d}"

    def clean(self) -> None:
        licence = getattr(self, "licence", None)
        if licence is not None and not licence.channel_press_review:
            raise ValidationError(
                {"licence": _("Cette licence n'a pas le canal « revue de presse PDF ».")}
            )


class PressReviewItem(models.Model):
    """One article of a press review, in the editors' order."""

    review = models.ForeignKey(PressReview, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(
        "editorial.ArticlePage",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("article"),
    )
    sort_order = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("article de la revue")
        verbose_name_plural = _("articles de la revue")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "article"], name="unique_review_article")
        ]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.article_id}"
