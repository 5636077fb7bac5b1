"""The publication's content model: sections, articles, authors, home page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from lede.core.caching import roles
from lede.core.caching.edge import allow_shared_caching
from lede.core.caching.listings import CachedCountPaginator, serve_listing
from lede.core.site import SiteAddressPageMixin

from . import page_handlers
from .blocks import ArticleBodyBlock
from .panels import PairPanel
from .routing import fast_article_route

if TYPE_CHECKING:
    from django.db.models import QuerySet


class AccessLevel(models.TextChoices):
    PUBLIC = "public", _("Public")
    REGISTERED = "registered", _("Lecteurs inscrits")
    SUBSCRIBERS = "subscribers", _("Abonnés")


class Author(index.Indexed, models.Model):
    """A journalist who signs articles. Agencies are credits, not authors."""

    name = models.CharField(_("nom"), max_length=120)
    #: The byline in the Arabic edition (lede/core/translated.py): empty, ``name``.
    name_ar = models.CharField(_("nom (arabe)"), max_length=120, blank=True)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True, blank=True)
    role = models.CharField(_("fonction"), max_length=120, blank=True)
    photo = models.ForeignKey(
        "images.LedeImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bio = models.TextField(_("biographie courte"), blank=True, max_length=1000)

    panels = [
        FieldPanel("name"),
        FieldPanel("name_ar"),
        FieldPanel("slug"),
        FieldPanel("role"),
        FieldPanel("photo"),
        FieldPanel("bio"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("auteur")
        verbose_name_plural = _("auteurs")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:120] or "auteur"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("editorial:author", kwargs={"slug": self.slug})


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "editorial.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class HomePage(SiteAddressPageMixin, Page):
    """À la une: lead story, secondary stories, latest per section, live slot."""

    lead_story = models.ForeignKey(
        "editorial.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("article principal"),
        help_text=_("Vide : l'article le plus récent."),
    )
    secondary_count = models.PositiveSmallIntegerField(
        _("nombre d'articles secondaires"), default=4
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("lead_story"),
        InlinePanel("featured", label=_("Articles secondaires choisis")),
        FieldPanel("secondary_count"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["editorial.SectionPage", "core.LegalPage"]
    #: One home per edition (docs/editions.md).
    max_count = len(settings.LANGUAGES)
    #: Its publication changes every page's menu (lede.core.caching.invalidation).
    caching_role = roles.CHROME

    class Meta:
        verbose_name = _("page d'accueil")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context.update(page_handlers.home_context.get()(self))
        return context

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = serve_listing(request, lambda req: super(HomePage, self).serve(req))
        allow_shared_caching(request, response)
        return response

    def route(self, request: HttpRequest, path_components: list[str]) -> Any:
        if path_components:
            result = fast_article_route(self, path_components, ArticlePage)
            if result is not None:
                return result
        return super().route(request, path_components)


class HomeFeatured(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured")
    article = models.ForeignKey(
        "editorial.ArticlePage",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("article"),
    )

    panels = [FieldPanel("article")]


TOP_SECTION_DEPTH = 3  # root (1) › home (2) › top-level sections (3)


class SectionPage(SiteAddressPageMixin, RoutablePageMixin, Page):
    description = models.TextField(_("description"), blank=True, max_length=600)
    default_access_level = models.CharField(
        _("accès par défaut"),
        max_length=16,
        choices=AccessLevel.choices,
        default=AccessLevel.PUBLIC,
        help_text=_("Niveau d'accès des articles de la rubrique qui n'en précisent pas."),
    )
    show_in_navigation = models.BooleanField(_("dans le menu"), default=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("description"),
        FieldPanel("default_access_level"),
        FieldPanel("show_in_navigation"),
    ]
    parent_page_types = ["editorial.HomePage", "editorial.SectionPage"]
    subpage_types = ["editorial.SectionPage", "editorial.ArticlePage", "livefeed.LiveBlogPage"]
    #: In every page's menu (lede.core.caching.invalidation).
    caching_role = roles.CHROME

    class Meta:
        verbose_name = _("rubrique")
        verbose_name_plural = _("rubriques")

    def top_level(self) -> SectionPage:
        """The top-level section this one belongs to (itself at the top)."""
        if self.depth <= TOP_SECTION_DEPTH:
            return self
        top = SectionPage.objects.filter(path=self.path[: TOP_SECTION_DEPTH * 4]).first()
        return top or self

    def section_ids(self) -> list[int]:
        """This section and its sub-sections."""
        return list(
            SectionPage.objects.filter(path__startswith=self.path).values_list("pk", flat=True)
        )

    def articles(self) -> QuerySet[ArticlePage]:
        result: QuerySet[ArticlePage] = page_handlers.section_articles.get()(self)
        return result

    def get_cached_paths(self) -> list[str]:
        """What the edge keeps of a section: its page and its feed
        (lede.core.caching.edge purges both)."""
        return ["/", "/rss/"]

    @path("")
    def index_route(self, request: HttpRequest) -> HttpResponse:
        raw = request.GET.get("page", "1")
        paginator = CachedCountPaginator(
            self.articles(), _page_size(), count_key=f"section:{self.pk}"
        )
        try:
            if not raw.isdigit():
                raise PageNotAnInteger(raw)
            page_obj = paginator.page(int(raw))
        except (EmptyPage, PageNotAnInteger) as exc:
            raise Http404(_("Cette page n'existe pas.")) from exc
        response = serve_listing(
            request,
            lambda req: self.render(req, context_overrides={"page_obj": page_obj}),
            paged=True,
        )
        allow_shared_caching(request, response)
        return response

    @path("rss/")
    def rss_route(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = page_handlers.section_feed.get()(request, self)
        return response


def _page_size() -> int:
    from django.conf import settings

    return int(getattr(settings, "LEDE_PAGE_SIZE", 20))


class ArticlePageForm(WagtailAdminPageForm):
    """The "significant update" tick always starts unticked: ticking it is a
    deliberate editorial act for this publication only."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "significant_update" in self.fields:
            self.initial["significant_update"] = False


class ArticlePage(SiteAddressPageMixin, Page):
    standfirst = models.TextField(_("chapô"), max_length=1200, blank=True)
    lead_image = models.ForeignKey(
        "images.LedeImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image principale"),
    )
    lead_image_caption = models.CharField(
        _("légende de l'image"),
        max_length=500,
        blank=True,
        help_text=_("Vide : légende enregistrée avec l'image."),
    )
    lead_image_credit = models.CharField(
        _("crédit de l'image"),
        max_length=255,
        blank=True,
        help_text=_("Vide : crédit enregistré avec l'image."),
    )
    body = StreamField(ArticleBodyBlock(), blank=True, verbose_name=_("corps"))
    section = models.ForeignKey(
        SectionPage,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The top-level section (Monde for Monde › Proche-Orient): listings of a
    # top-level section read one index instead of sorting several sections.
    top_section = models.ForeignKey(
        SectionPage,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tags = ClusterTaggableManager(through=ArticleTag, blank=True, verbose_name=_("mots-clés"))
    agency_credit = models.CharField(
        _("crédit agence"),
        max_length=120,
        blank=True,
        help_text=_("Par exemple « AFP » ou « avec Reuters ». Ce n'est pas un auteur."),
    )
    copyright_line = models.CharField(
        _("mention de copyright"),
        max_length=255,
        blank=True,
        help_text=_("Vide : mention du site. À remplir pour la copie d'agence."),
    )
    access_level = models.CharField(
        _("niveau d'accès"),
        max_length=16,
        choices=AccessLevel.choices,
        blank=True,
        default="",
        help_text=_("Vide : niveau par défaut de la rubrique."),
    )
    metered = models.BooleanField(
        _("compteur"),
        default=False,
        help_text=_("Compte dans le quota mensuel d'articles gratuits au lieu d'être verrouillé."),
    )
    published_at = models.DateTimeField(
        _("publié le"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Vide : rempli à la première publication."),
    )
    updated_at = models.DateTimeField(_("mis à jour le"), null=True, blank=True, editable=False)
    significant_update = models.BooleanField(
        _("mise à jour importante"),
        default=False,
        help_text=_("Cocher pour afficher « Mis à jour le … » lors de cette publication."),
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("standfirst"),
        index.SearchField("body"),
    ]

    content_panels = [
        PairPanel(heading=_("Édition")),
        *Page.content_panels,
        FieldPanel("standfirst"),
        MultiFieldPanel(
            [
                FieldPanel("lead_image"),
                FieldPanel("lead_image_caption"),
                FieldPanel("lead_image_credit"),
            ],
            heading=_("Image principale"),
        ),
        FieldPanel("body"),
        InlinePanel("article_authors", label=_("Auteurs")),
        FieldPanel("agency_credit"),
        FieldPanel("tags"),
    ]
    promote_panels = [
        *Page.promote_panels,
        MultiFieldPanel([FieldPanel("access_level"), FieldPanel("metered")], heading=_("Accès")),
    ]
    settings_panels = [
        *Page.settings_panels,
        MultiFieldPanel(
            [
                FieldPanel("published_at"),
                FieldPanel("significant_update"),
                FieldPanel("copyright_line"),
            ],
            heading=_("Publication"),
        ),
    ]
    base_form_class = ArticlePageForm
    parent_page_types = ["editorial.SectionPage"]
    subpage_types: list[str] = []
    #: Listed by the listings, linked from other variants (lede.core.caching).
    caching_role = roles.ARTICLE

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["section", "-published_at"], name="article_section_pub"),
            models.Index(fields=["top_section", "-published_at"], name="article_top_section_pub"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        parent = self.get_parent() if self.path else None
        if parent is not None:
            specific = parent.specific
            if isinstance(specific, SectionPage):
                self.section = specific
                self.top_section = specific.top_level()
        super().save(*args, **kwargs)

    # --- display helpers ---------------------------------------------------
    @cached_property
    def authors(self) -> list[Author]:
        prefetched = getattr(self, "_prefetched_objects_cache", {})
        if "article_authors" in prefetched:
            return [aa.author for aa in self.article_authors.all()]
        # One query for all the authors, not one per author.
        return [aa.author for aa in self.article_authors.select_related("author", "author__photo")]

    @property
    def effective_access_level(self) -> str:
        if self.access_level:
            return self.access_level
        if self.section is not None:
            return self.section.default_access_level
        return AccessLevel.PUBLIC

    @property
    def display_date(self) -> Any:
        return self.published_at or self.first_published_at or self.go_live_at

    @property
    def caption(self) -> str:
        if self.lead_image_caption:
            return self.lead_image_caption
        return self.lead_image.caption if self.lead_image else ""

    @property
    def credit(self) -> str:
        raw = self.lead_image_credit or (self.lead_image.credit if self.lead_image else "")
        return raw.upper()

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        # JSON-LD, share image, related articles (lede.editorial.page_context).
        context.update(page_handlers.article_context.get()(self, request))
        return context

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Readers get the variant the paywall decides: the paywall registers
        its server (lede.paywall.serving.serve_article) in page_handlers."""
        request.is_preview = False  # type: ignore[attr-defined]
        response: HttpResponse = page_handlers.serve_article.get()(self, request)
        return response


class ArticleAuthor(Orderable):
    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="article_authors")
    author = models.ForeignKey(
        Author, on_delete=models.CASCADE, related_name="article_links", verbose_name=_("auteur")
    )

    panels = [FieldPanel("author")]
