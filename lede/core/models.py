"""Site-wide settings editors manage in the admin (Paramètres › Publication)."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from .caching import roles
from .site import SiteAddressPageMixin

DEFAULT_REPRODUCTION_POLICY = (
    "Toute reproduction ou représentation totale ou partielle de ce site par quelque "
    "procédé que ce soit, sans autorisation expresse, est interdite : photocopies, "
    "intranet, sites web, courriels, lettres d'information et outils de veille média "
    "compris."
)


def validate_time_zone(value: str) -> None:
    # Kept only because migration 0001 names it: the publication's time zone
    # is settings.TIME_ZONE (see lede/core/dates.py), not an admin field.
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Fuseau horaire inconnu : %(tz)s"), params={"tz": value})


#: PublicationSettings' fields that readers see in their edition's language.
TRANSLATED_SETTINGS = frozenset({"name", "tagline", "copyright_notice", "reproduction_policy"})


@register_setting(icon="site")
class PublicationSettings(BaseSiteSetting):
    name = models.CharField(_("nom de la publication"), max_length=120, default="Le Quotidien")
    tagline = models.CharField(_("slogan"), max_length=255, blank=True)
    publisher = models.CharField(
        _("éditeur"), max_length=120, blank=True, help_text=_("Nom utilisé dans le copyright.")
    )
    logo = models.ForeignKey(
        "images.LedeImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    share_image = models.ForeignKey(
        "images.LedeImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image de partage par défaut"),
        help_text=_(
            "Montrée par les réseaux sociaux pour un article sans image principale "
            "(format 1200 × 630 conseillé)."
        ),
    )
    copyright_notice = models.CharField(
        _("mention de copyright"),
        max_length=255,
        default="© Copyright Le Quotidien. Tous droits réservés.",
    )
    reproduction_policy = models.TextField(
        _("politique de reproduction"), default=DEFAULT_REPRODUCTION_POLICY
    )
    # The Arabic edition's words (lede/core/translated.py): empty, the French.
    name_ar = models.CharField(_("nom de la publication (arabe)"), max_length=120, blank=True)
    tagline_ar = models.CharField(_("slogan (arabe)"), max_length=255, blank=True)
    copyright_notice_ar = models.CharField(
        _("mention de copyright (arabe)"), max_length=255, blank=True
    )
    reproduction_policy_ar = models.TextField(_("politique de reproduction (arabe)"), blank=True)
    twitter = models.CharField(_("compte X / Twitter"), max_length=64, blank=True)
    facebook = models.URLField(_("page Facebook"), blank=True)
    instagram = models.CharField(_("compte Instagram"), max_length=64, blank=True)
    language = models.CharField(_("langue"), max_length=8, default="fr")

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("tagline"),
                FieldPanel("publisher"),
                FieldPanel("logo"),
                FieldPanel("share_image"),
            ],
            heading=_("Identité"),
        ),
        MultiFieldPanel(
            [FieldPanel("copyright_notice"), FieldPanel("reproduction_policy")],
            heading=_("Droits"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("name_ar"),
                FieldPanel("tagline_ar"),
                FieldPanel("copyright_notice_ar"),
                FieldPanel("reproduction_policy_ar"),
            ],
            heading=_("Édition arabe"),
        ),
        MultiFieldPanel(
            [FieldPanel("twitter"), FieldPanel("facebook"), FieldPanel("instagram")],
            heading=_("Réseaux sociaux"),
        ),
    ]

    class Meta:
        verbose_name = _("publication")


class LegalPage(SiteAddressPageMixin, Page):
    """An editable page of the site's own: Mentions légales, Conditions
    générales de vente, Politique de confidentialité, Contact… Linked from
    every page's footer (``legal_pages`` in the template context) and, by its
    kind, from the checkout."""

    class Kind(models.TextChoices):
        LEGAL_NOTICE = "legal_notice", _("Mentions légales")
        TERMS_OF_SALE = "terms_of_sale", _("Conditions générales de vente")
        PRIVACY = "privacy", _("Politique de confidentialité")
        CONTACT = "contact", _("Contact")
        OTHER = "other", _("Autre")

    #: In every page's footer (lede.core.caching.invalidation).
    caching_role = roles.CHROME

    kind = models.CharField(
        _("type de page"),
        max_length=16,
        choices=Kind.choices,
        default=Kind.OTHER,
        help_text=_("Le bas de page et la commande trouvent la page par son type."),
    )
    intro = models.TextField(_("chapeau"), blank=True, max_length=600)
    body = RichTextField(
        _("texte"),
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul"],
    )
    in_footer = models.BooleanField(_("lien en bas de page"), default=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("in_footer"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["editorial.HomePage"]
    subpage_types: list[str] = []
    template = "core/legal_page.html"

    class Meta:
        verbose_name = _("page d'information")
        verbose_name_plural = _("pages d'information")
