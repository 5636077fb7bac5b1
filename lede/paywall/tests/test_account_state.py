"""The header's account state (issue 13, item 10): a reader with access is
never told to subscribe, on either road to an article, on listings and on
pages rendered for one reader; the state is the same for every reader of one
kind (nothing personal), and the paywall box reads coherently per level."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from lede.accounts.models import User
from lede.paywall import access, selectors
from lede.paywall.models import AccessGrant, Organisation

pytestmark = pytest.mark.django_db


def _subscribe(html: str) -> bool:
    return any(s in html for s in ("S'abonner", "S&#x27;abonner", "S’abonner"))


def _status(html: str) -> str:
    found = re.search(r'<span class="account-status">(.*?)</span>', html)
    return found.group(1) if found else ""


def _nav(html: str) -> str:
    found = re.search(r'<nav class="account-nav".*?</nav>', html, re.S)
    assert found, "no account navigation"
    return found.group(0)


def _reader(email: str) -> User:
    user = User.objects.create_user(email, "pw-lecteur-2026")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _grant(user: User, *, days_left: int, kind: str = "complimentary") -> AccessGrant:
    now = timezone.now()
    return AccessGrant.objects.create(
        user=user,
        kind=kind,
        starts_at=now - timedelta(days=30),
        ends_at=now + timedelta(days=days_left),
    )


def _org(name: str = "Ministère de la Mer", **kwargs: Any) -> Organisation:
    return Organisation.objects.create(
        name=name, starts_at=timezone.now() - timedelta(days=1), **kwargs
    )


def _both_roads(client: Client, url: str) -> list[str]:
    """The article twice: the normal road, then the fast one it taught."""
    pages = []
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200
        pages.append(response.content.decode())
    return pages


def test_subscriber_sees_access_not_subscribe(client: Client, paywalled: dict[str, Any]) -> None:
    user = _reader("abonne@example.com")
    _grant(user, days_left=30)
    client.force_login(user)
    for html in _both_roads(client, paywalled["articles"]["subscribers"].url):
        nav = _nav(html)
        assert _status(nav) == "Abonné"
        assert not _subscribe(nav) and "Découvrir les offres" not in html
        assert "abonne@example.com" not in nav
    home = client.get("/").content.decode()
    assert _status(home) == "Abonné" and not _subscribe(home)


def test_fast_road_serves_the_subscriber_state(client: Client, paywalled: dict[str, Any]) -> None:
    user = _reader("abonne@example.com")
    _grant(user, days_left=30)
    client.force_login(user)
    url = paywalled["articles"]["subscribers"].url
    client.get(url)
    response = client.get(url)
    assert response["X-Lede-Road"] == "fast"
    assert _status(response.content.decode()) == "Abonné"


def test_subscription_ended_yesterday_is_told_to_subscribe(
    client: Client, paywalled: dict[str, Any]
) -> None:
    user = _reader("ancien@example.com")
    _grant(user, days_left=-1, kind="subscription")
    client.force_login(user)
    for html in _both_roads(client, paywalled["articles"]["subscribers"].url):
        nav = _nav(html)
        assert _status(nav) == "" and _subscribe(nav) and "Mon compte" in nav


def test_group_reader_by_domain(client: Client, paywalled: dict[str, Any]) -> None:
    _org(email_domains="mer.example")
    user = _reader("agent@mer.example")
    client.force_login(user)
    for html in _both_roads(client, paywalled["articles"]["subscribers"].url):
        nav = _nav(html)
        assert _status(nav) == "Accès Ministère de la Mer"
        assert not _subscribe(nav) and "agent@" not in nav
    home = client.get("/").content.decode()
    assert _status(home) == "Accès Ministère de la Mer"


def test_group_reader_by_network_without_account(client: Client, paywalled: dict[str, Any]) -> None:
    _org(ip_ranges="196.200.0.0/16")
    response = client.get(paywalled["articles"]["subscribers"].url, REMOTE_ADDR="196.200.1.2")
    nav = _nav(response.content.decode())
    assert _status(nav) == "Accès Ministère de la Mer"
    assert "Se connecter" in nav and not _subscribe(nav)


def test_personal_access_wins_over_group(client: Client, paywalled: dict[str, Any]) -> None:
    _org(email_domains="mer.example")
    user = _reader("agent@mer.example")
    _grant(user, days_left=30, kind="subscription")
    client.force_login(user)
    for html in _both_roads(client, paywalled["articles"]["subscribers"].url):
        assert _status(_nav(html)) == "Abonné"


def test_state_is_the_same_for_every_reader_of_one_kind() -> None:
    now = timezone.now()
    orgs = [{"id": 7, "name": "Ministère"}]

    def group(org_id: int) -> access.Entitlement:
        kind = access.EntitlementKind.GROUP
        return access.Entitlement(kind=kind, starts_at=now, organisation_id=org_id)

    personal = access.Entitlement(kind=access.EntitlementKind.COMPLIMENTARY, starts_at=now)
    ended = access.Entitlement(
        kind=access.EntitlementKind.SUBSCRIPTION,
        starts_at=now - timedelta(days=40),
        ends_at=now - timedelta(days=1),
    )

    def variant(reader: access.Reader) -> str:
        return selectors.account_state(reader, orgs, now).variant

    assert variant(access.Reader(is_authenticated=False)) == "anonymous"
    assert variant(access.Reader(is_authenticated=True)) == "registered"
    assert variant(access.Reader(is_authenticated=True, entitlements=(ended,))) == "registered"
    assert variant(access.Reader(is_authenticated=True, entitlements=(personal,))) == "subscriber"
    assert variant(access.Reader(is_authenticated=True, entitlements=(group(7),))) == "group:7"
    both = access.Reader(is_authenticated=True, entitlements=(group(7), personal))
    assert variant(both) == "subscriber"
    by_ip = access.Reader(is_authenticated=False, entitlements=(group(7),))
    assert variant(by_ip) == "anonymous-group:7"
    assert variant(access.Reader(is_authenticated=True, is_staff=True)) == "staff"


def test_pages_rendered_for_one_reader_show_the_state(client: Client) -> None:
    user = _reader("abonne@example.com")
    _grant(user, days_left=30)
    client.force_login(user)
    html = client.get("/compte/").content.decode()
    nav = _nav(html)
    assert _status(nav) == "Abonné" and not _subscribe(nav)


def test_registered_wall_invites_to_create_a_free_account(
    client: Client, paywalled: dict[str, Any]
) -> None:
    article = paywalled["articles"]["registered"]
    html = client.get(article.url).content.decode()
    box = html.split('class="paywall', 1)[1].split("</section>", 1)[0]
    assert "réservée aux abonnés" not in box and "Découvrir les offres" not in box
    assert "Créer un compte gratuit" in box
    assert f'href="/compte/signup/?next={article.url}"' in box or "signup/?next=" in box


def test_locked_box_offers_sign_in_only_to_anonymous(
    client: Client, paywalled: dict[str, Any]
) -> None:
    url = paywalled["articles"]["subscribers"].url
    anonymous = client.get(url).content.decode()
    assert "Déjà abonné ?" in anonymous and "<!--lede:paywall-login" not in anonymous
    client.force_login(_reader("lecteur@example.com"))
    for html in _both_roads(client, url):
        box = html.split('class="paywall', 1)[1].split("</section>", 1)[0]
        assert "Déjà abonné ?" not in box and "Découvrir les offres" in box
