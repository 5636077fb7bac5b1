from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.simple_tag
def staff_mfa_relaxed() -> bool:
    """True on a demo or development site where staff may skip 2FA.

    The log-in page says so, so that nobody mistakes the demo's settings for
    production's (where ``LEDE_STAFF_REQUIRE_MFA`` is on).
    """
    if settings.LEDE_STAFF_REQUIRE_MFA:
        return False
    return bool(settings.LEDE_DEMO)


@register.simple_tag
def password_reset_lifetime() -> str:
    """How long a reset link lives (``PASSWORD_RESET_TIMEOUT``), in words."""
    seconds = int(settings.PASSWORD_RESET_TIMEOUT)
    if seconds == 3600:
        return gettext("une heure")
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(n)d heure", "%(n)d heures", hours) % {"n": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
