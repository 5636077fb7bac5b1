"""Which edition an agency item goes to: the one of its language.

An item carries its language (NewsML-G2 ``contentMeta/language`` or
``xml:lang``, ninjs ``language``). The desk's sections belong to the French
edition unless an editor picks another; an item in another language goes to
the translation of the section in the locale of that language (Wagtail's
``get_translation_or_none``). When that edition has no such section, the item
stays in the section chosen, and the editor is told why.
"""

from __future__ import annotations

from typing import Any

from wagtail.models import Locale

#: How the desk names an edition in its messages, by language.
EDITION_NAMES = {"ar": "l'édition arabe", "fr": "l'édition française", "en": "l'édition anglaise"}


def item_locale(language: str) -> Locale | None:
    """The Wagtail locale of a language code (``ar``, ``ar-MA``), if the site has it."""
    primary = language.replace("_", "-").split("-", 1)[0].strip().lower()
    if not primary:
        return None
    locales = Locale.objects.filter(language_code__iexact=primary)
    return (
        locales.first()
        or Locale.objects.filter(language_code__istartswith=f"{primary}-")
        .order_by("language_code")
        .first()
    )


def edition_name(language: str) -> str:
    primary = language.split("-", 1)[0].lower()
    return EDITION_NAMES.get(primary, f"l'édition « {language} »")


def section_for_language(section: Any, language: str) -> tuple[Any, str]:
    """``section`` in the edition of ``language``: its translation there, or
    ``section`` itself with a note for the editor when that edition has none
    (or when the site has no locale for the language)."""
    if section is None or not language:
        return section, ""
    locale = item_locale(language)
    if locale is None:
        if language.split("-", 1)[0].lower() == section.locale.language_code.split("-")[0]:
            return section, ""
        return section, (
            f"Dépêche en « {language} » : le site n'a pas d'édition dans cette langue ; "
            f"elle est placée dans la rubrique « {section.title} »."
        )
    if locale.pk == section.locale_id:
        return section, ""
    translation = section.get_translation_or_none(locale)
    if translation is not None:
        return translation.specific, ""
    return section, (
        f"Dépêche en {_language_label(language)} : {edition_name(language)} n'a pas de "
        f"rubrique « {section.title} » (aucune traduction de cette rubrique). Elle est placée "
        f"dans la rubrique « {section.title} » de {edition_name(section.locale.language_code)} ; "
        "créez la traduction de la rubrique ou déplacez la page."
    )


def _language_label(language: str) -> str:
    labels = {"ar": "arabe", "fr": "français", "en": "anglais"}
    return labels.get(language.split("-", 1)[0].lower(), f"« {language} »")
