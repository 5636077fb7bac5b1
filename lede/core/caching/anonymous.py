"""The one "render as an anonymous reader" copy of a request.

Every HTML that more than one reader gets (article variants, listings) is
rendered from this copy, so nothing of the reader who happened to cause the
render can reach it: no user, no cookies (neither parsed nor in the raw
header), no CSRF token, no session, no pending messages. It is strict on
purpose and the only one: two diverging copies once existed, one of which
kept the session and the raw cookie header (issue 14).
"""

from __future__ import annotations

import copy
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from .markers import SHARED_RENDER_ATTR

# What of the reader's request META a shared render must not see.
PRIVATE_META = frozenset({"HTTP_COOKIE", "CSRF_COOKIE", "CSRF_COOKIE_NEEDS_UPDATE"})
# What middleware caches on the request for the reader (the user, lazily;
# the message storage).
PRIVATE_ATTRS = ("_messages", "auser", "_cached_user")


def anonymous_copy(request: HttpRequest) -> HttpRequest:
    """A copy of ``request`` as an anonymous reader without cookies would
    send it, marked as a shared render (markers.SHARED_RENDER_ATTR)."""
    anonymous = copy.copy(request)
    for name in PRIVATE_ATTRS:
        anonymous.__dict__.pop(name, None)
    anonymous.user = AnonymousUser()  # type: ignore[assignment]
    anonymous.COOKIES = {}
    # A new dict: a token the render asks for never reaches the reader's request.
    anonymous.META = {k: v for k, v in request.META.items() if k not in PRIVATE_META}
    anonymous.session = import_module(settings.SESSION_ENGINE).SessionStore()
    setattr(anonymous, SHARED_RENDER_ATTR, True)
    return anonymous
