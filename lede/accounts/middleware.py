"""Two-factor authentication for staff, enforced in front of both admins.

When ``settings.LEDE_STAFF_REQUIRE_MFA`` is true, a signed-in user who can
reach Wagtail's or Django's admin must

1. have an active TOTP authenticator (otherwise: sent to activate one), and
2. have proved it in the current session (otherwise: asked for a code).

The second rule closes the side door of the admins' own log-in forms, which
check the password only: those forms are also replaced by the site's log-in
page, whose allauth flow asks for the code.

Place it after ``AuthenticationMiddleware``, ``MessageMiddleware`` and
allauth's ``AccountMiddleware``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _


def admin_prefixes() -> tuple[str, ...]:
    return tuple(settings.LEDE_STAFF_MFA_PATH_PREFIXES)


def can_reach_admin(user: Any) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"))


def has_totp(user: Any) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def session_passed_mfa(request: HttpRequest, user: Any) -> bool:
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, user))


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}"


def _admin_login_paths() -> set[str]:
    paths = set()
    for name in ("wagtailadmin_login", "admin:login"):
        try:
            paths.add(reverse(name))
        except NoReverseMatch:
            pass
    return paths


class StaffMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.LEDE_STAFF_REQUIRE_MFA:
            response = self.check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        path = request.path_info
        if not path.startswith(admin_prefixes()):
            return None
        user: Any = request.user
        if not user.is_authenticated:
            if path in _admin_login_paths():
                # The admins' own forms check the password only.
                next_url = request.GET.get("next") or path.replace("login/", "", 1)
                return HttpResponseRedirect(_with_next(reverse("account_login"), next_url))
            return None
        if not can_reach_admin(user):
            return None
        if not has_totp(user):
            messages.warning(
                request,
                _(
                    "L’administration exige l’authentification à deux facteurs. "
                    "Activez une application d’authentification pour continuer."
                ),
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        if not session_passed_mfa(request, user):
            messages.info(
                request,
                _("Saisissez le code de votre application d’authentification pour continuer."),
            )
            return HttpResponseRedirect(
                _with_next(reverse("mfa_reauthenticate"), request.get_full_path())
            )
        return None
