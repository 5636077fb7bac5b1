from __future__ import annotations

from django import template

from lede.livefeed.models import Dispatch
from lede.livefeed.selectors import latest_dispatches as _latest

register = template.Library()


@register.simple_tag
def latest_dispatches(limit: int = 5) -> list[Dispatch]:
    """``{% latest_dispatches 5 as dispatches %}``: the home page's live slot."""
    return list(_latest(int(limit)))
