from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.safestring import SafeString

from lede.core.dates import format_news_datetime
from lede.core.sanitize import clean_html
from lede.core.site import site_url as _site_url

register = template.Library()


@register.simple_tag(takes_context=True)
def news_datetime(context: dict[str, Any], value: datetime | None) -> str:
    if value is None:
        return ""
    publication = context.get("publication")
    tz = publication.tz if publication is not None else None
    return format_news_datetime(value, tz)


@register.filter
def sanitize(value: str) -> SafeString:
    return clean_html(value)


@register.filter
def json_ld(value: Any) -> SafeString:
    """Serialise a dict for a <script type="application/ld+json"> element."""
    import json

    from django.utils.safestring import mark_safe

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
