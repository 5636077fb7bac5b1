"""Shared reads: who is reading (as the pure decision sees them) and their meter."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest

from . import access
from .models import AccessGrant, MeterRead, Organisation, OrganisationSeat
from .network import client_ip

ORG_CACHE_KEY = "paywall:organisations:v1"


def _section_ids(sections: Any) -> frozenset[int] | None:
    ids = frozenset(s.pk for s in sections.all())
    return ids or None


def active_organisations(now: datetime) -> list[dict[str, Any]]:
    """Active group licences, cached (invalidated when an organisation changes)."""
    cached = cache.get(ORG_CACHE_KEY)
    if cached is None:
        cached = []
        for org in Organisation.objects.prefetch_related("sections"):
            cached.append(
                {
                    "id": org.pk,
                    "starts_at": org.starts_at,
                    "ends_at": org.ends_at,
                    "networks": org.networks(),
                    "domains": org.domains(),
                    "seats": org.seats,
                    "sections": _section_ids(org.sections),
                }
            )
        cache.set(ORG_CACHE_KEY, cached, timeout=300)
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
    )


def reader_for_request(request: HttpRequest, now: datetime) -> access.Reader:
    user = getattr(request, "user", None)
    entitlements: list[access.Entitlement] = []
    orgs = active_organisations(now)
    ip = client_ip(request)
    if ip is not None:
        for org in orgs:
            if any(ip.version == net.version and ip in net for net in org["networks"]):
                entitlements.append(_group_entitlement(org))
    if user is None or not user.is_authenticated:
        return access.Reader(is_authenticated=False, entitlements=tuple(entitlements))
    if user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"):
        return access.Reader(is_authenticated=True, is_staff=True)
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
    return access.Reader(is_authenticated=True, entitlements=tuple(entitlements))


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


def registered_meter_ids(user: Any, month: str) -> frozenset[int]:
    return frozenset(
        MeterRead.objects.filter(user=user, month=month).values_list("article_id", flat=True)
    )


def meter_limit(is_authenticated: bool) -> int:
    if is_authenticated:
        return int(getattr(settings, "LEDE_METER_REGISTERED", access.DEFAULT_REGISTERED_LIMIT))
    return int(getattr(settings, "LEDE_METER_ANONYMOUS", access.DEFAULT_ANONYMOUS_LIMIT))


def section_ids_for_paths(paths: tuple[str, ...]) -> list[int]:
    """Ids of the section pages at these tree paths (a section and its ancestors)."""
    from lede.editorial.models import SectionPage

    key = "paywall:section-ids:" + ",".join(paths)
    ids = cache.get(key)
    if ids is None:
        ids = list(SectionPage.objects.filter(path__in=paths).values_list("pk", flat=True))
        cache.set(key, ids, timeout=600)
    return list(ids)
