"""The account settings the issue asks for, read from the base profile (the
test profile swaps in a fast hasher)."""

from __future__ import annotations

import config.settings.base as base


def test_argon2_is_the_first_hasher() -> None:
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    import argon2  # noqa: F401 - the hasher's dependency is installed


def test_django_password_validators_are_on() -> None:
    names = {v["NAME"].rsplit(".", 1)[1] for v in base.AUTH_PASSWORD_VALIDATORS}
    assert {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    } <= names


def test_enumeration_prevention_and_reset_lifetime() -> None:
    assert base.ACCOUNT_PREVENT_ENUMERATION is True
    assert base.PASSWORD_RESET_TIMEOUT == 3600
    assert base.ACCOUNT_LOGIN_BY_CODE_ENABLED is True
    assert base.ACCOUNT_ADAPTER == "lede.accounts.adapter.AccountAdapter"


def test_rate_limits_cover_log_in_sign_up_reset_and_codes() -> None:
    for action in ("login", "login_failed", "signup", "reset_password", "request_login_code"):
        assert base.ACCOUNT_RATE_LIMITS.get(action), action
