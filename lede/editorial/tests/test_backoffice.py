"""The newsroom's back office: what the Éditeur group may open, and an admin
that fetches nothing from third parties."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from lede.accounts.models import User
from lede.editorial.setup import CONTRIBUTOR, EDITOR, ensure_newsroom_groups

pytestmark = pytest.mark.django_db


def _member(group_name: str, email: str) -> User:
    ensure_newsroom_groups()
    user = User.objects.create_user(email, "mot-de-passe-2026")
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor_client(client: Client) -> Client:
    client.force_login(_member(EDITOR, "redaction@example.com"))
    return client


def test_editor_opens_the_wire_desk_images_and_documents(editor_client: Client) -> None:
    for url in (
        "/admin/depeches/",
        "/admin/depeches/journal/",
        "/admin/images/",
        "/admin/documents/",
    ):
        response = editor_client.get(url)
        assert response.status_code == 200, url
    dashboard = editor_client.get("/admin/").content.decode()
    for url in ("/admin/depeches/", "/admin/images/", "/admin/documents/"):
        assert url in dashboard, f"no menu entry for {url}"


def test_contributor_can_choose_images_but_not_run_the_desk(client: Client) -> None:
    client.force_login(_member(CONTRIBUTOR, "pigiste@example.com"))
    assert client.get("/admin/images/chooser/").status_code == 200
    assert client.get("/admin/depeches/").status_code in (302, 403)


def test_the_admin_shows_no_gravatar(editor_client: Client, settings: Any) -> None:
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    for url in ("/admin/", "/admin/account/"):
        html = editor_client.get(url).content.decode().lower()
        assert "gravatar" not in html, url


def test_the_admin_log_in_page_is_french(client: Client) -> None:
    html = client.get("/admin/login/").content.decode()
    assert "Mot de passe" in html
    assert ">Password" not in html


def test_the_wire_desk_speaks_plain_french(editor_client: Client) -> None:
    """Our own admin strings: the date filter says "Toutes dates", not the
    odd "Quand vous voulez" it once said."""
    html = editor_client.get("/admin/depeches/").content.decode()
    assert "Toutes dates" in html
    assert "Quand vous voulez" not in html
