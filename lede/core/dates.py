"""The publication's time zone, and dates the way the paper prints them
(``26.07.2016 à 13 H 03``).

One time zone rules everything that depends on a local calendar: the dates
readers see, the paywall meter's month, billing periods and receipt series,
and the scheduler. It is Django's ``TIME_ZONE`` setting (Africa/Casablanca by
default, from the environment): templates (``|date``), forms and the admin
already render in it, so any other source could only disagree with them. The
admin once had an editable "fuseau horaire" in Paramètres › Publication; it
was dropped (core migration 0005) because the meter and billing never read
it — a zone that only some of the site follows is worse than none.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from django.utils import timezone
from django.utils.translation import gettext as _


def publication_zone() -> tzinfo:
    """The publication's one time zone: ``settings.TIME_ZONE``.

    Django builds and caches it, and forgets it when the setting changes
    (``override_settings`` in tests)."""
    return timezone.get_default_timezone()


def local(value: datetime, tz: tzinfo | None = None) -> datetime:
    """``value`` on the publication's wall clock (``tz`` only for tests and
    callers that must show another zone on purpose)."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, publication_zone())
    return timezone.localtime(value, tz or publication_zone())


def format_news_datetime(value: datetime, tz: tzinfo | None = None) -> str:
    v = local(value, tz)
    # Translators: date and time of an article, e.g. "26.07.2016 à 13 H 03"
    return _("%(date)s à %(hour)s H %(minute)s") % {
        "date": v.strftime("%d.%m.%Y"),
        "hour": v.strftime("%H"),
        "minute": v.strftime("%M"),
    }
