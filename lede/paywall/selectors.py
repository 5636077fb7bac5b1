"""Shared reads: who is reading (as the pure decision sees them) and their meter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest

from lede.core.caching import keys
from lede.core.network import client_ip

from . import access
from .models import AccessGrant, MeterRead, Organisation, OrganisationSeat


def _section_ids(sections: Any) -> frozenset[int] | None:
    ids = frozenset(s.pk for s in sections.all())
    return ids or None


def active_organisations(
    now: datetime, cached: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Active group licences, cached (invalidated when an organisation changes).
    ``cached`` is the cache entry when the caller already fetched it (the
    article fast path reads it with its other keys in one round trip)."""
    if cached is None:
        cached = cache.get(keys.ORGANISATIONS_KEY)
    if cached is None:
        cached = []
        for org in Organisation.objects.prefetch_related("sections"):
            cached.append(
                {
                    "id": org.pk,
                    "name": org.name,
                    "starts_at": org.starts_at,
                    "ends_at": org.ends_at,
                    "networks": org.networks(),
                    "domains": org.domains(),
                    "seats": org.seats,
                    "sections": _section_ids(org.sections),
                }
            )
        cache.set(keys.ORGANISATIONS_KEY, cached, timeout=keys.ORGANISATIONS_SECONDS)
    return [
        o for o in cached if o["starts_at"] <= now and (o["ends_at"] is None or now < o["ends_at"])
    ]


def _verified_domains(user: Any) -> set[str]:
    from allauth.account.models import EmailAddress

    emails = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return {e.rsplit("@", 1)[-1].lower() for e in emails}


def _group_entitlement(org: dict[str, Any]) -> access.Entitlement:
    return access.Entitlement(
        kind=access.EntitlementKind.GROUP,
        starts_at=org["starts_at"],
        ends_at=org["ends_at"],
        section_ids=org["sections"],
        organisation_id=org["id"],
    )


def ip_entitlements(request: HttpRequest, orgs: list[dict[str, Any]]) -> list[access.Entitlement]:
    """Group licences recognised by the reader's network address."""
    if not orgs:
        return []  # no licence to recognise: no need to parse the address
    ip = client_ip(request)
    if ip is None:
        return []
    return [
        _group_entitlement(org)
        for org in orgs
        if any(ip.version == net.version and ip in net for net in org["networks"])
    ]


def _personal_profile(user: Any, now: datetime, orgs: list[dict[str, Any]]) -> dict[str, Any]:
    """What the paywall needs to know about a signed-in reader, as plain data
    that the article fast path can keep in the cache (see fastpath.py)."""
    is_staff = bool(
        user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin")
    )
    entitlements: list[access.Entitlement] = []
    if not is_staff:
        grants = (
            AccessGrant.objects.filter(user=user)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            .prefetch_related("sections")
        )
        for grant in grants:
            entitlements.append(
                access.Entitlement(
                    kind=access.EntitlementKind(grant.kind),
                    starts_at=grant.starts_at,
                    ends_at=grant.ends_at,
                    section_ids=_section_ids(grant.sections),
                )
            )
        domain_orgs = [o for o in orgs if o["domains"]]
        if domain_orgs:
            domains = _verified_domains(user)
            for org in domain_orgs:
                if domains.intersection(org["domains"]) and _has_seat(org, user):
                    entitlements.append(_group_entitlement(org))
    return {
        "user_id": user.pk,
        "is_active": bool(user.is_active),
        "is_staff": is_staff,
        "session_hash": user.get_session_auth_hash(),
        "entitlements": tuple(entitlements),
    }


def reader_profile(user: Any, now: datetime, orgs: list[dict[str, Any]]) -> dict[str, Any]:
    """The signed-in reader's profile, from the cache when fresh.

    Invalidated per user when the user, their grants, seats or verified
    addresses change (signals.py), and for everyone when organisations change
    (the generation). Entitlements keep their own start and end dates, so a
    cached profile never extends access past its end: the pure decision checks
    the dates on every request.
    """
    generation = cache.get(keys.READER.key, keys.READER.start)
    key = keys.reader_profile_key(user.pk)
    profile = cache.get(key)
    if (
        isinstance(profile, dict)
        and profile.get("generation") == generation
        and profile.get("session_hash") == user.get_session_auth_hash()
    ):
        return profile
    profile = _personal_profile(user, now, orgs)
    profile["generation"] = generation
    cache.set(key, profile, keys.READER_PROFILE_SECONDS)
    return profile


def reader_from_profile(
    profile: dict[str, Any] | None, ip_grants: list[access.Entitlement]
) -> access.Reader:
    if profile is None:
        return access.Reader(is_authenticated=False, entitlements=tuple(ip_grants))
    if profile["is_staff"]:
        return access.Reader(is_authenticated=True, is_staff=True)
    return access.Reader(is_authenticated=True, entitlements=(*ip_grants, *profile["entitlements"]))


def reader_and_organisations(
    request: HttpRequest, now: datetime
) -> tuple[access.Reader, list[dict[str, Any]]]:
    """The reader as the decision sees them, and the active organisations
    (for ``account_state``)."""
    user = getattr(request, "user", None)
    orgs = active_organisations(now)
    ip_grants = ip_entitlements(request, orgs)
    if user is None or not user.is_authenticated:
        return reader_from_profile(None, ip_grants), orgs
    return reader_from_profile(reader_profile(user, now, orgs), ip_grants), orgs


def reader_for_request(request: HttpRequest, now: datetime) -> access.Reader:
    return reader_and_organisations(request, now)[0]


class AccessKind(StrEnum):
    """What the site's header says of the reader (``AccountState``)."""

    NONE = "none"
    STAFF = "staff"
    PERSONAL = "personal"
    GROUP = "group"


@dataclass(frozen=True, slots=True)
class AccountState:
    """What the header shows of the reader: the same for every reader of one
    kind, never anything of the reader's own (their name or address), so that
    one rendering per kind can be shared (and later cached per kind at the
    edge). ``variant`` names the kind: ``anonymous``, ``registered``,
    ``subscriber``, ``staff``, ``group:<organisation id>`` (signed in) or
    ``anonymous-group:<organisation id>`` (recognised by the network only).
    """

    signed_in: bool
    access: AccessKind = AccessKind.NONE
    organisation_id: int | None = None
    #: Shared by all the organisation's readers: not personal.
    organisation_name: str = ""

    @property
    def has_access(self) -> bool:
        return self.access is not AccessKind.NONE

    @property
    def variant(self) -> str:
        if self.access is AccessKind.GROUP:
            prefix = "group" if self.signed_in else "anonymous-group"
            return f"{prefix}:{self.organisation_id}"
        if self.access is AccessKind.PERSONAL:
            return "subscriber"
        if self.access is AccessKind.STAFF:
            return "staff"
        return "registered" if self.signed_in else "anonymous"


ANONYMOUS_STATE = AccountState(signed_in=False)


def account_state(reader: access.Reader, orgs: list[dict[str, Any]], now: datetime) -> AccountState:
    """The header's account state, from the reader the paywall decision sees
    (``reader_from_profile``) and the active organisations it was built from.

    A personal access (subscription, gift, complimentary) wins over a group
    licence: it is the reader's own, follows them on every network and has a
    page of its own ("Mon abonnement"), whereas a licence recognised by the
    network comes and goes with the reader's location. Among several group
    licences the lowest organisation id wins, so the state is stable."""
    if reader.is_staff:
        return AccountState(signed_in=True, access=AccessKind.STAFF)
    active = [e for e in reader.entitlements if e.is_active(now)]
    if any(e.kind is not access.EntitlementKind.GROUP for e in active):
        return AccountState(signed_in=reader.is_authenticated, access=AccessKind.PERSONAL)
    org_ids = sorted({e.organisation_id for e in active if e.organisation_id is not None})
    if org_ids:
        names = {o["id"]: o.get("name", "") for o in orgs}
        return AccountState(
            signed_in=reader.is_authenticated,
            access=AccessKind.GROUP,
            organisation_id=org_ids[0],
            organisation_name=str(names.get(org_ids[0], "")),
        )
    return AccountState(signed_in=reader.is_authenticated)


def account_state_for_request(request: HttpRequest, now: datetime) -> AccountState:
    """The header's account state for a page rendered outside the article
    roads (listings, account pages): the same cached profile and organisation
    list as ``reader_for_request``."""
    reader, orgs = reader_and_organisations(request, now)
    return account_state(reader, orgs, now)


def _has_seat(org: dict[str, Any], user: Any) -> bool:
    if OrganisationSeat.objects.filter(organisation_id=org["id"], user=user).exists():
        return True
    if org["seats"] is None:
        OrganisationSeat.objects.get_or_create(organisation_id=org["id"], user=user)
        return True
    taken = OrganisationSeat.objects.filter(organisation_id=org["id"]).count()
    if taken < org["seats"]:
        OrganisationSeat.objects.get_or_create(organisation_id=org["id"], user=user)
        return True
    return False


def registered_meter_ids(user_id: int, month: str) -> frozenset[int]:
    """Articles this reader already opened on the meter this month (cached;
    services.meter_record_read forgets the entry when it counts one)."""
    key = keys.meter_reads_key(user_id, month)
    ids = cache.get(key)
    if ids is None:
        ids = frozenset(
            MeterRead.objects.filter(user_id=user_id, month=month).values_list(
                "article_id", flat=True
            )
        )
        cache.set(key, ids, keys.METER_READS_SECONDS)
    return frozenset(ids)


def meter_limit(is_authenticated: bool) -> int:
    if is_authenticated:
        return int(settings.LEDE_METER_REGISTERED)
    return int(settings.LEDE_METER_ANONYMOUS)


def section_ids_for_paths(paths: tuple[str, ...]) -> list[int]:
    """Ids of the section pages at these tree paths (a section and its
    ancestors) and of their counterparts in the other edition (same
    translation_key): an entitlement to a section covers both editions."""
    from lede.editorial.models import SectionPage

    key = keys.section_ids_key(paths)
    ids = cache.get(key)
    if ids is None:
        pairs = SectionPage.objects.filter(path__in=paths).values("translation_key")
        ids = list(
            SectionPage.objects.filter(translation_key__in=pairs).values_list("pk", flat=True)
        )
        cache.set(key, ids, timeout=keys.SECTION_IDS_SECONDS)
    return list(ids)
