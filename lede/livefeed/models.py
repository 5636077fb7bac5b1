"""The Newsroom: dispatches (brèves), their event log for the live stream, live blogs.

Writes go through :mod:`lede.livefeed.services`; the SSE stream reads the
:class:`FeedEvent` log, whose auto-incremented id is the ``id:`` of each
Server-Sent Event (so ``Last-Event-ID`` can replay what a reader missed).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page

from lede.core.sanitize import clean_rich_text_source
from lede.core.site import SiteAddressPageMixin
from lede.editorial.blocks import (
    InlineImageBlock,
    QuoteBlock,
    SafeEmbedBlock,
    SanitisedRichTextBlock,
)
from lede.editorial.models import AccessLevel

from .liveblog import live_blog_context

DISPATCH_FEATURES = ["bold", "italic", "link"]
HEADLINE_MAX = 200
BODY_MAX_CHARS = 2000
BODY_MAX_PARAGRAPHS = 3


class Edition(models.TextChoices):
    """The editions of the live feed: one stream per language."""

    FR = "fr", _("Français")
    AR = "ar", _("Arabe")


def edition_for(language: str | None) -> str:
    """The edition of a language code (``ar``, ``ar-ma`` → ``ar``); French otherwise."""
    base = (language or "").split("-")[0].lower()
    return base if base in Edition.values else Edition.FR


class Dispatch(models.Model):
    """A short news item of the live feed (« brève »)."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Publiée")
        WITHDRAWN = "withdrawn", _("Retirée")

    #: The edition whose stream and pages show the dispatch.
    language = models.CharField(
        _("édition"), max_length=8, choices=Edition.choices, default=Edition.FR
    )

    headline = models.CharField(_("titre"), max_length=HEADLINE_MAX)
    body = RichTextField(
        _("texte"),
        features=DISPATCH_FEATURES,
        help_text=_("Un à trois paragraphes courts (2 000 caractères au plus)."),
    )
    published_at = models.DateTimeField(_("publiée le"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("corrigée le"), null=True, blank=True, editable=False)
    section = models.ForeignKey(
        "editorial.SectionPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("rubrique"),
    )
    credit = models.CharField(
        _("source"),
        max_length=120,
        blank=True,
        help_text=_("Par exemple « AFP », « Reuters » ; vide : la rédaction."),
    )
    photo = models.ForeignKey(
        "images.LedeImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("photo"),
    )
    photo_caption = models.CharField(
        _("légende de la photo"),
        max_length=500,
        blank=True,
        help_text=_("Vide : légende enregistrée avec l'image."),
    )
    photo_credit = models.CharField(
        _("crédit de la photo"),
        max_length=255,
        blank=True,
        help_text=_("Vide : crédit enregistré avec l'image."),
    )
    article = models.ForeignKey(
        "editorial.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("article complet"),
    )
    access_level = models.CharField(
        _("niveau d'accès"),
        max_length=16,
        choices=AccessLevel.choices,
        default=AccessLevel.PUBLIC,
    )
    status = models.CharField(
        _("état"),
        max_length=16,
        choices=Status.choices,
        default=Status.PUBLISHED,
        editable=False,
    )
    withdrawn_note = models.CharField(
        _("note de la rédaction"),
        max_length=500,
        blank=True,
        editable=False,
        help_text=_("Affichée à la place de la dépêche retirée ; vide : elle disparaît."),
    )
    withdrawn_at = models.DateTimeField(_("retirée le"), null=True, blank=True, editable=False)
    source_guid = models.CharField(
        _("identifiant d'agence"),
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("dépêche")
        verbose_name_plural = _("dépêches")
        indexes = [
            models.Index(fields=["status", "-published_at"], name="dispatch_status_pub"),
            models.Index(
                fields=["language", "status", "-published_at"], name="dispatch_lang_status_pub"
            ),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whatever the path (service, admin, wire desk), stored rich text is clean.
        self.body = clean_rich_text_source(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("livefeed:newsroom") + f"#depeche-{self.pk}"

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    @property
    def caption(self) -> str:
        if self.photo_caption:
            return self.photo_caption
        return self.photo.caption if self.photo else ""

    @property
    def photo_credit_display(self) -> str:
        raw = self.photo_credit or (self.photo.credit if self.photo else "")
        return raw.upper()


class LiveBlogPage(SiteAddressPageMixin, Page):
    """A running story: key points on top, timestamped entries, live updates."""

    class Status(models.TextChoices):
        LIVE = "live", _("En direct")
        ENDED = "ended", _("Terminé")

    class Order(models.TextChoices):
        NEWEST_FIRST = "newest", _("Les plus récentes d'abord")
        OLDEST_FIRST = "oldest", _("Les plus anciennes d'abord")

    summary = RichTextField(
        _("l'essentiel"),
        features=["bold", "italic", "link", "ul", "ol"],
        blank=True,
        help_text=_("Les points clés, gardés en haut de la page."),
    )
    status = models.CharField(_("état"), max_length=8, choices=Status.choices, default=Status.LIVE)
    order = models.CharField(
        _("ordre des entrées"),
        max_length=8,
        choices=Order.choices,
        default=Order.NEWEST_FIRST,
    )
    coverage_start = models.DateTimeField(
        _("début du direct"), null=True, blank=True, help_text=_("Vide : première publication.")
    )
    coverage_end = models.DateTimeField(
        _("fin du direct"), null=True, blank=True, help_text=_("Vide : rempli à la clôture.")
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldPanel("order"),
                FieldPanel("coverage_start"),
                FieldPanel("coverage_end"),
            ],
            heading=_("Direct"),
        ),
        InlinePanel("entries", label=_("Entrées")),
    ]
    parent_page_types = ["editorial.SectionPage"]
    subpage_types: list[str] = []
    template = "livefeed/live_blog_page.html"

    class Meta:
        verbose_name = _("direct")
        verbose_name_plural = _("directs")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.status == self.Status.ENDED and self.coverage_end is None:
            self.coverage_end = timezone.now()
        super().save(*args, **kwargs)

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.LIVE

    @property
    def section(self) -> Any:
        parent = self.get_parent()
        return parent.specific if parent is not None else None

    @property
    def coverage_start_time(self) -> Any:
        return self.coverage_start or self.first_published_at or self.go_live_at

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        last_id = FeedEvent.objects.last_id() if self.is_live else None
        context.update(live_blog_context(self, request, last_event_id=last_id))
        return context


class EntryBlock(blocks.StreamBlock):
    text = SanitisedRichTextBlock(label=_("Texte"), features=DISPATCH_FEATURES)
    quote = QuoteBlock()
    image = InlineImageBlock()
    embed = SafeEmbedBlock(label=_("Contenu intégré"), icon="media")


class LiveBlogEntry(Orderable):
    page = ParentalKey(LiveBlogPage, on_delete=models.CASCADE, related_name="entries")
    time = models.DateTimeField(_("heure"), default=timezone.now)
    title = models.CharField(_("titre"), max_length=200, blank=True)
    content = StreamField(EntryBlock(), blank=True, verbose_name=_("contenu"))
    pinned = models.BooleanField(
        _("épinglée"), default=False, help_text=_("Affichée en tête, sous l'essentiel.")
    )

    panels = [
        FieldPanel("time"),
        FieldPanel("title"),
        FieldPanel("content"),
        FieldPanel("pinned"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("entrée")
        verbose_name_plural = _("entrées")

    def __str__(self) -> str:
        return self.title or f"{self.time:%d.%m.%Y %H:%M}"


class FeedEventQuerySet(models.QuerySet["FeedEvent"]):
    def last_id(self) -> int:
        """The latest event's id (0 when there is none): a page rendered now
        resumes its stream from there."""
        return self.aggregate(m=models.Max("id"))["m"] or 0


class FeedEvent(models.Model):
    """One change of the live feed; its id is the SSE event id.

    Written in the same transaction as the change, so a reader reconnecting with
    ``Last-Event-ID`` gets exactly what was committed after that id.
    """

    class Kind(models.TextChoices):
        PUBLISHED = "published", _("publiée")
        UPDATED = "updated", _("corrigée")
        WITHDRAWN = "withdrawn", _("retirée")
        BLOG = "blog", _("direct mis à jour")

    dispatch = models.ForeignKey(
        Dispatch, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    blog = models.ForeignKey(
        LiveBlogPage, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = FeedEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("événement du fil")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(dispatch__isnull=False, blog__isnull=True)
                    | models.Q(dispatch__isnull=True, blog__isnull=False)
                ),
                name="feedevent_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.kind}"
