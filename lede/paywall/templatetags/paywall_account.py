"""``{% account_nav %}``: the header's account links and status on pages
rendered for one reader (account pages, checkout, search…), from the same
selectors and the same per-kind rendering as the article and listing roads."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from lede.paywall.selectors import ANONYMOUS_STATE, AccountState, account_state_for_request
from lede.paywall.serving import account_nav_html

register = template.Library()


@register.simple_tag(takes_context=True)
def account_state(context: Any) -> AccountState:
    """``{% account_state as state %}``: the reader's kind, for pages that say
    it in their own words ("Mon compte")."""
    request = context.get("request")
    if request is None:
        return ANONYMOUS_STATE
    return account_state_for_request(request, timezone.now())


@register.simple_tag(takes_context=True)
def account_nav(context: Any) -> SafeString:
    state = account_state(context)
    # A template rendering (escaped where the template says): safe as it is.
    return mark_safe(account_nav_html(state))
