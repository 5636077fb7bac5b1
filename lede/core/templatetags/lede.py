from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from lede.core.dates import format_long_date, format_news_datetime, format_published
from lede.core.sanitize import clean_html
from lede.core.site import site_url as _site_url
from lede.core.translated import localized as _localized
from lede.core.typography import typeset

register = template.Library()


@register.simple_tag
def news_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_news_datetime(value)


@register.simple_tag
def published_datetime(value: datetime | None) -> str:
    """An article's publication time, with the words the language puts
    before it (lede.core.dates.format_published)."""
    if value is None:
        return ""
    return format_published(value)


@register.filter
def long_date(value: datetime | None) -> str:
    """``{{ value|long_date }}``: "26 juillet 2016", "26 يوليوز 2016"."""
    if value is None or value == "":
        return ""
    return format_long_date(value)


@register.filter
def sanitize(value: str) -> SafeString:
    return clean_html(value)


@register.filter
def json_ld(value: Any) -> SafeString:
    """Serialise a dict for a <script type="application/ld+json"> element."""
    import json

    raw = json.dumps(value, ensure_ascii=False, default=str)
    escaped = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(escaped)


@register.simple_tag
def site_url(path: str = "/") -> str:
    """The absolute URL of a site path on the site's one address."""
    return _site_url(path)


@register.simple_tag
def canonical_url(request: Any) -> str:
    """The page's canonical address: its path on the site's address, keeping
    only a pagination parameter (no tracking or junk query strings)."""
    path = request.path
    page = request.GET.get("page", "")
    if page.isdigit() and int(page) > 1:
        path += f"?page={int(page)}"
    return _site_url(path)


@register.filter(is_safe=True)
def typo(value: Any) -> SafeString:
    """French typography on text or trusted HTML (see lede.core.typography).

    Plain strings are escaped first, so ``{{ page.title|typo }}`` is as safe as
    ``{{ page.title }}``, in element content and in double-quoted attributes.
    Only applied when the active language is French.
    """
    if value is None or value == "":
        return mark_safe("")
    return mark_safe(typeset(str(conditional_escape(value))))


@register.filter
def legal_url(links: Any, kind: str) -> str:
    """The address of the information page of one kind among ``legal_pages``
    (e.g. ``"terms_of_sale"``), or "" when the publication has none."""
    for link in links or ():
        if getattr(link, "kind", None) == kind:
            return str(link.url)
    return ""


@register.filter
def localized(obj: Any, field: str) -> Any:
    """A plain model's text in the edition's language:
    ``{{ offer|localized:"headline" }}`` (lede/core/translated.py)."""
    return _localized(obj, field)
