"""Keys created in the admin: the secret is shown once, only its hash is kept."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lede.accounts.models import User
from lede.syndication.keys import hash_key
from lede.syndication.models import ApiKey

from .builders import make_licence

pytestmark = pytest.mark.django_db


def test_admin_shows_the_new_key_once_and_stores_its_hash() -> None:
    admin = User.objects.create_superuser("chef@example.com", "pw-admin-2026")
    client = Client()
    client.force_login(admin)
    licence = make_licence()
    response = client.post(
        "/django-admin/syndication/apikey/add/",
        {
            "name": "Intranet du ministère",
            "licence": licence.pk,
            "scopes": ["articles", "usage"],
            "languages": "",
            "rate_limit": 30,
        },
        follow=True,
    )
    assert response.status_code == 200
    shown = re.findall(r"lede_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", response.content.decode())
    assert len(shown) == 1
    key = ApiKey.objects.get(name="Intranet du ministère")
    assert key.hashed == hash_key(shown[0])
    assert key.scopes == ["articles", "usage"]
    page = client.get(f"/django-admin/syndication/apikey/{key.pk}/change/").content.decode()
    assert shown[0] not in page  # never again


def test_admin_usage_report_refuses_a_bad_month() -> None:
    admin = User.objects.create_superuser("chef2@example.com", "pw-admin-2026")
    client = Client()
    client.force_login(admin)
    licence = make_licence()
    bad = client.get(f"/django-admin/syndication/licence/{licence.pk}/consommation/2026-13.csv")
    assert bad.status_code == 400
    good = client.get(f"/django-admin/syndication/licence/{licence.pk}/consommation/2026-11.csv")
    assert good.status_code == 200
    assert good["Content-Type"].startswith("text/csv")
