"""A licence's number of users: each active key and each digest address takes
one; beyond it, no new key (a French message in the admin and the service),
the licence cannot be saved with more, and a key past the number is refused
by the API with a stable code."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from lede.core.testing import factories as f
from lede.syndication.models import ApiKey, Licence
from lede.syndication.services import apikey_revoke, apikey_rotate
from lede.syndication.tests.builders import make_key, make_licence

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db: Any) -> Any:
    return f.make_article(f.make_section("Économie"), "Un article", access_level="public")


def _keyed(plaintext: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_no_key_beyond_the_number_of_users(article: Any) -> None:
    licence = make_licence(users=2)
    make_key(licence)
    make_key(licence)
    with pytest.raises(ValidationError) as refused:
        make_key(licence)
    message = refused.value.messages[0]
    assert "limitée à 2 utilisateurs" in message and "il en faudrait 3" in message
    assert ApiKey.objects.filter(licence=licence).count() == 2


def test_revoked_expired_and_rotated_keys_free_their_seat(article: Any) -> None:
    licence = make_licence(users=1)
    key, _plain = make_key(licence)
    # Rotation: the old key rides on its replacement's seat during the overlap.
    replacement, new_plain = apikey_rotate(key=key)
    old_plain_client = _keyed(_plain)
    assert old_plain_client.get("/api/v1/articles").status_code == 200
    assert _keyed(new_plain).get("/api/v1/articles").status_code == 200
    apikey_revoke(key=replacement)
    make_key(licence)  # the seat is free again
    expired, _p = make_key(make_licence(users=1, organisation_name="Autre"))
    expired.expires_at = timezone.now() - timedelta(minutes=1)
    expired.save()
    make_key(expired.licence)


def test_digest_addresses_count_and_the_licence_cannot_be_saved_over(article: Any) -> None:
    licence = make_licence(users=2)
    make_key(licence)
    licence.digest_recipients = "a@example.ma\nb@example.ma"
    with pytest.raises(ValidationError) as refused:
        licence.full_clean()
    assert "users" in refused.value.message_dict
    assert "destinataires de la lettre" in refused.value.message_dict["users"][0]


def test_the_api_refuses_a_key_past_the_number_of_users(article: Any) -> None:
    licence = make_licence(users=2)
    _first, first = make_key(licence)
    _second, second = make_key(licence)
    # The contract is cut to one user after the keys were made: the newest waits.
    Licence.objects.filter(pk=licence.pk).update(users=1)
    assert _keyed(first).get("/api/v1/articles").status_code == 200
    refused = _keyed(second).get("/api/v1/articles")
    assert refused.status_code == 403
    body = refused.json()["error"]
    assert body["code"] == "licence_users_exceeded"
    assert "plus d’utilisateurs que son contrat" in body["message"]
    assert _keyed(second).get("/api/v1/flux/articles.rss").status_code == 403


def test_the_admin_says_so_in_french(article: Any, admin_client: Client) -> None:
    licence = make_licence(users=1)
    make_key(licence)
    response = admin_client.post(
        "/django-admin/syndication/apikey/add/",
        {"name": "Une de trop", "licence": licence.pk, "scopes": ["articles"], "rate_limit": 60},
    )
    assert response.status_code == 200  # the form again, with the message
    assert "limitée à 1 utilisateur " in response.content.decode()
    assert ApiKey.objects.filter(licence=licence).count() == 1
