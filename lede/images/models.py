"""Lede's image model: Wagtail's image with a caption and a credit kept apart.

The credit ("PHOTOGRAPHER / AGENCY") is stored separately from the caption so
the page can print it in its own style and so agency photos keep their credit
wherever they are reused.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import AbstractImage, AbstractRendition, Image


class LedeImage(AbstractImage):
    caption = models.CharField(_("légende"), max_length=500, blank=True)
    credit = models.CharField(
        _("crédit"), max_length=255, blank=True, help_text=_("Par exemple : « NOM / AFP ».")
    )

    admin_form_fields = (*Image.admin_form_fields, "caption", "credit")

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")

    @property
    def default_alt_text(self) -> str:
        # Wagtail's "description" is the alt text; fall back on the caption.
        return getattr(self, "description", "") or self.caption or ""

    @property
    def credit_display(self) -> str:
        return self.credit.upper()


class LedeRendition(AbstractRendition):
    image = models.ForeignKey(LedeImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
