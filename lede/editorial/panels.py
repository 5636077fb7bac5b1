"""The article editor's view of its pair (docs/editions.md): which article
is its counterpart in the other edition, and whether that half was corrected
after this one was last published ("possibly out of date")."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail.admin.panels import HelpPanel


def pair_status(page: Any) -> dict[str, Any] | None:
    """The counterpart of ``page`` (live or not) and whether it was corrected
    (a significant update, ``updated_at``) after ``page`` was last
    published; None when the article has no counterpart."""
    if page is None or not page.pk:
        return None
    other = (
        type(page)
        .objects.filter(translation_key=page.translation_key)
        .exclude(pk=page.pk)
        .select_related("locale")
        .first()
    )
    if other is None:
        return None
    corrected = other.updated_at
    mine = page.last_published_at
    return {
        "page": other,
        "live": other.live,
        "out_of_date": bool(corrected and mine and corrected > mine),
    }


class PairPanel(HelpPanel):
    """A read-only note at the top of the article editor."""

    class BoundPanel(HelpPanel.BoundPanel):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.content = self._note()

        def _note(self) -> str:
            status = pair_status(self.instance)
            if status is None:
                return ""
            other = status["page"]
            link = format_html(
                '<a href="{}">{}</a> ({})',
                reverse("wagtailadmin_pages:edit", args=[other.pk]),
                other.title,
                other.locale.get_display_name(),
            )
            parts: list[str] = [format_html("{} {}", _("Version dans l’autre édition :"), link)]
            if not status["live"]:
                parts.append(_("Elle n’est pas publiée : les lecteurs ne voient pas de lien."))
            if status["out_of_date"]:
                parts.append(
                    format_html(
                        '<strong class="lede-pair-outdated">{}</strong>',
                        _(
                            "Peut-être plus à jour : l’autre version a été corrigée "
                            "après la dernière publication de celle-ci."
                        ),
                    )
                )
            return format_html(
                '<div class="help-block help-info">{}</div>',
                format_html("<br>".join(["{}"] * len(parts)), *parts),
            )

        def is_shown(self) -> bool:
            return bool(self.content)
