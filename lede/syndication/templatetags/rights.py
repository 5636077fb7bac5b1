"""``{% tdm_meta %}``: the TDMRep HTML meta of every page."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from lede.syndication import rights

register = template.Library()


@register.simple_tag
def tdm_meta() -> str:
    chosen = rights.current()
    if not chosen.reserved:
        return mark_safe('<meta name="tdm-reservation" content="0">')  # a constant
    return format_html(
        '<meta name="tdm-reservation" content="1">\n<meta name="tdm-policy" content="{}">',
        chosen.policy_url,
    )
