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
from django.utils.dateformat import format as django_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

#: Month names as Moroccan (Maghreb) Arabic prints them — not the Levantine
#: or Egyptian names of Django's own Arabic catalogue. Calendar data, like
#: CLDR's, not interface text: the Arabic edition's spelled-out dates.
MAGHREB_MONTHS = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ماي",
    "يونيو",
    "يوليوز",
    "غشت",
    "شتنبر",
    "أكتوبر",
    "نونبر",
    "دجنبر",
)


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


def format_published(value: datetime, tz: tzinfo | None = None) -> str:
    """The publication time of an article's dateline: the bare date and time
    in French ("26.07.2016 à 13 H 03"), with words before it where the
    language wants them (Arabic: "نُشر في 26.07.2016 على الساعة 13:03")."""
    # Translators: the whole "published" part of a dateline; French shows the
    # date and time alone, Arabic prefixes "نُشر في".
    return pgettext("dateline", "%(when)s") % {"when": format_news_datetime(value, tz)}


def format_long_date(value: datetime, tz: tzinfo | None = None) -> str:
    """A date with its month spelled out, as listings and archives print it:
    "26 juillet 2016"; in the Arabic edition "26 يوليوز 2016" (Maghreb month
    names, Western digits, never a Hijri date)."""
    v = local(value, tz) if isinstance(value, datetime) else value
    language = (get_language() or "fr").split("-")[0]
    if language == "ar":
        return f"{v.day} {MAGHREB_MONTHS[v.month - 1]} {v.year}"
    return django_format(v, "j F Y")
