"""StreamField blocks of an article body."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import RichText

from lede.core.sanitize import clean_embed_html, clean_html, clean_rich_text_source
from lede.core.typography import typeset

PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul", "superscript", "subscript"]


class SanitisedRichTextBlock(blocks.RichTextBlock):
    """Rich text cleaned with nh3 when saved and again when rendered."""

    def get_prep_value(self, value: Any) -> Any:
        prepped = super().get_prep_value(value)
        return clean_rich_text_source(prepped)

    def to_python(self, value: Any) -> RichText:
        return RichText(clean_rich_text_source(value))

    def render_basic(self, value: Any, context: dict[str, Any] | None = None) -> SafeString:
        # French typography on the text nodes, once per render (cached variants
        # and listings keep the result).
        return mark_safe(typeset(str(clean_html(str(super().render_basic(value, context))))))


class SafeEmbedBlock(EmbedBlock):
    """An oEmbed embed whose provider HTML is sanitised before it reaches the page."""

    def render_basic(self, value: Any, context: dict[str, Any] | None = None) -> SafeString:
        try:
            html = super().render_basic(value, context)
        except Exception:  # noqa: BLE001 - an unreachable provider must not break the page
            html = ""
        return clean_embed_html(str(html))


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("citation"))
    attribution = blocks.CharBlock(label=_("auteur de la citation"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Citation")
        template = "editorial/blocks/quote.html"


class InlineImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(
        label=_("légende"), required=False, help_text=_("Vide : légende de l'image.")
    )
    credit = blocks.CharBlock(
        label=_("crédit"), required=False, help_text=_("Vide : crédit de l'image.")
    )

    class Meta:
        icon = "image"
        label = _("Image")
        template = "editorial/blocks/image.html"


class RelatedArticleBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(label=_("article"), page_type="editorial.ArticlePage")
    label = blocks.CharBlock(label=_("intitulé"), required=False, default="Lire aussi")

    class Meta:
        icon = "link"
        label = _("Article lié")
        template = "editorial/blocks/related.html"


class FactBoxBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titre"))
    body = SanitisedRichTextBlock(label=_("texte"), features=PARAGRAPH_FEATURES)

    class Meta:
        icon = "list-ul"
        label = _("Encadré")
        template = "editorial/blocks/factbox.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = SanitisedRichTextBlock(label=_("Paragraphe"), features=PARAGRAPH_FEATURES)
    subheading = blocks.CharBlock(
        label=_("Intertitre"), icon="title", template="editorial/blocks/subheading.html"
    )
    quote = QuoteBlock()
    image = InlineImageBlock()
    embed = SafeEmbedBlock(label=_("Contenu intégré"), icon="media")
    related = RelatedArticleBlock()
    factbox = FactBoxBlock()
