"""The e-mail digest channel, over a real SMTP server: a licence gets the new
articles it covers, in full only when it gives full text; nothing else leaks."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from lede.api.digest import digest_send
from lede.api.tasks import digests_send
from lede.core.testing import factories as f
from lede.syndication.models import Delivery, Licence
from lede.syndication.tests.builders import make_licence

pytestmark = pytest.mark.django_db

SECRET = "Passage verrouillé numéro"


@pytest.fixture
def paper(db: Any) -> dict[str, Any]:
    politique = f.make_section("Politique")
    sport = f.make_section("Sport")
    made = {}
    for section in (politique, sport):
        made[section.slug] = f.make_article(
            section,
            f"Nouvelles de {section.title}",
            standfirst=f"Chapô {section.title}.",
            access_level="subscribers",
            published_at=timezone.now() - timedelta(hours=2),
            body=[
                ("paragraph", f"<p>Paragraphe libre {section.slug}.</p>"),
                ("paragraph", f"<p>{SECRET} {section.slug}.</p>"),
            ],
        )
    made["old"] = f.make_article(
        politique,
        "Article de la semaine dernière",
        access_level="subscribers",
        published_at=timezone.now() - timedelta(days=7),
    )
    made["agency"] = f.make_article(
        politique,
        "Dépêche reprise",
        agency_credit="AFP",
        access_level="public",
        published_at=timezone.now() - timedelta(hours=1),
        body=[("paragraph", "<p>Texte de l'agence.</p>")],
    )
    return {"section": politique, **made}


def _text(received: Any) -> str:
    parts = []
    for part in received.message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def test_abstracts_licence_gets_only_its_sections_and_no_locked_text(
    paper: dict[str, Any], smtp_server: Any
) -> None:
    make_licence(
        sections=[paper["section"]],
        full_text=False,
        channel_digest=True,
        digest_recipients="veille@alpha.example\n\nredaction@alpha.example",
    )
    assert digests_send.call() == "1 articles sent"
    [received] = smtp_server.wait_for(1)
    assert sorted(received.rcpt_tos) == ["redaction@alpha.example", "veille@alpha.example"]
    body = _text(received)
    assert "Nouvelles de Politique" in body
    assert "Paragraphe libre politique" in body  # the free part
    assert SECRET not in body  # the locked part never
    assert "Sport" not in body  # a section the licence does not cover
    assert "Dépêche reprise" not in body  # agency copy: not allowed
    assert "semaine dernière" not in body  # older than the window
    assert "Résumé" in body
    assert "édité par" in body or "ne pas y répondre" in body  # the shared layout
    # Sent once a day: a second run the same day sends nothing more.
    assert digests_send.call() == "0 articles sent"
    assert len(smtp_server.messages) == 1


def test_full_text_licence_gets_the_full_text(paper: dict[str, Any], smtp_server: Any) -> None:
    licence = make_licence(
        sections=[paper["section"]],
        full_text=True,
        agency_copy=True,
        channel_digest=True,
        digest_recipients="veille@beta.example",
    )
    assert digest_send(licence, timezone.now()) == 2
    body = _text(smtp_server.wait_for(1)[0])
    assert f"{SECRET} politique" in body
    assert "Dépêche reprise" in body
    assert re.search(r"[Dd]épêche d.agence", body)
    assert f"{SECRET} sport" not in body


def test_no_digest_without_the_channel_or_after_the_licence(
    paper: dict[str, Any], smtp_server: Any
) -> None:
    make_licence(full_text=True, channel_digest=False, digest_recipients="a@example.org")
    ended = make_licence(
        full_text=True,
        channel_digest=True,
        digest_recipients="b@example.org",
        organisation_name="Ancienne Veille",
    )
    Licence.objects.filter(pk=ended.pk).update(ends_at=timezone.now() - timedelta(days=1))
    assert digests_send.call() == "0 articles sent"
    assert smtp_server.messages == []


def test_full_texts_count_in_the_monthly_volume(paper: dict[str, Any], smtp_server: Any) -> None:
    """Like the API: each article given in full is one delivery of the month;
    beyond the volume, abstracts (or nothing) as the licence says."""
    licence = make_licence(
        full_text=True,
        channel_digest=True,
        digest_recipients="veille@example.ma",
        monthly_volume=1,
        over_quota=Licence.OverQuota.ABSTRACTS,
    )
    sent = digest_send(licence, timezone.now())
    assert sent == 2  # the two sections' articles (no agency copy under this licence)
    [received] = smtp_server.wait_for(1)
    text = _text(received)
    assert Delivery.objects.filter(licence=licence, channel="digest").count() == 1
    assert sum(f"{SECRET} {slug}" in text for slug in ("politique", "sport")) == 1
