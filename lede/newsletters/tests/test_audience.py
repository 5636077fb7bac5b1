"""The subscribers' letter (audience ``entitled``): own grants, staff, and
group licences by e-mail domain as the paywall decides them (a verified
address at the domain, a free seat), never a licence by network address."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from lede.accounts.models import User
from lede.newsletters import selectors
from lede.newsletters.models import Newsletter
from lede.paywall.models import AccessGrant, Organisation

from .helpers import confirmed

pytestmark = pytest.mark.django_db


def _reader(email: str, *, verified: bool = True) -> User:
    user = User.objects.create_user(email, "pw-lecteur-2026")
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def _emails(newsletter: Newsletter) -> list[str]:
    return [s.email for s in selectors.recipients(newsletter, timezone.now())]


def test_entitled_audience_covers_domain_group_licences(lettre_abonnes: Newsletter) -> None:
    now = timezone.now()
    Organisation.objects.create(
        name="Ministère de la Mer",
        starts_at=now - timedelta(days=1),
        email_domains="mer.example.ma",
        ip_ranges="10.0.0.0/8",
        seats=1,
    )
    own = _reader("abonnee@example.ma")
    AccessGrant.objects.create(user=own, kind="complimentary", starts_at=now - timedelta(days=3))
    agent = _reader("agent@mer.example.ma")
    second = _reader("second@mer.example.ma")  # the licence's only seat is taken
    unverified = _reader("nouveau@mer.example.ma", verified=False)
    plain = _reader("lecteur@example.ma")
    for user in (own, agent, second, unverified, plain):
        confirmed(lettre_abonnes, user.email, user=user)
    confirmed(lettre_abonnes, "sans-compte@mer.example.ma")  # no account: nothing

    assert _emails(lettre_abonnes) == ["abonnee@example.ma", "agent@mer.example.ma"]


def test_an_expired_domain_licence_counts_no_more(lettre_abonnes: Newsletter) -> None:
    now = timezone.now()
    Organisation.objects.create(
        name="Office ancien",
        starts_at=now - timedelta(days=30),
        ends_at=now - timedelta(days=1),
        email_domains="ancien.example.ma",
    )
    user: Any = _reader("agent@ancien.example.ma")
    confirmed(lettre_abonnes, user.email, user=user)
    assert _emails(lettre_abonnes) == []
