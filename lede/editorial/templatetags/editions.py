"""The editions in templates: hreflang alternates, the language switch, the
link to an article's counterpart (docs/editions.md).

Everything here is the same for every reader of a page (no cookie, no
account is read), so it may be rendered into shared cached HTML.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from lede.core.site import site_url

from .. import editions

register = template.Library()

#: Each edition's name in its own language (an autonym is never translated).
AUTONYMS = {"fr": "Français", "ar": "العربية"}
#: Open Graph's locale of each edition.
OG_LOCALES = {"fr": "fr_MA", "ar": "ar_MA"}


def _page_of(context: Any) -> Any:
    page = context.get("page")
    return page if page is not None and hasattr(page, "translation_key") else None


def _versions(context: Any) -> dict[str, str]:
    """language → absolute URL of this page's live version in that edition."""
    cache = context.render_context
    if "lede_alternates" not in cache:
        page = _page_of(context)
        found: dict[str, str] = {}
        if page is not None:
            found = {alt.language: alt.url for alt in editions.alternates(page)}
        else:
            request = context.get("request")
            if request is not None and _edition_neutral(request.path):
                for code in editions.edition_languages():
                    found[code] = site_url(_swap_prefix(request.path, code))
        cache["lede_alternates"] = found
    result: dict[str, str] = cache["lede_alternates"]
    return result


#: Views whose page exists in every edition at the same address (bar the
#: prefix): hreflang can name them.
EDITION_NEUTRAL = ("/recherche/", "/offres/", "/newsroom/")


def _edition_neutral(path: str) -> bool:
    bare = _strip_prefix(path)
    return any(bare == p for p in EDITION_NEUTRAL)


def _strip_prefix(path: str) -> str:
    for code in editions.edition_languages():
        if code != settings.LANGUAGE_CODE and (path == f"/{code}" or path.startswith(f"/{code}/")):
            return path[len(code) + 1 :] or "/"
    return path


def _swap_prefix(path: str, language: str) -> str:
    bare = _strip_prefix(path)
    if language == settings.LANGUAGE_CODE:
        return bare
    return f"/{language}{bare}"


@register.simple_tag(takes_context=True)
def edition_alternates(context: Any) -> SafeString:
    """``<link rel="alternate" hreflang>`` for every live version of the page
    (itself included) and x-default (the French one, else the only one).
    Nothing for a page that exists in one edition only."""
    found = _versions(context)
    if len(found) < 2:
        return mark_safe("")
    default = found.get(settings.LANGUAGE_CODE) or next(iter(found.values()))
    links = [(code, url) for code, url in found.items()] + [("x-default", default)]
    return format_html_join(
        "\n", '<link rel="alternate" hreflang="{}" href="{}">', ((c, u) for c, u in links)
    )


@register.simple_tag(takes_context=True)
def og_locales(context: Any) -> SafeString:
    """``og:locale`` and one ``og:locale:alternate`` per other live version."""
    current = editions.current_language()
    tags = [format_html('<meta property="og:locale" content="{}">', OG_LOCALES[current])]
    for code in _versions(context):
        if code != current:
            tags.append(
                format_html('<meta property="og:locale:alternate" content="{}">', OG_LOCALES[code])
            )
    return mark_safe("\n".join(tags))


def switch_target(context: Any, language: str) -> str:
    """Where the switch to ``language`` leads from this page: the page's own
    version there, else the same address in that edition for the pages every
    edition has (search, offers, accounts…), else that edition's home."""
    found = _versions(context)
    if language in found:
        return urlsplit(found[language]).path
    page = _page_of(context)
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if page is None and match is not None and match.url_name != "wagtail_serve":
        # A view every edition has (a 404 of the page tree has no twin).
        return _swap_prefix(request.path, language)  # type: ignore[union-attr]
    return editions.edition_root(language)


@register.inclusion_tag("editorial/_edition_switch.html", takes_context=True)
def edition_switch(context: Any) -> dict[str, Any]:
    """The language switch in every page's header: a link per other edition,
    through ``language_switch`` (which remembers the choice)."""
    current = editions.current_language()
    links = []
    for code in editions.edition_languages():
        if code == current:
            continue
        target = switch_target(context, code)
        href = (
            reverse("language_switch", kwargs={"code": code}) + "?" + urlencode({"suivant": target})
        )
        links.append({"code": code, "name": AUTONYMS.get(code, code), "href": href})
    return {"links": links}


@register.simple_tag
def article_pair(page: Any) -> Any:
    """The live counterpart of an article in the other edition, or None."""
    return editions.live_pair(page)


@register.simple_tag
def edition_home_url() -> str:
    """The current edition's home: "/" or "/ar/"."""
    return editions.edition_root()
