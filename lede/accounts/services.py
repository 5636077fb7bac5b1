"""Account services: the reader's data export and account deletion.

Other apps plug into both through small registries, from their
``signals.connect()``::

    from lede.accounts import services as accounts

    accounts.data_exporter_register("subscriptions", export_subscriptions)  # (user) -> dict
    accounts.retention_check_register(has_invoices)  # (user) -> bool
    accounts.deletion_hook_register(forget_newsletter_recipient)  # (user) -> None

A retention check answers "must this user row be kept?" (invoices must be
kept by law, for instance). When any check says yes, deleting an account
anonymises it instead of removing the row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

logger = logging.getLogger(__name__)

DataExporter = Callable[[Any], dict[str, Any]]
RetentionCheck = Callable[[Any], bool]
DeletionHook = Callable[[Any], None]
DeletionOutcome = Literal["deleted", "anonymised"]

EXPORT_FORMAT_VERSION = 1

_data_exporters: dict[str, DataExporter] = {}
_retention_checks: list[RetentionCheck] = []
_deletion_hooks: list[DeletionHook] = []


# --- Registries --------------------------------------------------------------


def data_exporter_register(name: str, exporter: DataExporter) -> DataExporter:
    """Add ``exporter(user) -> dict`` to the data export, under ``apps[name]``.

    Registering the same name again replaces the previous exporter (so
    reloading an app does not duplicate its section).
    """
    if not name or not isinstance(name, str):
        raise ValueError("A data exporter needs a non-empty name")
    _data_exporters[name] = exporter
    return exporter


def retention_check_register(check: RetentionCheck) -> RetentionCheck:
    """Add ``check(user) -> bool``: True when the law requires keeping the user row."""
    if check not in _retention_checks:
        _retention_checks.append(check)
    return check


def deletion_hook_register(hook: DeletionHook) -> DeletionHook:
    """Add ``hook(user) -> None``, called inside the deletion transaction before
    the user row is deleted or anonymised (to forget app-specific personal data)."""
    if hook not in _deletion_hooks:
        _deletion_hooks.append(hook)
    return hook


def data_exporters() -> dict[str, DataExporter]:
    return dict(_data_exporters)


def retention_checks() -> list[RetentionCheck]:
    return list(_retention_checks)


def deletion_hooks() -> list[DeletionHook]:
    return list(_deletion_hooks)


# --- Data export -------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def user_export_data(*, user: AbstractBaseUser) -> dict[str, Any]:
    """Everything Lede holds about ``user``, as JSON-serialisable data."""

    u: Any = user
    data: dict[str, Any] = {
        "format_version": EXPORT_FORMAT_VERSION,
        "generated_at": timezone.now().isoformat(),
        "account": {
            "id": u.pk,
            "email": u.email,
            "display_name": getattr(u, "display_name", ""),
            "first_name": u.first_name,
            "last_name": u.last_name,
            "date_joined": _iso(u.date_joined),
            "last_login": _iso(u.last_login),
            "is_active": u.is_active,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user_id=u.pk).order_by("email")
        ],
        # Which second factors exist, never their secrets.
        "two_factor_authentication": [
            {
                "type": a.type,
                "created_at": _iso(a.created_at),
                "last_used_at": _iso(a.last_used_at),
            }
            for a in Authenticator.objects.filter(user_id=u.pk).order_by("pk")
        ],
        "apps": {},
    }
    for name, exporter in sorted(_data_exporters.items()):
        data["apps"][name] = exporter(user)
    return data


# --- Account deletion --------------------------------------------------------


def user_must_be_retained(*, user: AbstractBaseUser) -> bool:
    return any(check(user) for check in _retention_checks)


def _anonymise(user: Any) -> None:
    EmailAddress.objects.filter(user_id=user.pk).delete()
    Authenticator.objects.filter(user_id=user.pk).delete()
    user.email = f"deleted-{user.pk}@invalid"
    user.first_name = ""
    user.last_name = ""
    if hasattr(user, "display_name"):
        user.display_name = ""
    # A new unusable password also changes the session auth hash, which ends
    # every session of this user on its next request.
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


@transaction.atomic
def user_delete_account(*, user: AbstractBaseUser) -> DeletionOutcome:
    """Delete ``user``'s account, or anonymise it when a retention check
    (or a protected foreign key) requires the row to be kept.

    Sessions end either way: a deleted user's sessions no longer resolve, and
    an anonymised user is inactive with a new (unusable) password hash.
    """
    User = get_user_model()
    # Lock the row: two concurrent deletions must not interleave.
    locked: Any = User._default_manager.select_for_update().get(pk=user.pk)
    for hook in _deletion_hooks:
        hook(locked)

    if not user_must_be_retained(user=locked):
        try:
            with transaction.atomic():
                locked.delete()
        except (ProtectedError, RestrictedError):
            logger.info("user %s is referenced by protected rows: anonymising", locked.pk)
        else:
            return "deleted"
    _anonymise(locked)
    return "anonymised"


# --- Sign-up by e-mailed code -----------------------------------------------


@transaction.atomic
def user_create_by_code(*, email: str) -> Any:
    """Create the account of a reader who has just typed the code e-mailed to
    ``email``: the address is proven, so it is stored verified and primary.
    No password (the reader may set one later from "Mon compte").

    Raises ``IntegrityError`` when the address already has an account.
    """

    User: Any = get_user_model()
    user = User._default_manager.create_user(email=email, password=None)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def user_set_language(*, user: AbstractBaseUser, language: str) -> None:
    """Remember the edition a signed-in reader chose (the language switch):
    their e-mails and receipts follow it."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    with transaction.atomic():
        get_user_model().objects.filter(pk=user.pk).update(language=language)
