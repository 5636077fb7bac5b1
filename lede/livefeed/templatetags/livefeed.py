from __future__ import annotations

from django import template
from django.utils.translation import get_language

from lede.livefeed.models import Dispatch, FeedEvent, edition_for
from lede.livefeed.selectors import latest_dispatches as _latest

register = template.Library()


@register.simple_tag
def latest_dispatches(limit: int = 5) -> list[Dispatch]:
    """``{% latest_dispatches 5 as dispatches %}``: the home page's live slot
    (of the edition of the active language)."""
    return list(_latest(int(limit), language=edition_for(get_language())))


@register.simple_tag
def live_last_event_id() -> int:
    """The feed's last event id, so a live list resumes the stream from there."""
    return FeedEvent.objects.last_id()
