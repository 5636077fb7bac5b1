"""Where one reader's bits go in HTML shared by every reader.

A shared render (an article variant, a listing) is made from
``anonymous.anonymous_copy(request)``, which carries ``SHARED_RENDER_ATTR``:
templates test ``request.lede_shared_render`` (the one flag) and write a
marker instead of anything personal. Per request, the serving code puts the
reader's bits in at the markers.
"""

from __future__ import annotations

from typing import Any

#: The request attribute a shared render carries (templates/base.html,
#: editorial/article_page.html read it as ``request.lede_shared_render``).
SHARED_RENDER_ATTR = "lede_shared_render"

#: The header's account links and status.
ACCOUNT_MARKER = "<!--lede:account-nav-->"
#: The meter's line under an article.
METER_MARKER = "<!--lede:meter-->"
#: Around the paywall box's sign-in line, which only a reader who is not
#: signed in gets.
PAYWALL_LOGIN_START = "<!--lede:paywall-login-->"
PAYWALL_LOGIN_END = "<!--/lede:paywall-login-->"


def is_shared_render(request: Any) -> bool:
    return bool(getattr(request, SHARED_RENDER_ATTR, False))


def fill(html: str, marker: str, value: str) -> str:
    """``html`` with its first ``marker`` replaced by ``value``."""
    return html.replace(marker, value, 1)


def keep_or_cut(html: str, start: str, end: str, *, keep: bool) -> str:
    """``html`` with the part between ``start`` and ``end`` kept (``keep``)
    or cut; the markers go either way."""
    first = html.find(start)
    last = html.find(end, first)
    if first < 0 or last < 0:
        return html
    inner = html[first + len(start) : last] if keep else ""
    return html[:first] + inner + html[last + len(end) :]
