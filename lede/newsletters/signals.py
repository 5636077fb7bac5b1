"""Receivers of the newsletters app (connected in AppConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in

from lede.accounts import services as accounts

from . import services


def on_user_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A reader who signed up to newsletters by address alone and now signs
    in (with that address verified) finds their newsletters in "Mon compte"."""
    services.subscriber_link_user(user=user)


def connect() -> None:
    user_logged_in.connect(on_user_logged_in, dispatch_uid="newsletters.on_user_logged_in")
    accounts.data_exporter_register("newsletters", services.subscriber_export)
    accounts.deletion_hook_register(services.subscriber_forget_user)
