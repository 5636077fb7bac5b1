"""Receivers of the syndication app (connected by apps.py)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from . import rights
from .models import RightsSettings


def on_rights_settings_saved(sender: Any, **kwargs: Any) -> None:
    rights.forget()


def connect() -> None:
    post_save.connect(
        on_rights_settings_saved,
        sender=RightsSettings,
        dispatch_uid="syndication.on_rights_settings_saved",
    )
