"""Data export and account deletion (services and their registries)."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import IntegrityError

from lede.accounts import services
from lede.accounts.models import User

from .helpers import PASSWORD

pytestmark = pytest.mark.django_db


def test_export_contains_the_account_and_every_registered_section(make_user: Any) -> None:
    user = make_user("nadia@example.com", first_name="Nadia", last_name="Bennani")
    EmailAddress.objects.create(user=user, email="nadia.pro@example.com", verified=False)
    TOTP.activate(user, generate_totp_secret())
    services.data_exporter_register("newsletters", lambda u: {"lists": ["Le Matin"]})
    services.data_exporter_register("reading", lambda u: {"user_id": u.pk})

    data = services.user_export_data(user=user)
    assert data["format_version"] == 1
    assert data["account"]["email"] == "nadia@example.com"
    assert data["account"]["first_name"] == "Nadia"
    assert data["account"]["date_joined"]
    assert data["email_addresses"] == [
        {"email": "nadia.pro@example.com", "verified": False, "primary": False},
        {"email": "nadia@example.com", "verified": True, "primary": True},
    ]
    assert [a["type"] for a in data["two_factor_authentication"]] == ["totp"]
    assert "secret" not in repr(data["two_factor_authentication"])
    # Installed apps (subscriptions, payments) register their own sections too.
    assert data["apps"]["newsletters"] == {"lists": ["Le Matin"]}
    assert data["apps"]["reading"] == {"user_id": user.pk}
    assert "password" not in repr(data)


def test_registering_a_name_twice_replaces_it() -> None:
    services.data_exporter_register("x", lambda u: {"v": 1})
    services.data_exporter_register("x", lambda u: {"v": 2})
    assert len([n for n in services.data_exporters() if n == "x"]) == 1
    with pytest.raises(ValueError):
        services.data_exporter_register("", lambda u: {})


def test_delete_without_retention_removes_the_user(make_user: Any) -> None:
    user = make_user()
    TOTP.activate(user, generate_totp_secret())
    seen: list[int] = []
    services.deletion_hook_register(lambda u: seen.append(u.pk))

    assert services.user_delete_account(user=user) == "deleted"
    assert seen == [user.pk]
    assert not User.objects.filter(pk=user.pk).exists()
    assert not EmailAddress.objects.filter(email="lectrice@example.com").exists()
    assert not Authenticator.objects.filter(user_id=user.pk).exists()


def test_delete_with_a_retention_hook_anonymises(make_user: Any) -> None:
    user = make_user(first_name="Yasmine", last_name="Alami", display_name="Yasmine A.")
    other = make_user("autre@example.com")
    TOTP.activate(user, generate_totp_secret())
    services.retention_check_register(lambda u: u.pk == user.pk)  # "has invoices"

    assert services.user_delete_account(user=user) == "anonymised"
    user.refresh_from_db()
    assert user.email == f"deleted-{user.pk}@invalid"
    assert (user.first_name, user.last_name, user.display_name) == ("", "", "")
    assert not user.has_usable_password()
    assert not user.check_password(PASSWORD)
    assert user.is_active is False
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    # Nobody else is touched; the address can be used again for a new account.
    assert User.objects.get(pk=other.pk).email == "autre@example.com"
    make_user("lectrice@example.com")


def test_delete_staff_with_retention_drops_privileges(make_user: Any) -> None:
    user = make_user("chef@example.com", is_staff=True, is_superuser=True)
    services.retention_check_register(lambda u: True)
    services.user_delete_account(user=user)
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser


def test_a_failing_hook_leaves_everything_in_place(make_user: Any) -> None:
    user = make_user()

    def broken(u: Any) -> None:
        raise IntegrityError("boom")

    services.deletion_hook_register(broken)
    with pytest.raises(IntegrityError):
        services.user_delete_account(user=user)
    user.refresh_from_db()
    assert user.email == "lectrice@example.com" and user.is_active
    assert EmailAddress.objects.filter(user=user).exists()


def test_registries_ignore_duplicates() -> None:
    def check(u: Any) -> bool:
        return False

    services.retention_check_register(check)
    services.retention_check_register(check)
    assert services.retention_checks().count(check) == 1


def test_rows_protecting_the_user_fall_back_to_anonymising(
    make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db.models import ProtectedError

    user = make_user()

    def refuse(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise ProtectedError("an invoice points at this user", set())

    monkeypatch.setattr(User, "delete", refuse)
    assert services.user_delete_account(user=user) == "anonymised"
    user.refresh_from_db()
    assert user.email == f"deleted-{user.pk}@invalid" and not user.is_active
