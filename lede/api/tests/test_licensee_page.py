"""A licensee's usage page: its own licence only, by key or signed link."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib import admin
from django.test import Client
from django.utils import timezone

from lede.core.testing import factories as f
from lede.paywall.access import month_key
from lede.syndication.models import Licence
from lede.syndication.selectors import usage_link_token
from lede.syndication.services import apikey_revoke
from lede.syndication.tests.builders import make_key, make_licence

pytestmark = pytest.mark.django_db

PAGE = "/api/v1/ma-licence/"


@pytest.fixture
def two(db: Any) -> dict[str, Any]:
    """Two licensees, each having made calls: the second one's more numerous."""
    section = f.make_section("Politique")
    article = f.make_article(section, "Un article public", access_level="public")
    mine = make_licence(name="Revue Alpha", organisation_name="Alpha Veille")
    theirs = make_licence(name="Licence Bêta", organisation_name="Bêta Monitoring")
    my_key, my_secret = make_key(mine, name="Clé Alpha")
    _their_key, their_secret = make_key(theirs, name="Clé Bêta secrète")
    for _ in range(2):
        Client(HTTP_X_API_KEY=my_secret).get(f"/api/v1/articles/{article.pk}")
    for _ in range(5):
        Client(HTTP_X_API_KEY=their_secret).get(f"/api/v1/articles/{article.pk}")
    return {
        "mine": mine,
        "theirs": theirs,
        "my_key": my_key,
        "my_secret": my_secret,
        "their_secret": their_secret,
    }


def _row(html: str, month: str) -> str:
    start = html.index(f'data-month="{month}"')
    return html[start : html.index("</tr>", start)]


def _sees_only_its_own(html: str, month: str) -> None:
    assert "Revue Alpha" in html and "Alpha Veille" in html
    assert "Bêta" not in html and "secrète" not in html
    # Two calls of its own (the other licensee's five are not counted).
    assert '<td class="n">2</td>' in _row(html, month)


def test_by_key_shows_its_own_usage_only(two: dict[str, Any]) -> None:
    month = month_key(timezone.now())
    response = Client(HTTP_AUTHORIZATION=f"Bearer {two['my_secret']}").get(PAGE)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    assert '<html lang="fr"' in html and "Consommation de la licence" in html
    _sees_only_its_own(html, month)
    csv = Client(HTTP_X_API_KEY=two["my_secret"]).get(f"/api/v1/ma-licence/{month}.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode()
    assert "Clé Alpha" in text and "Bêta" not in text


def test_by_signed_link_with_the_csv(two: dict[str, Any]) -> None:
    month = month_key(timezone.now())
    token = usage_link_token(two["mine"])
    html = Client().get(PAGE, {"jeton": token}).content.decode()
    _sees_only_its_own(html, month)
    # The CSV link of the month carries the same token.
    link = html.split(f'data-month="{month}"')[1].split('href="')[1].split('"')[0]
    link = link.replace("&amp;", "&")
    assert parse_qs(urlparse(link).query)["jeton"] == [token]
    csv = Client().get(link)
    assert csv.status_code == 200
    assert "Revue Alpha" in csv.content.decode() and "Bêta" not in csv.content.decode()


@pytest.mark.parametrize(
    ("how", "status"),
    [
        ({}, 401),
        ({"HTTP_X_API_KEY": "lede_pasunecle"}, 401),
        ({"HTTP_AUTHORIZATION": "Basic abc"}, 401),
    ],
)
def test_refused_without_valid_credentials(
    two: dict[str, Any], how: dict[str, Any], status: int
) -> None:
    response = Client(**how).get(PAGE)
    assert response.status_code == status
    body = response.content.decode()
    assert "Revue Alpha" not in body and "Bêta" not in body
    assert "<p>" in body  # a French sentence, not a 500 page


def test_forged_tampered_or_other_licence_links_are_refused(two: dict[str, Any]) -> None:
    token = usage_link_token(two["mine"])
    for bad in ("n-importe-quoi", token[:-2] + "xx", token.replace(":", ";", 1), "x" * 400):
        response = Client().get(PAGE, {"jeton": bad})
        assert response.status_code == 403
        assert "Revue Alpha" not in response.content.decode()
    # A token names its licence only: the other licence's id cannot be swapped in.
    theirs = usage_link_token(two["theirs"])
    assert theirs != token
    assert "Revue Alpha" not in Client().get(PAGE, {"jeton": theirs}).content.decode()
    # A month that is not one is a 400, not a 500.
    assert Client().get("/api/v1/ma-licence/2026-13.csv", {"jeton": token}).status_code == 400


def test_revoked_key_or_key_without_usage_scope_is_refused(two: dict[str, Any]) -> None:
    _key, narrow = make_key(two["mine"], name="Sans consommation", scopes=["articles"])
    assert Client(HTTP_X_API_KEY=narrow).get(PAGE).status_code == 403
    apikey_revoke(key=two["my_key"])
    assert Client(HTTP_X_API_KEY=two["my_secret"]).get(PAGE).status_code == 401


def test_the_admin_shows_the_signed_link(two: dict[str, Any]) -> None:
    model_admin = admin.site._registry[Licence]
    link = model_admin.usage_link(two["mine"])  # type: ignore[attr-defined]
    token = parse_qs(urlparse(link).query)["jeton"][0]
    html = Client().get(PAGE, {"jeton": token}).content.decode()
    assert "Revue Alpha" in html
