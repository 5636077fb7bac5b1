from __future__ import annotations

from typing import Any

import pytest

from lede.newsletters.models import Audience, Frequency, Newsletter


@pytest.fixture
def matinale(db: Any, publication: dict[str, Any]) -> Newsletter:
    return Newsletter.objects.create(
        name="La Matinale",
        slug="la-matinale",
        sender_name="La Matinale du Quotidien",
        sender_address="matinale@lede.example",
        audience=Audience.ANYONE,
        frequency=Frequency.DAILY,
        offered_on_site=True,
    )


@pytest.fixture
def lettre_abonnes(db: Any, publication: dict[str, Any]) -> Newsletter:
    return Newsletter.objects.create(
        name="La Lettre des abonnés",
        slug="la-lettre-des-abonnes",
        sender_name="Le Quotidien",
        sender_address="abonnes@lede.example",
        audience=Audience.ENTITLED,
        frequency=Frequency.WEEKLY,
        full_text_for_entitled=True,
    )
