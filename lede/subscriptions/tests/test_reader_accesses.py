""" "Mon abonnement" lists every access of a reader with its source and its end
or renewal date; "Mon compte" does not tell a reader with access to look at
the offers; gift and group pages show what they offer to everyone and ask for
an account only at the action (issue 13, items 10 and 12)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lede.paywall.models import AccessGrant, Organisation
from lede.subscriptions.testing import PASSWORD, make_reader, subscribe

pytestmark = pytest.mark.django_db


def _page(client: Client, user: Any, url: str = "") -> str:
    client.force_login(user)
    response = client.get(url or reverse("subscriptions:account"))
    assert response.status_code == 200
    return response.content.decode()


def test_complimentary_reader_sees_their_access(client: Client) -> None:
    user = make_reader("abonne@example.com")
    ends = timezone.now() + timedelta(days=200)
    AccessGrant.objects.create(user=user, starts_at=timezone.now(), ends_at=ends)
    html = _page(client, user)
    assert "Vous n’avez pas d’abonnement" not in html
    assert "Accès offert par la rédaction" in html and "Accès jusqu" in html
    assert "Découvrir les offres" not in html
    home = _page(client, user, reverse("account_home"))
    assert "Découvrir les offres" not in home and "Vous êtes abonné." in home


def test_group_reader_by_domain_sees_the_licence(client: Client) -> None:
    Organisation.objects.create(
        name="Université du Littoral",
        email_domains="univ.example",
        starts_at=timezone.now() - timedelta(days=1),
    )
    user = make_reader("etudiante@univ.example")
    html = _page(client, user)
    assert "Université du Littoral" in html and "Licence de votre organisation" in html
    assert "Reconnu par votre adresse e-mail" in html
    assert "Découvrir les offres" not in html
    home = _page(client, user, reverse("account_home"))
    assert "Découvrir les offres" not in home and "Université du Littoral" in home


def test_group_reader_with_a_subscription_sees_both(
    client: Client, catalogue: dict[str, Any]
) -> None:
    Organisation.objects.create(
        name="Université du Littoral",
        email_domains="univ.example",
        starts_at=timezone.now() - timedelta(days=1),
    )
    user = make_reader("prof@univ.example")
    subscribe(user, catalogue["monthly_offer"])
    html = _page(client, user)
    assert "Université du Littoral" in html
    assert "Abonnement mensuel" in html and "Se renouvelle le" in html


def test_subscription_ended_yesterday_is_shown_as_ended(client: Client) -> None:
    user = make_reader("ancien@example.com")
    now = timezone.now()
    AccessGrant.objects.create(
        user=user,
        kind="subscription",
        starts_at=now - timedelta(days=31),
        ends_at=now - timedelta(days=1),
        note="Abonnement mensuel",
    )
    html = _page(client, user)
    assert "subs-access--ended" in html and "Terminé le" in html
    assert "Vous n’avez plus d’accès en cours" in html
    assert "Découvrir les offres" in html


@pytest.mark.parametrize("name", ["gift_buy", "group", "gift_redeem"])
def test_gift_and_group_pages_are_open_to_everyone(
    client: Client, catalogue: dict[str, Any], name: str
) -> None:
    url = reverse(f"subscriptions:{name}")
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<form" in html and "créerez un compte gratuit" in html
    posted = client.post(url, {})
    assert posted.status_code == 302
    assert posted["Location"].startswith(reverse("account_login") + "?next=")
    reader = make_reader("donateur@example.com", password=PASSWORD)
    client.force_login(reader)
    assert "créerez un compte gratuit" not in client.get(url).content.decode()
