"""Test builders for licences and keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from lede.paywall.models import Organisation
from lede.syndication.models import ApiKey, Licence
from lede.syndication.services import apikey_create


def make_licence(*, sections: list[Any] | None = None, **kwargs: Any) -> Licence:
    now = timezone.now()
    organisation = Organisation.objects.create(
        name=kwargs.pop("organisation_name", "Veille Presse SARL"),
        starts_at=now - timedelta(days=30),
    )
    values: dict[str, Any] = {
        "name": "Revue de presse",
        "full_text": True,
        "starts_at": now - timedelta(days=30),
        "ends_at": now + timedelta(days=300),
    }
    values.update(kwargs)
    licence = Licence.objects.create(organisation=organisation, **values)
    if sections:
        licence.sections.set(sections)
    return licence


def make_key(licence: Licence | None = None, **kwargs: Any) -> tuple[ApiKey, str]:
    kwargs.setdefault("scopes", ["articles", "dispatches", "liveblogs", "usage"])
    return apikey_create(name=kwargs.pop("name", "Clé de test"), licence=licence, **kwargs)
