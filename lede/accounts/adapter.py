from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import get_next_redirect_url
from django.http import HttpRequest
from django.utils.translation import gettext

from lede.core.site import rebase, site_url


class AccountAdapter(DefaultAccountAdapter):
    """Lede's allauth adapter.

    E-mails are French with a text and an HTML part: allauth sends the HTML
    alternative whenever ``<prefix>_message.html`` exists next to the
    ``.txt`` (see ``lede/accounts/templates/account/email/``).

    Enumeration prevention is allauth's (``ACCOUNT_PREVENT_ENUMERATION``):
    nothing here may answer differently for known and unknown addresses.
    """

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # A safe ``next`` (same host, checked by ``is_safe_url``) wins over
        # LOGIN_REDIRECT_URL, also on the code and 2FA steps of a log-in.
        return get_next_redirect_url(request) or super().get_login_redirect_url(request)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Subjects are rendered without the request (so without context
        # processors): give every template the publication explicitly.
        from allauth.core import context as allauth_context

        from lede.core.selectors import publication_settings

        request = allauth_context.request
        publication = publication_settings(request)
        ctx = {
            "publication": publication,
            "site_name": publication.name,
            "site_url": site_url("/"),
        }
        # allauth builds its links (activate_url, password_reset_url,
        # signup_url…) from the request's host: every link in an e-mail goes
        # to the site's one address instead (lede/core/site.py).
        for key, value in context.items():
            if key.endswith("_url") and isinstance(value, str) and value:
                ctx[key] = rebase(value)
            else:
                ctx[key] = value
        super().send_mail(template_prefix, email, ctx)

    def get_http_user_agent(self, request: HttpRequest) -> str:
        # Shown in security notices ("navigateur : …").
        return request.META.get("HTTP_USER_AGENT") or gettext("non précisé")
