"""Staff need TOTP two-factor authentication to reach either admin."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth.models import Group, Permission
from django.test import Client

from .helpers import PASSWORD

pytestmark = pytest.mark.django_db

MIDDLEWARE = "lede.accounts.middleware.StaffMFAMiddleware"
ACTIVATE = "/compte/2fa/totp/activate/"


@pytest.fixture
def with_middleware(settings: Any) -> Any:
    if MIDDLEWARE not in settings.MIDDLEWARE:
        after = settings.MIDDLEWARE.index("allauth.account.middleware.AccountMiddleware")
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE[: after + 1],
            MIDDLEWARE,
            *settings.MIDDLEWARE[after + 1 :],
        ]
    return settings


@pytest.fixture
def staff(make_user: Any) -> Any:
    return make_user("redaction@example.com", is_staff=True, is_superuser=True)


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


@pytest.mark.parametrize("path", ["/admin/", "/django-admin/", "/admin/pages/"])
def test_staff_without_totp_is_sent_to_activate_it(
    client: Any, staff: Any, with_middleware: Any, path: str
) -> None:
    with_middleware.LEDE_STAFF_REQUIRE_MFA = True
    client.force_login(staff)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE
    page = client.get(ACTIVATE, follow=True)
    assert "exige l’authentification à deux facteurs" in page.content.decode() or (
        "exige l’authentification à deux facteurs" in page.content.decode()
    )


def test_staff_without_totp_passes_when_not_required(
    client: Any, staff: Any, with_middleware: Any
) -> None:
    with_middleware.LEDE_STAFF_REQUIRE_MFA = False
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    assert client.get("/django-admin/").status_code == 200


def test_editor_with_admin_access_but_not_staff_needs_totp_too(
    client: Any, make_user: Any, with_middleware: Any
) -> None:
    with_middleware.LEDE_STAFF_REQUIRE_MFA = True
    editor = make_user("pupitre@example.com")
    group = Group.objects.create(name="Pupitre")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(group)
    client.force_login(editor)
    assert client.get("/admin/")["Location"] == ACTIVATE


def test_readers_and_public_pages_are_untouched(
    client: Any, reader: Any, staff: Any, with_middleware: Any
) -> None:
    with_middleware.LEDE_STAFF_REQUIRE_MFA = True
    client.force_login(reader)
    response = client.get("/admin/")
    assert response.get("Location", "") != ACTIVATE  # Wagtail's own refusal
    client.force_login(staff)
    assert client.get("/compte/").status_code == 200  # only the admins are gated


def test_admin_log_in_forms_are_replaced_by_the_site_log_in(
    client: Any, with_middleware: Any
) -> None:
    with_middleware.LEDE_STAFF_REQUIRE_MFA = True
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response["Location"] == "/compte/login/?next=%2Fadmin%2Fpages%2F"
    response = client.get("/django-admin/login/")
    assert response["Location"] == "/compte/login/?next=%2Fdjango-admin%2F"
    # Posting a password to the admin's form does not log in either.
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_totp_holder_must_prove_it_in_the_session(
    client: Any, staff: Any, with_middleware: Any
) -> None:
    with_middleware.LEDE_STAFF_REQUIRE_MFA = True
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client.force_login(staff)  # e.g. through a password-only side door
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/compte/2fa/reauthenticate/?next=%2Fadmin%2Fpages%2F"
    response = client.post(response["Location"], {"code": current_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/pages/"
    assert client.get("/admin/pages/").status_code == 200


def test_staff_log_in_with_totp_reaches_the_admin(staff: Any, with_middleware: Any) -> None:
    with_middleware.LEDE_STAFF_REQUIRE_MFA = True
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client = Client()
    response = client.post(
        "/compte/login/?next=/admin/", {"login": staff.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/compte/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # not in before the code
    response = client.post("/compte/2fa/authenticate/", {"code": "000000"})
    assert "_auth_user_id" not in client.session
    response = client.post("/compte/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_demo_log_in_page_says_2fa_is_relaxed(client: Any, settings: Any) -> None:
    note = "Site de démonstration : la double authentification"
    settings.LEDE_STAFF_REQUIRE_MFA = False
    settings.LEDE_DEMO = True
    assert note in client.get("/compte/login/").content.decode()
    settings.LEDE_STAFF_REQUIRE_MFA = True
    assert note not in client.get("/compte/login/").content.decode()
    settings.LEDE_STAFF_REQUIRE_MFA = False
    settings.DEBUG = True  # DEBUG alone never relaxes anything
    settings.LEDE_DEMO = False
    assert note not in client.get("/compte/login/").content.decode()
