"""Reads of the syndication domain: who is calling (a key, its licence and what
they cover), the rate limit, the monthly volume and the usage reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.core import signing
from django.core.cache import cache
from django.db.models import Count, Sum

from lede.core.caching import keys as cache_keys
from lede.core.dates import publication_zone
from lede.editorial.models import SectionPage
from lede.paywall import access

from .keys import key_matches, parse_key
from .models import ApiCall, ApiKey, Delivery, Licence


class KeyProblem(StrEnum):
    MALFORMED = "key_malformed"
    UNKNOWN = "key_unknown"
    REVOKED = "key_revoked"
    EXPIRED = "key_expired"


class KeyError_(Exception):
    def __init__(self, problem: KeyProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def key_for(presented: str, now: datetime) -> ApiKey:
    """The active key for ``presented``, or :class:`KeyError_` saying why not.
    Read from the database every time: revocation takes effect at once."""
    prefix = parse_key(presented)
    if prefix is None:
        raise KeyError_(KeyProblem.MALFORMED)
    key = ApiKey.objects.select_related("licence__organisation").filter(prefix=prefix).first()
    if key is None or not key_matches(presented, key.hashed):
        raise KeyError_(KeyProblem.UNKNOWN)
    if key.revoked_at is not None and key.revoked_at <= now:
        raise KeyError_(KeyProblem.REVOKED)
    if key.expires_at is not None and key.expires_at <= now:
        raise KeyError_(KeyProblem.EXPIRED)
    return key


def key_has_seat(key: ApiKey, now: datetime) -> bool:
    """Whether ``key`` is within its licence's number of users: the oldest
    active keys come first, after the digest's addresses. A rotated key in its
    overlap rides on its replacement's seat."""
    licence = key.licence
    if licence is None or licence.users is None:
        return True
    if key.replaced_by_id is not None:
        replacement = ApiKey.objects.filter(pk=key.replaced_by_id).first()
        return replacement is None or key_has_seat(replacement, now)
    free = licence.users - len(licence.digest_addresses())
    if free <= 0:
        return False
    seated = licence.seated_keys(now).values_list("pk", flat=True)[:free]
    return key.pk in set(seated)


def _with_descendants(sections: Iterable[SectionPage]) -> frozenset[int]:
    ids: set[int] = set()
    for section in sections:
        ids.update(
            SectionPage.objects.filter(path__startswith=section.path).values_list("pk", flat=True)
        )
    return frozenset(ids)


@dataclass(frozen=True, slots=True)
class Client:
    """What an API caller may have: nothing special without a key."""

    key: ApiKey | None = None
    licence: Licence | None = None
    scopes: frozenset[str] = frozenset({"articles", "dispatches", "liveblogs"})
    #: Sections (with their sub-sections) the licence and key cover; None: all.
    section_ids: frozenset[int] | None = None
    languages: frozenset[str] = frozenset()
    full_text: bool = False
    agency_copy: bool = False

    @property
    def identity(self) -> str:
        return self.key.prefix if self.key is not None else "anonymous"

    def reader(self) -> access.Reader:
        """The caller as the paywall decision sees it: a full-text licence is a
        group entitlement over its sections, for its dates."""
        licence = self.licence
        if licence is None or not self.full_text:
            return access.Reader.anonymous()
        entitlement = access.Entitlement(
            kind=access.EntitlementKind.GROUP,
            starts_at=licence.starts_at,
            ends_at=licence.ends_at,
            section_ids=self.section_ids,
            organisation_id=licence.organisation_id,
        )
        return access.Reader(is_authenticated=False, entitlements=(entitlement,))

    def covers_section(self, section_id: int | None) -> bool:
        return self.section_ids is None or (
            section_id is not None and section_id in self.section_ids
        )


ANONYMOUS = Client()


def client_for_key(key: ApiKey, now: datetime) -> Client:
    licence = key.licence
    licence_sections = None
    languages = key.language_set()
    full_text = agency_copy = False
    if licence is not None and licence.is_active(now) and licence.channel_api:
        chosen = list(licence.sections.all())
        licence_sections = _with_descendants(chosen) if chosen else None
        languages = languages or licence.language_set()
        if licence.language_set() and key.language_set():
            languages = licence.language_set() & key.language_set() or frozenset({"-"})
        full_text = licence.full_text
        agency_copy = licence.agency_copy
    key_chosen = list(key.sections.all())
    key_sections = _with_descendants(key_chosen) if key_chosen else None
    if licence_sections is None:
        section_ids = key_sections
    elif key_sections is None:
        section_ids = licence_sections
    else:
        section_ids = licence_sections & key_sections
    return Client(
        key=key,
        licence=licence,
        scopes=frozenset(key.scopes),
        section_ids=section_ids,
        languages=languages,
        full_text=full_text,
        agency_copy=agency_copy,
    )


# --- Rate limit ---------------------------------------------------------------


def rate_limited(identity: str, limit: int, now: datetime) -> int:
    """0 when the call may go ahead, else the seconds until the next minute.

    A counter per identity and minute in the shared cache (Redis in
    production): fixed windows, good enough for a per-minute ceiling. When the
    cache is unreachable the call goes ahead (the cache never fails a request).
    """
    if limit <= 0:
        return 0
    minute = int(now.timestamp()) // 60
    counter = cache_keys.api_rate_key(identity, minute)
    cache.add(counter, 0, timeout=90)
    try:
        used = cache.incr(counter)
    except ValueError:  # expired between add and incr, or cache down
        return 0
    if used > limit:
        return max(1, 60 - int(now.timestamp()) % 60)
    return 0


# --- Monthly volume -------------------------------------------------------------


class Quota(StrEnum):
    DELIVERED = "delivered"  # already delivered this month: free
    AVAILABLE = "available"
    EXHAUSTED = "exhausted"


def quota_for(
    licence: Licence, item_id: int, now: datetime, kind: str = "article", pending: int = 0
) -> Quota:
    """``pending``: new full deliveries a channel giving many articles at once
    (digest, press review) has granted before this one and not yet recorded."""
    month = access.month_key(now)
    delivered = Delivery.objects.filter(licence=licence, month=month)
    if delivered.filter(kind=kind, item_id=item_id).exists():
        return Quota.DELIVERED
    if licence.monthly_volume is not None and delivered.count() + pending >= licence.monthly_volume:
        return Quota.EXHAUSTED
    return Quota.AVAILABLE


def seconds_to_next_month(now: datetime) -> int:
    _start, end = month_bounds(access.month_key(now))
    return max(1, int((end - now).total_seconds()))


# --- Usage ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UsageRow:
    key_name: str
    key_prefix: str
    calls: int
    items: int
    full_items: int


@dataclass(frozen=True, slots=True)
class Usage:
    licence: Licence
    month: str
    rows: tuple[UsageRow, ...]
    distinct_full: int

    @property
    def calls(self) -> int:
        return sum(r.calls for r in self.rows)

    @property
    def items(self) -> int:
        return sum(r.items for r in self.rows)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The instants a ``YYYY-MM`` month starts and ends at, in the publication's zone."""
    year, number = (int(part) for part in month.split("-"))
    zone = publication_zone()
    start = datetime(year, number, 1, tzinfo=zone)
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=zone)
    return start, end


def licence_usage(licence: Licence, month: str) -> Usage:
    start, end = month_bounds(month)
    rows = (
        ApiCall.objects.filter(licence=licence, at__gte=start, at__lt=end)
        .values("key__name", "key__prefix")
        .annotate(calls=Count("id"), items=Sum("items"), full_items=Sum("full_items"))
        .order_by("key__name", "key__prefix")
    )
    return Usage(
        licence=licence,
        month=month,
        rows=tuple(
            UsageRow(
                key_name=row["key__name"],
                key_prefix=row["key__prefix"],
                calls=row["calls"],
                items=row["items"] or 0,
                full_items=row["full_items"] or 0,
            )
            for row in rows
        ),
        distinct_full=Delivery.objects.filter(licence=licence, month=month).count(),
    )


# --- The licensee's usage page -----------------------------------------------------

#: How long a signed link to a licensee's usage page stays valid.
USAGE_LINK_MAX_AGE = timedelta(days=92)
_USAGE_LINK_SALT = "lede.syndication.usage-page"


def usage_link_token(licence: Licence) -> str:
    """A signed token naming one licence (Django's signing, with the
    project's secret): whoever holds it sees that licence's usage, nothing else."""
    return signing.TimestampSigner(salt=_USAGE_LINK_SALT).sign_object({"l": licence.pk})


def licence_for_usage_token(token: str) -> Licence | None:
    """The licence a signed link names; None when forged, expired or gone."""
    if not token or len(token) > 300:
        return None
    try:
        data = signing.TimestampSigner(salt=_USAGE_LINK_SALT).unsign_object(
            token, max_age=USAGE_LINK_MAX_AGE
        )
    except signing.BadSignature:
        return None
    licence_id = data.get("l") if isinstance(data, dict) else None
    if not isinstance(licence_id, int):
        return None
    return Licence.objects.select_related("organisation").filter(pk=licence_id).first()


def recent_months(now: datetime, count: int = 12) -> list[str]:
    """``count`` months (``YYYY-MM``), this one first, in the publication's zone."""
    here = now.astimezone(publication_zone())
    year, month = here.year, here.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


def client_for_digest(licence: Licence, now: datetime) -> Client | None:
    """The licence as the e-mail digest's reader: its sections, languages,
    full text and agency copy; None when it is not active or has no digest."""
    if not licence.channel_digest:
        return None
    return client_for_licence(licence, now)


def client_for_press_review(licence: Licence, now: datetime) -> Client | None:
    """The licence as the press review's reader; None when it is not active
    or has no press-review channel."""
    if not licence.channel_press_review:
        return None
    return client_for_licence(licence, now)


def client_for_licence(licence: Licence, now: datetime) -> Client | None:
    """The licence as a reader of a channel without keys (digest, press
    review): its sections, languages, full text and agency copy."""
    if not licence.is_active(now):
        return None
    chosen = list(licence.sections.all())
    return Client(
        licence=licence,
        section_ids=_with_descendants(chosen) if chosen else None,
        languages=licence.language_set(),
        full_text=licence.full_text,
        agency_copy=licence.agency_copy,
    )
