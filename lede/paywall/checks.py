"""System checks of the paywall."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from .fastpath import ResponseHeaders


@register()
def fast_path_headers(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The fast path answers with the response headers of the middleware
    below it, borrowing each one's process_response; one that only has
    ``__call__`` cannot lend them, and the fast path then switches itself off."""
    unborrowable = ResponseHeaders.below_fast_path().unborrowable
    return [
        Error(
            f"{path} is below the article fast path but has no process_response: "
            "the fast path cannot give its answers that middleware's headers, so it "
            "is switched off (every article takes the normal road).",
            hint="Write it with process_response (MiddlewareMixin), move it above "
            "lede.paywall.fastpath.ArticleFastPathMiddleware, or, if it adds nothing "
            "to an article's response, list it in fastpath.CALL_ONLY_NEUTRAL.",
            id="lede.paywall.E001",
        )
        for path in unborrowable
    ]
