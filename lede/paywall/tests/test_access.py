"""Tests for the pure paywall decision. No database: run with ``pytest -p no:django``."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lede.paywall.access import (
    DEFAULT_ANONYMOUS_LIMIT,
    DEFAULT_REGISTERED_LIMIT,
    DENIED_REASONS,
    Access,
    ArticleAccess,
    Entitlement,
    EntitlementKind,
    Level,
    MeterState,
    Reader,
    Reason,
    decide,
    default_meter_limit,
    month_key,
)


@pytest.fixture(autouse=True)
def _media_root() -> None:
    """Override the project's autouse fixture, which needs pytest-django's ``settings``.

    These tests touch no Django machinery, so they run with ``-p no:django`` as well.
    """


NOW = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
CASABLANCA = ZoneInfo("Africa/Casablanca")

# Section tree used by the section tests: 1 "Économie" > 2 "Finance" > 3 "Bourse"; 9 "Sport".
BOURSE = frozenset({3, 2, 1})
SPORT = frozenset({9})

ANON = Reader.anonymous()
MEMBER = Reader(is_authenticated=True)
STAFF = Reader(is_authenticated=True, is_staff=True)


def ent(
    kind: str = "subscription",
    *,
    start: datetime = NOW - 30 * DAY,
    end: datetime | None = NOW + 30 * DAY,
    sections: frozenset[int] | None = None,
) -> Entitlement:
    return Entitlement(EntitlementKind(kind), start, end, sections)


def member_with(*entitlements: Entitlement) -> Reader:
    return Reader(is_authenticated=True, entitlements=entitlements)


def art(
    level: Level,
    *,
    metered: bool = False,
    article_id: int = 42,
    sections: frozenset[int] = BOURSE,
) -> ArticleAccess:
    return ArticleAccess(article_id, level, metered, sections)


def meter(limit: int = 2, used: tuple[int, ...] = ()) -> MeterState:
    return MeterState(limit, frozenset(used))


# --------------------------------------------------------------------------- table tests

SUBSCRIBER = member_with(ent("subscription"))
COMPLIMENTARY = member_with(ent("complimentary"))
GROUP_MEMBER = member_with(ent("group"))
EXPIRED = member_with(ent("subscription", start=NOW - 60 * DAY, end=NOW - 30 * DAY))
SPORT_ONLY = member_with(ent("subscription", sections=SPORT))

# (id, reader, article, meter, expected Access)
TABLE: list[tuple[str, Reader, ArticleAccess, MeterState, Access]] = [
    # staff
    ("staff-subscribers", STAFF, art(Level.SUBSCRIBERS), meter(0), Access(True, Reason.STAFF)),
    ("staff-public", STAFF, art(Level.PUBLIC), meter(), Access(True, Reason.STAFF)),
    (
        "staff-metered-no-count",
        STAFF,
        art(Level.SUBSCRIBERS, metered=True),
        meter(5),
        Access(True, Reason.STAFF),
    ),
    # public
    ("anon-public", ANON, art(Level.PUBLIC), meter(0), Access(True, Reason.PUBLIC)),
    ("member-public", MEMBER, art(Level.PUBLIC), meter(), Access(True, Reason.PUBLIC)),
    (
        "anon-public-metered-no-count",
        ANON,
        art(Level.PUBLIC, metered=True),
        meter(2),
        Access(True, Reason.PUBLIC),
    ),
    # entitlements
    (
        "sub-subscribers",
        SUBSCRIBER,
        art(Level.SUBSCRIBERS),
        meter(),
        Access(True, Reason.SUBSCRIBER),
    ),
    ("sub-registered", SUBSCRIBER, art(Level.REGISTERED), meter(), Access(True, Reason.SUBSCRIBER)),
    (
        "sub-metered-no-count",
        SUBSCRIBER,
        art(Level.SUBSCRIBERS, metered=True),
        meter(5),
        Access(True, Reason.SUBSCRIBER),
    ),
    (
        "comp-subscribers",
        COMPLIMENTARY,
        art(Level.SUBSCRIBERS),
        meter(),
        Access(True, Reason.SUBSCRIBER),
    ),
    (
        "group-subscribers",
        GROUP_MEMBER,
        art(Level.SUBSCRIBERS),
        meter(),
        Access(True, Reason.GROUP),
    ),
    ("group-registered", GROUP_MEMBER, art(Level.REGISTERED), meter(), Access(True, Reason.GROUP)),
    (
        "expired-subscribers",
        EXPIRED,
        art(Level.SUBSCRIBERS),
        meter(),
        Access(False, Reason.NEEDS_SUBSCRIPTION),
    ),
    (
        "expired-registered",
        EXPIRED,
        art(Level.REGISTERED),
        meter(),
        Access(True, Reason.REGISTERED),
    ),
    # registered level
    ("member-registered", MEMBER, art(Level.REGISTERED), meter(0), Access(True, Reason.REGISTERED)),
    (
        "member-registered-metered-no-count",
        MEMBER,
        art(Level.REGISTERED, metered=True),
        meter(5),
        Access(True, Reason.REGISTERED),
    ),
    ("anon-registered", ANON, art(Level.REGISTERED), meter(2), Access(False, Reason.NEEDS_ACCOUNT)),
    (
        "anon-registered-metered",
        ANON,
        art(Level.REGISTERED, metered=True),
        meter(2),
        Access(True, Reason.METERED, counts_against_meter=True, remaining=1),
    ),
    (
        "anon-registered-metered-reread",
        ANON,
        art(Level.REGISTERED, metered=True),
        meter(2, (42, 7)),
        Access(True, Reason.METERED_REREAD, remaining=0),
    ),
    (
        "anon-registered-metered-exhausted",
        ANON,
        art(Level.REGISTERED, metered=True),
        meter(2, (6, 7)),
        Access(False, Reason.NEEDS_ACCOUNT, remaining=0),
    ),
    # subscribers level, metered
    (
        "anon-subscribers-metered-first",
        ANON,
        art(Level.SUBSCRIBERS, metered=True),
        meter(2),
        Access(True, Reason.METERED, counts_against_meter=True, remaining=1),
    ),
    (
        "anon-subscribers-metered-last",
        ANON,
        art(Level.SUBSCRIBERS, metered=True),
        meter(2, (7,)),
        Access(True, Reason.METERED, counts_against_meter=True, remaining=0),
    ),
    (
        "anon-subscribers-metered-exhausted",
        ANON,
        art(Level.SUBSCRIBERS, metered=True),
        meter(2, (6, 7)),
        Access(False, Reason.METER_EXHAUSTED, remaining=0),
    ),
    (
        "anon-subscribers-metered-reread-when-exhausted",
        ANON,
        art(Level.SUBSCRIBERS, metered=True),
        meter(2, (42, 7)),
        Access(True, Reason.METERED_REREAD, remaining=0),
    ),
    (
        "member-subscribers-metered",
        MEMBER,
        art(Level.SUBSCRIBERS, metered=True),
        meter(5, (1, 2)),
        Access(True, Reason.METERED, counts_against_meter=True, remaining=2),
    ),
    (
        "member-subscribers-metered-reread",
        MEMBER,
        art(Level.SUBSCRIBERS, metered=True),
        meter(5, (42,)),
        Access(True, Reason.METERED_REREAD, remaining=4),
    ),
    (
        "member-subscribers-metered-exhausted",
        MEMBER,
        art(Level.SUBSCRIBERS, metered=True),
        meter(5, (1, 2, 3, 4, 5)),
        Access(False, Reason.METER_EXHAUSTED, remaining=0),
    ),
    (
        "over-used-meter-never-negative",
        MEMBER,
        art(Level.SUBSCRIBERS, metered=True),
        meter(2, (1, 2, 3, 4, 5)),
        Access(False, Reason.METER_EXHAUSTED, remaining=0),
    ),
    (
        "zero-limit",
        ANON,
        art(Level.SUBSCRIBERS, metered=True),
        meter(0),
        Access(False, Reason.METER_EXHAUSTED, remaining=0),
    ),
    # subscribers level, not metered
    (
        "anon-subscribers",
        ANON,
        art(Level.SUBSCRIBERS),
        meter(2),
        Access(False, Reason.NEEDS_SUBSCRIPTION),
    ),
    (
        "member-subscribers",
        MEMBER,
        art(Level.SUBSCRIBERS),
        meter(5),
        Access(False, Reason.NEEDS_SUBSCRIPTION),
    ),
    (
        "member-subscribers-already-used-id-not-metered",
        MEMBER,
        art(Level.SUBSCRIBERS),
        meter(5, (42,)),
        Access(False, Reason.NEEDS_SUBSCRIPTION),
    ),
    # sections
    (
        "sport-only-on-bourse",
        SPORT_ONLY,
        art(Level.SUBSCRIBERS),
        meter(),
        Access(False, Reason.NEEDS_SUBSCRIPTION),
    ),
    (
        "sport-only-on-bourse-metered",
        SPORT_ONLY,
        art(Level.SUBSCRIBERS, metered=True),
        meter(5),
        Access(True, Reason.METERED, counts_against_meter=True, remaining=4),
    ),
    (
        "sport-only-on-sport",
        SPORT_ONLY,
        art(Level.SUBSCRIBERS, sections=SPORT),
        meter(),
        Access(True, Reason.SUBSCRIBER),
    ),
]


@pytest.mark.parametrize(
    ("reader", "article", "meter_state", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in TABLE],
)
def test_decision_table(
    reader: Reader, article: ArticleAccess, meter_state: MeterState, expected: Access
) -> None:
    assert decide(reader, article, meter_state, NOW) == expected


def test_table_covers_every_reason() -> None:
    assert {row[4].reason for row in TABLE} == set(Reason)


def test_reason_values() -> None:
    assert {r.value for r in Reason} == {
        "public",
        "staff",
        "subscriber",
        "group",
        "registered",
        "metered",
        "metered_reread",
        "meter_exhausted",
        "needs_account",
        "needs_subscription",
    }
    assert DENIED_REASONS == {
        Reason.METER_EXHAUSTED,
        Reason.NEEDS_ACCOUNT,
        Reason.NEEDS_SUBSCRIPTION,
    }


def test_subscription_wins_over_group_whatever_the_order() -> None:
    article = art(Level.SUBSCRIBERS)
    for reader in (
        member_with(ent("group"), ent("subscription")),
        member_with(ent("subscription"), ent("group")),
    ):
        assert decide(reader, article, meter(), NOW).reason is Reason.SUBSCRIBER


def test_inactive_subscription_does_not_hide_active_group() -> None:
    reader = member_with(ent("subscription", end=NOW - DAY), ent("group"))
    assert decide(reader, art(Level.SUBSCRIBERS), meter(), NOW) == Access(True, Reason.GROUP)


def test_string_values_are_accepted_and_coerced() -> None:
    entitlement = Entitlement("group", NOW, None, {1, 2})  # type: ignore[arg-type]
    assert entitlement.kind is EntitlementKind.GROUP
    assert entitlement.section_ids == frozenset({1, 2})
    article = ArticleAccess(1, "subscribers", True, {1})  # type: ignore[arg-type]
    assert article.level is Level.SUBSCRIBERS
    assert article.section_ids == frozenset({1})
    assert MeterState(2, {1}).used == frozenset({1})  # type: ignore[arg-type]
    reader = Reader(True, False, [entitlement])  # type: ignore[arg-type]
    assert reader.entitlements == (entitlement,)


# ------------------------------------------------------------------ entitlement boundaries

START = datetime(2025, 3, 1, 0, 0, tzinfo=CASABLANCA)
END = datetime(2025, 4, 1, 0, 0, tzinfo=CASABLANCA)
TICK = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("now", "active"),
    [
        pytest.param(START - TICK, False, id="just-before-start"),
        pytest.param(START, True, id="at-start-inclusive"),
        pytest.param(START + TICK, True, id="just-after-start"),
        pytest.param(END - TICK, True, id="just-before-end"),
        pytest.param(END, False, id="at-end-exclusive"),
        pytest.param(END + TICK, False, id="after-end"),
        pytest.param(START.astimezone(UTC), True, id="start-same-instant-other-zone"),
        pytest.param(END.astimezone(UTC), False, id="end-same-instant-other-zone"),
    ],
)
def test_entitlement_window(now: datetime, active: bool) -> None:
    entitlement = ent(start=START, end=END)
    assert entitlement.is_active(now) is active
    access = decide(member_with(entitlement), art(Level.SUBSCRIBERS), meter(), now)
    assert access.allowed is active
    assert access.reason is (Reason.SUBSCRIBER if active else Reason.NEEDS_SUBSCRIPTION)


@pytest.mark.parametrize(
    ("now", "active"),
    [
        pytest.param(START - TICK, False, id="before-start"),
        pytest.param(START, True, id="at-start"),
        pytest.param(START + 36500 * DAY, True, id="far-future"),
    ],
)
def test_open_ended_entitlement(now: datetime, active: bool) -> None:
    assert ent(start=START, end=None).is_active(now) is active


@pytest.mark.parametrize(
    "end", [pytest.param(START, id="empty"), pytest.param(START - DAY, id="reversed")]
)
def test_empty_or_reversed_window_is_never_active(end: datetime) -> None:
    entitlement = ent(start=START, end=end)
    for now in (START - DAY, START, START + TICK, START + DAY):
        assert not entitlement.is_active(now)


# ------------------------------------------------------------------------------- sections


@pytest.mark.parametrize(
    ("sections", "article_sections", "covered"),
    [
        pytest.param(None, BOURSE, True, id="all-sections"),
        pytest.param(None, frozenset(), True, id="all-sections-unsectioned-article"),
        pytest.param(frozenset({3}), BOURSE, True, id="own-section"),
        pytest.param(frozenset({1}), BOURSE, True, id="ancestor-section"),
        pytest.param(frozenset({2, 9}), BOURSE, True, id="one-of-several"),
        pytest.param(SPORT, BOURSE, False, id="other-section"),
        pytest.param(frozenset({3}), frozenset({2, 1}), False, id="child-does-not-cover-parent"),
        pytest.param(frozenset(), BOURSE, False, id="empty-set-covers-nothing"),
        pytest.param(frozenset({3}), frozenset(), False, id="unsectioned-article"),
    ],
)
def test_section_restricted_entitlement(
    sections: frozenset[int] | None, article_sections: frozenset[int], covered: bool
) -> None:
    entitlement = ent("group", sections=sections)
    assert entitlement.covers(article_sections) is covered
    for level in (Level.REGISTERED, Level.SUBSCRIBERS):
        access = decide(
            member_with(entitlement), art(level, sections=article_sections), meter(), NOW
        )
        assert (access.reason is Reason.GROUP) is covered


def test_section_entitlement_must_be_active_too() -> None:
    reader = member_with(ent(sections=frozenset({1}), end=NOW))
    assert decide(reader, art(Level.SUBSCRIBERS), meter(), NOW).reason is (
        Reason.NEEDS_SUBSCRIPTION
    )


# ----------------------------------------------------------------------------- validation


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(MEMBER, art(Level.PUBLIC), meter(), datetime(2025, 3, 15, 12, 0))


def test_naive_now_is_rejected_even_for_staff() -> None:
    with pytest.raises(ValueError):
        decide(STAFF, art(Level.PUBLIC), meter(), datetime(2025, 3, 15))


def test_naive_entitlement_dates_are_rejected() -> None:
    naive = datetime(2025, 3, 1)
    with pytest.raises(ValueError):
        ent(start=naive)
    with pytest.raises(ValueError):
        ent(end=naive)


def test_unknown_entitlement_kind_is_rejected() -> None:
    with pytest.raises(ValueError):
        Entitlement("gift", NOW)  # type: ignore[arg-type]


def test_negative_meter_limit_is_rejected() -> None:
    with pytest.raises(ValueError):
        MeterState(-1)


def test_anonymous_reader_cannot_be_staff_or_personally_entitled() -> None:
    with pytest.raises(ValueError):
        Reader(is_authenticated=False, is_staff=True)
    with pytest.raises(ValueError):
        Reader(is_authenticated=False, entitlements=(ent(),))


def test_anonymous_reader_on_an_organisation_network_reads_as_group() -> None:
    group = ent(kind=EntitlementKind.GROUP)
    reader = Reader(is_authenticated=False, entitlements=(group,))
    article = ArticleAccess(article_id=1, level=Level.SUBSCRIBERS, section_ids=frozenset({1}))
    access = decide(reader, article, MeterState(limit=0), NOW)
    assert access == Access(True, Reason.GROUP)


def test_value_objects_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        MEMBER.is_staff = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        meter().limit = 99  # type: ignore[misc]


def test_default_limits() -> None:
    assert DEFAULT_ANONYMOUS_LIMIT == 2
    assert DEFAULT_REGISTERED_LIMIT == 5
    assert default_meter_limit(ANON) == 2
    assert default_meter_limit(MEMBER) == 5
    assert MeterState.for_reader(ANON) == MeterState(2, frozenset())
    assert MeterState.for_reader(MEMBER, frozenset({1})) == MeterState(5, frozenset({1}))
    assert MeterState(2, frozenset({1, 2, 3})).remaining == 0


def test_meter_walkthrough_for_an_anonymous_reader() -> None:
    """Three metered articles in a month with the default anonymous limit of two."""
    state = MeterState.for_reader(ANON)
    seen: list[Access] = []
    for article_id in (10, 11, 10, 12):
        access = decide(
            ANON, art(Level.SUBSCRIBERS, metered=True, article_id=article_id), state, NOW
        )
        seen.append(access)
        if access.counts_against_meter:
            state = dataclasses.replace(state, used=state.used | {article_id})
    assert [(a.reason, a.remaining) for a in seen] == [
        (Reason.METERED, 1),
        (Reason.METERED, 0),
        (Reason.METERED_REREAD, 0),
        (Reason.METER_EXHAUSTED, 0),
    ]
    assert state.used == {10, 11}


# ------------------------------------------------------------------------------ month_key


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(datetime(2025, 3, 15, 12, tzinfo=UTC), "2025-03", id="mid-month"),
        # Casablanca is UTC+1 outside Ramadan: 23:30 UTC on Jan 31 is already February there.
        pytest.param(datetime(2024, 1, 31, 23, 30, tzinfo=UTC), "2024-02", id="utc-late"),
        pytest.param(datetime(2024, 1, 31, 22, 59, tzinfo=UTC), "2024-01", id="utc-before"),
        pytest.param(datetime(2024, 12, 31, 23, 0, tzinfo=UTC), "2025-01", id="new-year"),
        pytest.param(
            datetime(2025, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=5))),
            "2024-12",
            id="ahead-zone-back-to-december",
        ),
        pytest.param(datetime(2025, 6, 1, 0, 0, tzinfo=CASABLANCA), "2025-06", id="local-start"),
    ],
)
def test_month_key_casablanca(now: datetime, expected: str) -> None:
    assert month_key(now, CASABLANCA) == expected


def test_month_key_honours_tz() -> None:
    # Without ``tz`` the month follows settings.TIME_ZONE: see test_access_zone.py.
    now = datetime(2024, 1, 31, 23, 30, tzinfo=UTC)
    assert month_key(now, CASABLANCA) == "2024-02"
    assert month_key(now, ZoneInfo("UTC")) == "2024-01"
    assert month_key(datetime(999, 5, 2, tzinfo=UTC), ZoneInfo("UTC")) == "0999-05"


def test_month_key_rejects_naive() -> None:
    with pytest.raises(ValueError):
        month_key(datetime(2025, 3, 1), CASABLANCA)


# ------------------------------------------------------------------------ property tests

PROPERTIES = settings(max_examples=300, deadline=None, database=None)

ZONES = st.sampled_from(
    [
        UTC,
        CASABLANCA,
        ZoneInfo("Europe/Paris"),
        ZoneInfo("America/New_York"),
        ZoneInfo("Asia/Tokyo"),
    ]
)
times = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=ZONES,
)
section_sets = st.frozensets(st.integers(1, 6), max_size=4)
article_ids = st.integers(1, 12)


@st.composite
def entitlements(draw: st.DrawFn) -> Entitlement:
    starts_at = draw(times)
    ends_at = draw(
        st.none()
        | st.builds(
            lambda t, d: t + d,
            st.just(starts_at),
            st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=800)),
        )
    )
    return Entitlement(
        draw(st.sampled_from(EntitlementKind)),
        starts_at,
        ends_at,
        draw(st.none() | section_sets),
    )


@st.composite
def readers(draw: st.DrawFn) -> Reader:
    if not draw(st.booleans()):
        return Reader.anonymous()
    return Reader(
        is_authenticated=True,
        is_staff=draw(st.booleans()),
        entitlements=tuple(draw(st.lists(entitlements(), max_size=3))),
    )


articles = st.builds(
    ArticleAccess,
    article_id=article_ids,
    level=st.sampled_from(Level),
    metered=st.booleans(),
    section_ids=section_sets,
)
meters = st.builds(
    MeterState,
    limit=st.integers(0, 6),
    used=st.frozensets(article_ids, max_size=8),
)


@PROPERTIES
@given(readers(), articles, meters, times)
def test_prop_reason_and_allowed_agree(
    reader: Reader, article: ArticleAccess, state: MeterState, now: datetime
) -> None:
    access = decide(reader, article, state, now)
    assert access.allowed is (access.reason not in DENIED_REASONS)


@PROPERTIES
@given(readers(), articles, meters, times)
def test_prop_meter_accounting(
    reader: Reader, article: ArticleAccess, state: MeterState, now: datetime
) -> None:
    access = decide(reader, article, state, now)
    if access.counts_against_meter:
        assert access.allowed
        assert access.reason is Reason.METERED
        assert article.metered
        assert article.article_id not in state.used
        assert len(state.used) < state.limit
        assert access.remaining == state.limit - len(state.used) - 1
    if article.article_id in state.used:
        assert not access.counts_against_meter
    if access.remaining is None:
        assert access.reason not in {
            Reason.METERED,
            Reason.METERED_REREAD,
            Reason.METER_EXHAUSTED,
        }
    else:
        assert article.metered
        assert access.remaining >= 0
        expected = state.limit - len(state.used) - (1 if access.counts_against_meter else 0)
        assert access.remaining == max(0, expected)
    if access.reason is Reason.METERED_REREAD:
        assert article.article_id in state.used


@PROPERTIES
@given(readers(), articles, meters, times)
def test_prop_deterministic(
    reader: Reader, article: ArticleAccess, state: MeterState, now: datetime
) -> None:
    first = decide(reader, article, state, now)
    assert decide(reader, article, state, now) == first
    # The same instant expressed in another zone gives the same decision.
    assert decide(reader, article, state, now.astimezone(UTC)) == first
    assert decide(reader, article, state, now.astimezone(CASABLANCA)) == first


@PROPERTIES
@given(st.lists(entitlements(), max_size=3), articles, meters, times)
def test_prop_staff_always_allowed(
    ents: list[Entitlement], article: ArticleAccess, state: MeterState, now: datetime
) -> None:
    reader = Reader(is_authenticated=True, is_staff=True, entitlements=tuple(ents))
    assert decide(reader, article, state, now) == Access(True, Reason.STAFF)


@PROPERTIES
@given(readers(), articles, meters, times)
def test_prop_public_always_allowed(
    reader: Reader, article: ArticleAccess, state: MeterState, now: datetime
) -> None:
    public = dataclasses.replace(article, level=Level.PUBLIC)
    access = decide(reader, public, state, now)
    assert access.allowed
    assert not access.counts_against_meter
    assert access.reason in {Reason.PUBLIC, Reason.STAFF}


@PROPERTIES
@given(
    st.lists(entitlements(), max_size=2),
    st.sampled_from(EntitlementKind),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
    st.none() | st.timedeltas(min_value=TICK, max_value=timedelta(days=400)),
    articles,
    meters,
    times,
)
def test_prop_active_all_sections_entitlement_always_allowed(
    others: list[Entitlement],
    kind: EntitlementKind,
    since: timedelta,
    until: timedelta | None,
    article: ArticleAccess,
    state: MeterState,
    now: datetime,
) -> None:
    active = Entitlement(kind, now - since, None if until is None else now + until, None)
    assert active.is_active(now)
    reader = Reader(is_authenticated=True, entitlements=(*others, active))
    access = decide(reader, article, state, now)
    assert access.allowed
    assert not access.counts_against_meter
    if article.level is not Level.PUBLIC:
        assert access.reason in {Reason.SUBSCRIBER, Reason.GROUP}
        if kind is not EntitlementKind.GROUP:
            assert access.reason is Reason.SUBSCRIBER


@PROPERTIES
@given(articles, meters, times)
def test_prop_anonymous_never_reads_unmetered_subscribers_article(
    article: ArticleAccess, state: MeterState, now: datetime
) -> None:
    locked = dataclasses.replace(article, level=Level.SUBSCRIBERS, metered=False)
    assert decide(Reader.anonymous(), locked, state, now) == Access(
        False, Reason.NEEDS_SUBSCRIPTION
    )


@PROPERTIES
@given(articles, meters, times)
def test_prop_anonymous_reasons(article: ArticleAccess, state: MeterState, now: datetime) -> None:
    access = decide(Reader.anonymous(), article, state, now)
    assert access.reason not in {
        Reason.STAFF,
        Reason.SUBSCRIBER,
        Reason.GROUP,
        Reason.REGISTERED,
    }


@PROPERTIES
@given(readers(), articles, meters, times)
def test_prop_signed_in_never_needs_account(
    reader: Reader, article: ArticleAccess, state: MeterState, now: datetime
) -> None:
    access = decide(reader, article, state, now)
    if reader.is_authenticated:
        assert access.reason is not Reason.NEEDS_ACCOUNT
        if article.level is not Level.SUBSCRIBERS:
            assert access.allowed


@PROPERTIES
@given(readers(), articles, meters, times)
def test_prop_rereading_counted_article_is_free(
    reader: Reader, article: ArticleAccess, state: MeterState, now: datetime
) -> None:
    seen = dataclasses.replace(state, used=state.used | {article.article_id})
    before = decide(reader, article, state, now)
    after = decide(reader, article, seen, now)
    assert not after.counts_against_meter
    # Once an article has been counted, reading it again is never refused by the meter.
    if before.counts_against_meter:
        assert after.allowed
        assert after.reason is Reason.METERED_REREAD
        assert after.remaining == before.remaining


@PROPERTIES
@given(readers(), entitlements(), articles, meters, times)
def test_prop_more_entitlements_never_lose_access(
    reader: Reader,
    extra: Entitlement,
    article: ArticleAccess,
    state: MeterState,
    now: datetime,
) -> None:
    if not reader.is_authenticated:
        reader = Reader(is_authenticated=True)
    richer = dataclasses.replace(reader, entitlements=(*reader.entitlements, extra))
    if decide(reader, article, state, now).allowed:
        assert decide(richer, article, state, now).allowed


@PROPERTIES
@given(readers(), articles, meters, times)
def test_prop_naive_now_always_rejected(
    reader: Reader, article: ArticleAccess, state: MeterState, now: datetime
) -> None:
    with pytest.raises(ValueError):
        decide(reader, article, state, now.replace(tzinfo=None))


@PROPERTIES
@given(times)
def test_prop_month_key_matches_local_calendar(now: datetime) -> None:
    local = now.astimezone(CASABLANCA)
    key = month_key(now, CASABLANCA)
    assert key == local.strftime("%Y-%m")
    assert len(key) == 7
