"""Template filters of the receipt PDF.

``isolate`` sets the direction of text typed by someone (the seller's
address, a buyer's name, an order's description) from its first strong
letter, as HTML's ``dir="auto"`` would: WeasyPrint honours ``dir="ltr"`` /
``dir="rtl"`` on an inline element but not ``dir="auto"`` nor ``<bdi>``, so
without it "12, rue des Imprimeurs" inside an Arabic receipt would print as
"rue des Imprimeurs ,12".
"""

from __future__ import annotations

import unicodedata

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def text_direction(text: str) -> str:
    """``"rtl"`` or ``"ltr"`` from the first strong character (Unicode bidi
    classes R/AL or L), ``""`` when there is none (digits, punctuation)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return ""


@register.filter
def isolate(value: object) -> SafeString:
    """Each line of ``value`` escaped, in a span with its own direction;
    lines joined with ``<br>``."""
    lines = str(value or "").splitlines() or [""]
    parts = []
    for line in lines:
        direction = text_direction(line) or "ltr"
        parts.append(format_html('<span dir="{}">{}</span>', direction, line))
    return mark_safe("<br>".join(conditional_escape(part) for part in parts))
