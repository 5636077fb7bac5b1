from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import get_next_redirect_url
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext

from lede.core import mail
from lede.core.network import client_ip
from lede.core.selectors import publication_settings
from lede.core.site import rebase


class AccountAdapter(DefaultAccountAdapter):
    """Lede's allauth adapter.

    E-mails are French with a text and an HTML part, rendered and sent by
    :mod:`lede.core.mail` on the publication's one e-mail layout (its
    typography included), like every other reader e-mail; allauth's own
    templates are overridden in ``lede/accounts/templates/account/email/``.

    Enumeration prevention is allauth's (``ACCOUNT_PREVENT_ENUMERATION``):
    nothing here may answer differently for known and unknown addresses.
    """

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # A safe ``next`` (same host, checked by ``is_safe_url``) wins over
        # LOGIN_REDIRECT_URL, also on the code and 2FA steps of a log-in.
        return get_next_redirect_url(request) or super().get_login_redirect_url(request)

    def get_logout_redirect_url(self, request: HttpRequest) -> str:
        # The home of the edition the reader signs out from (docs/editions.md).
        language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
        return "/" if language == settings.LANGUAGE_CODE else f"/{language}/"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Subjects are rendered without the request (so without context
        # processors): give every template the publication explicitly.
        request = allauth_context.request
        publication = publication_settings(request)
        ctx: dict[str, Any] = {
            "publication": publication,
            "site_name": publication.name,
            "email": email,
        }
        # allauth builds its links (activate_url, password_reset_url,
        # signup_url…) from the request's host: every link in an e-mail goes
        # to the site's one address instead (lede/core/site.py).
        for key, value in context.items():
            if key.endswith("_url") and isinstance(value, str) and value:
                ctx[key] = rebase(value)
            else:
                ctx[key] = value
        ctx.pop("request", None)  # rendered without it, like every e-mail
        # In the reader's edition: their saved choice, else the page's.
        user = ctx.get("user")
        language = getattr(user, "language", None) if getattr(user, "pk", None) else None
        mail.send(
            template_prefix,
            email,
            ctx,
            from_email=self.get_from_email(),
            language=language or translation.get_language(),
        )

    def get_http_user_agent(self, request: HttpRequest) -> str:
        # Shown in security notices ("navigateur : …").
        return request.META.get("HTTP_USER_AGENT") or gettext("non précisé")

    def get_client_ip(self, request: HttpRequest) -> str:
        # The address the rate limits key on is the one the paywall believes:
        # X-Forwarded-For only from LEDE_TRUSTED_PROXIES (lede/core/network.py),
        # never allauth's own ALLAUTH_TRUSTED_PROXY_COUNT, so the two cannot
        # disagree and a client cannot pick its address with a header.
        address = client_ip(request)
        if address is None:
            # allauth's own answer when there is no address (its default
            # adapter raises the same).
            raise PermissionDenied("Unable to determine client IP address")
        return str(address)
