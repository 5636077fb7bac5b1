"""The paywall decision: who may read which article, and what it costs them.

Everything here is pure: no ORM, no I/O, no clock reads. The caller gathers the facts
(the reader, the article's access settings, the reader's meter for the current calendar
month and the current instant) and :func:`decide` returns an :class:`Access`. The caller
is then responsible for recording a meter unit when ``counts_against_meter`` is true.

Order of the rules (first match wins):

1. staff → allowed (``staff``);
2. public article → allowed (``public``);
3. an *active* entitlement covering one of the article's sections → allowed
   (``subscriber`` for subscriptions and complimentary access, ``group`` for group
   access); this unlocks both ``registered`` and ``subscribers`` articles;
4. ``registered`` article: any signed-in reader → allowed (``registered``); an anonymous
   reader may use the meter if the article is metered, else ``needs_account`` (also when
   the meter is exhausted: creating an account is the way forward);
5. ``subscribers`` article: metered → the meter decides (``metered``,
   ``metered_reread`` or ``meter_exhausted``); not metered → ``needs_subscription``
   (for anonymous readers the UI also offers to sign in).

Re-reading an article already counted this month is reported with its own reason,
``metered_reread``, so the UI can tell "this one is free, you already opened it" apart
from "this used one of your free articles". It never consumes a meter unit.

``Access.remaining`` is an ``int`` whenever the meter was consulted (``metered``,
``metered_reread``, ``meter_exhausted``, and ``needs_account`` given to an anonymous
reader on an exhausted metered article) and ``None`` otherwise. It is the number of free
articles left *after* this read and is never negative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum

from lede.core.dates import publication_zone

__all__ = [
    "DEFAULT_ANONYMOUS_LIMIT",
    "DEFAULT_REGISTERED_LIMIT",
    "DENIED_REASONS",
    "Access",
    "ArticleAccess",
    "Entitlement",
    "EntitlementKind",
    "Level",
    "MeterState",
    "Reader",
    "Reason",
    "decide",
    "default_meter_limit",
    "month_key",
]

#: Free metered articles per calendar month for readers without an account.
DEFAULT_ANONYMOUS_LIMIT = 2
#: Free metered articles per calendar month for signed-in readers without entitlement.
DEFAULT_REGISTERED_LIMIT = 5


class Level(StrEnum):
    PUBLIC = "public"
    REGISTERED = "registered"
    SUBSCRIBERS = "subscribers"


class Reason(StrEnum):
    PUBLIC = "public"
    STAFF = "staff"
    SUBSCRIBER = "subscriber"
    GROUP = "group"
    #: A signed-in reader without entitlement reading a registered-level article.
    REGISTERED = "registered"
    #: Allowed by spending one free metered read.
    METERED = "metered"
    #: Allowed because the article was already counted this month; costs nothing.
    METERED_REREAD = "metered_reread"
    METER_EXHAUSTED = "meter_exhausted"
    NEEDS_ACCOUNT = "needs_account"
    NEEDS_SUBSCRIPTION = "needs_subscription"


#: The reasons that come with ``allowed=False``; every other reason means allowed.
DENIED_REASONS: frozenset[Reason] = frozenset(
    {Reason.METER_EXHAUSTED, Reason.NEEDS_ACCOUNT, Reason.NEEDS_SUBSCRIPTION}
)


class EntitlementKind(StrEnum):
    SUBSCRIPTION = "subscription"
    COMPLIMENTARY = "complimentary"
    GROUP = "group"


def _is_aware(value: datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() is not None


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if not _is_aware(value):
        raise ValueError(f"{name} must be a timezone-aware datetime")


@dataclass(frozen=True, slots=True)
class Entitlement:
    """A right to read paid content during ``[starts_at, ends_at)``.

    ``ends_at=None`` means open-ended. ``section_ids=None`` covers every section; a set
    covers an article when it shares at least one id with the article's section ids (the
    article's own section and its ancestors), so an entitlement to a parent section covers
    its sub-sections. An empty set covers nothing, and a window with
    ``ends_at <= starts_at`` is never active.
    """

    kind: EntitlementKind
    starts_at: datetime
    ends_at: datetime | None = None
    section_ids: frozenset[int] | None = None
    #: For a group entitlement, the organisation holding the licence (what the
    #: header names); not part of the decision.
    organisation_id: int | None = None

    def __post_init__(self) -> None:
        # Accept the plain string stored in the database ("group", ...), reject unknown ones.
        object.__setattr__(self, "kind", EntitlementKind(self.kind))
        _require_aware(self.starts_at, "starts_at")
        if self.ends_at is not None:
            _require_aware(self.ends_at, "ends_at")
        if self.section_ids is not None and not isinstance(self.section_ids, frozenset):
            object.__setattr__(self, "section_ids", frozenset(self.section_ids))

    def is_active(self, now: datetime) -> bool:
        """Start inclusive, end exclusive."""
        _require_aware(now, "now")
        if now < self.starts_at:
            return False
        return self.ends_at is None or now < self.ends_at

    def covers(self, article_section_ids: frozenset[int]) -> bool:
        if self.section_ids is None:
            return True
        return not self.section_ids.isdisjoint(article_section_ids)


@dataclass(frozen=True, slots=True)
class Reader:
    """What the paywall knows about the person asking.

    An anonymous reader can be neither staff nor hold a personal entitlement (a
    subscription or complimentary access): such a reader is a caller bug and is rejected
    at construction rather than silently let through. An anonymous reader *may* hold a
    group entitlement: an organisation's licence recognised by its network address
    (reading from the organisation's intranet needs no personal account).
    """

    is_authenticated: bool
    is_staff: bool = False
    entitlements: tuple[Entitlement, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.entitlements, tuple):
            object.__setattr__(self, "entitlements", tuple(self.entitlements))
        if not self.is_authenticated and (
            self.is_staff or any(e.kind is not EntitlementKind.GROUP for e in self.entitlements)
        ):
            raise ValueError("an anonymous reader cannot be staff or hold a personal entitlement")

    @classmethod
    def anonymous(cls) -> Reader:
        return cls(is_authenticated=False)


@dataclass(frozen=True, slots=True)
class ArticleAccess:
    """The access settings of one article.

    ``section_ids`` holds the article's section and all its ancestors (and
    their counterparts in the other edition: an offer bought in one edition
    unlocks both). ``meter_id`` is what a metered read spends: the same for
    both halves of a paired article, so reading both costs one article
    (0: the article's own id).
    """

    article_id: int
    level: Level
    metered: bool = False
    section_ids: frozenset[int] = field(default_factory=frozenset)
    meter_id: int = 0

    @property
    def meter_unit(self) -> int:
        return self.meter_id or self.article_id

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", Level(self.level))
        if not isinstance(self.section_ids, frozenset):
            object.__setattr__(self, "section_ids", frozenset(self.section_ids))


def default_meter_limit(reader: Reader) -> int:
    return DEFAULT_REGISTERED_LIMIT if reader.is_authenticated else DEFAULT_ANONYMOUS_LIMIT


@dataclass(frozen=True, slots=True)
class MeterState:
    """A reader's meter for the current calendar month (see :func:`month_key`).

    ``used`` holds the ids of the articles already counted this month. It may hold more
    ids than ``limit`` (e.g. after the limit was lowered); the meter is then exhausted,
    never negative.
    """

    limit: int
    used: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.limit < 0:
            raise ValueError("the meter limit cannot be negative")
        if not isinstance(self.used, frozenset):
            object.__setattr__(self, "used", frozenset(self.used))

    @classmethod
    def for_reader(cls, reader: Reader, used: frozenset[int] = frozenset()) -> MeterState:
        return cls(limit=default_meter_limit(reader), used=used)

    @property
    def remaining(self) -> int:
        return max(0, self.limit - len(self.used))


@dataclass(frozen=True, slots=True)
class Access:
    allowed: bool
    reason: Reason
    #: True only when this read consumes a new meter unit (the caller must record it).
    counts_against_meter: bool = False
    #: Free metered reads left after this one; ``None`` when the meter was not consulted.
    remaining: int | None = None


def month_key(now: datetime, tz: tzinfo | None = None) -> str:
    """The calendar month of ``now``, as ``"YYYY-MM"``: the meter resets at the
    start of each month in the publication's one time zone
    (:func:`lede.core.dates.publication_zone`, i.e. ``settings.TIME_ZONE``) —
    the zone the reader sees dates in and billing counts months in. ``tz`` is
    for tests only."""
    _require_aware(now, "now")
    local = now.astimezone(tz or publication_zone())
    return f"{local.year:04d}-{local.month:02d}"


def _entitlement_reason(reader: Reader, article: ArticleAccess, now: datetime) -> Reason | None:
    """The reason given by the best active entitlement covering the article, if any.

    A subscription or complimentary access wins over a group access so that a reader who
    holds both is told they are a subscriber.
    """
    reason: Reason | None = None
    for entitlement in reader.entitlements:
        if not (entitlement.is_active(now) and entitlement.covers(article.section_ids)):
            continue
        if entitlement.kind is EntitlementKind.GROUP:
            reason = Reason.GROUP
        else:
            return Reason.SUBSCRIBER
    return reason


def _metered(article: ArticleAccess, meter: MeterState, exhausted: Reason) -> Access:
    """Spend (or re-use) a meter unit; ``exhausted`` is the reason when none is left."""
    if article.meter_unit in meter.used:
        return Access(True, Reason.METERED_REREAD, remaining=meter.remaining)
    if len(meter.used) < meter.limit:
        return Access(
            True,
            Reason.METERED,
            counts_against_meter=True,
            remaining=max(0, meter.limit - len(meter.used) - 1),
        )
    return Access(False, exhausted, remaining=0)


def decide(reader: Reader, article: ArticleAccess, meter: MeterState, now: datetime) -> Access:
    """Decide whether ``reader`` may read ``article`` at ``now``. Pure and deterministic."""
    _require_aware(now, "now")

    if reader.is_staff:
        return Access(True, Reason.STAFF)
    if article.level is Level.PUBLIC:
        return Access(True, Reason.PUBLIC)

    entitled = _entitlement_reason(reader, article, now)
    if entitled is not None:
        return Access(True, entitled)

    if article.level is Level.REGISTERED:
        if reader.is_authenticated:
            return Access(True, Reason.REGISTERED)
        if article.metered:
            return _metered(article, meter, exhausted=Reason.NEEDS_ACCOUNT)
        return Access(False, Reason.NEEDS_ACCOUNT)

    # Level.SUBSCRIBERS without an entitlement.
    if article.metered:
        return _metered(article, meter, exhausted=Reason.METER_EXHAUSTED)
    return Access(False, Reason.NEEDS_SUBSCRIPTION)
