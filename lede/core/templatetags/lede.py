from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.safestring import SafeString

from lede.core.dates import format_news_datetime
from lede.core.sanitize import clean_html

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
