"""Agency copy is never resold against its terms: each rule of lede.wires.rights
through the API (list, detail, ninjs), the licensees' feeds (RSS, ninjs) and
the e-mail digest; own journalism and agency copy told apart in every output."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from lede.api import digest
from lede.core.caching import keys as cache_keys
from lede.core.testing import factories as f
from lede.syndication import webhooks
from lede.syndication.models import WebhookDelivery, WebhookEndpoint
from lede.syndication.selectors import client_for_digest
from lede.syndication.tests.builders import make_key, make_licence
from lede.wires.models import ItemStatus, PhotoRestriction, WireItemRecord, WireSource

pytestmark = pytest.mark.django_db

AGENCY_TEXT = "Texte complet de la dépêche"


@pytest.fixture
def desk(db: Any) -> dict[str, Any]:
    economie = f.make_section("Économie")
    own = f.make_article(
        economie,
        "Enquête maison",
        standfirst="Notre enquête.",
        access_level="public",
        published_at=timezone.now() - timedelta(hours=2),
        body=[("paragraph", "<p>Texte de la rédaction.</p>")],
    )
    wired = f.make_article(
        economie,
        "Dépêche reprise",
        standfirst="Chapô de l'agence.",
        access_level="public",
        agency_credit="AFP",
        published_at=timezone.now() - timedelta(hours=1),
        lead_image=f.make_image(),
        body=[("paragraph", f"<p>{AGENCY_TEXT}.</p>")],
    )
    source = WireSource.objects.create(name="AFP fil", provider="AFP", kind="upload")
    record = WireItemRecord.objects.create(
        guid="urn:afp:1",
        format="newsml-g2",
        headline="Dépêche reprise",
        provider="AFP",
        source=source,
        article=wired,
        copyright="© AFP 2026",
        copyright_holder="Agence France-Presse",
        first_created=timezone.now() - timedelta(hours=1),
    )
    licence = make_licence(agency_copy=True, full_text=True)
    _key, plaintext = make_key(licence)
    return {
        "own": own,
        "wired": wired,
        "source": source,
        "record": record,
        "client": Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}"),
        "licence": licence,
    }


def _ids(desk: dict[str, Any]) -> set[int]:
    return {item["id"] for item in desk["client"].get("/api/v1/articles").json()["items"]}


def _rss_titles(desk: dict[str, Any]) -> list[str]:
    response = desk["client"].get("/api/v1/flux/articles.rss")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return [item.findtext("title") or "" for item in root.iter("item")]


def _ninjs_feed(desk: dict[str, Any]) -> list[dict[str, Any]]:
    response = desk["client"].get("/api/v1/flux/articles.ninjs")
    assert response.status_code == 200
    return list(response.json()["items"])


def _everywhere_absent(desk: dict[str, Any]) -> None:
    wired = desk["wired"]
    assert wired.pk not in _ids(desk)
    assert desk["client"].get(f"/api/v1/articles/{wired.pk}").status_code == 404
    assert desk["client"].get(f"/api/v1/articles/{wired.pk}?format=ninjs").status_code == 404
    assert "Dépêche reprise" not in _rss_titles(desk)
    assert all("Dépêche reprise" not in str(item) for item in _ninjs_feed(desk))
    sent = digest.digest_articles(
        _digest_client(desk), timezone.now() - timedelta(days=1), timezone.now()
    )
    assert [item["title"] for item in sent] == ["Enquête maison"]


def _digest_client(desk: dict[str, Any]) -> Any:
    licence = desk["licence"]
    licence.channel_digest = True
    return client_for_digest(licence, timezone.now())


def test_agency_copy_allowed_is_served_with_its_rights_and_provenance(
    desk: dict[str, Any],
) -> None:
    desk["record"].usage_terms = "Usage de presse uniquement."
    desk["record"].save()
    listed = desk["client"].get("/api/v1/articles").json()["items"]
    by_id = {item["id"]: item for item in listed}
    assert by_id[desk["own"].pk]["provenance"] == "own"
    agency = by_id[desk["wired"].pk]
    assert agency["provenance"] == "agency"
    assert agency["rights"]["copyright_holder"] == "Agence France-Presse"
    assert agency["rights"]["copyright_notice"] == "© AFP 2026"
    assert "Usage de presse uniquement." in agency["rights"]["usage_terms"]
    detail = desk["client"].get(f"/api/v1/articles/{desk['wired'].pk}").json()
    assert AGENCY_TEXT in detail["body_html"]
    assert detail["lead_image"] is not None
    ninjs = desk["client"].get(f"/api/v1/articles/{desk['wired'].pk}?format=ninjs").json()
    assert {"name": "AFP", "role": "originator"} in ninjs["infoSources"]
    assert ninjs["copyrightHolder"] == "Agence France-Presse"
    own = desk["client"].get(f"/api/v1/articles/{desk['own'].pk}?format=ninjs").json()
    assert [s["role"] for s in own["infoSources"]] == ["publisher", "originator"]
    assert own["infoSources"][1]["name"] == own["infoSources"][0]["name"]
    # Feeds: a marker on every item.
    root = ElementTree.fromstring(desk["client"].get("/api/v1/flux/articles.rss").content)
    marks = {
        item.findtext("title"): [
            c.text for c in item.findall("category") if c.get("domain") == "urn:lede:provenance"
        ]
        for item in root.iter("item")
    }
    assert marks == {"Dépêche reprise": ["agency"], "Enquête maison": ["own"]}
    assert AGENCY_TEXT not in desk["client"].get("/api/v1/flux/articles.rss").content.decode()


def test_an_embargo_keeps_it_out_until_it_lifts(desk: dict[str, Any]) -> None:
    record = desk["record"]
    record.embargo_until = timezone.now() + timedelta(hours=1)
    record.save()
    _everywhere_absent(desk)
    record.embargo_until = timezone.now() - timedelta(seconds=1)
    record.save()
    assert desk["wired"].pk in _ids(desk)


def test_the_source_embargo_applies_when_the_item_has_none(desk: dict[str, Any]) -> None:
    source = desk["source"]
    source.rights_embargo_until = timezone.now() + timedelta(hours=3)
    source.save()
    _everywhere_absent(desk)


def test_not_for_syndication_from_the_item_or_the_source(desk: dict[str, Any]) -> None:
    record, source = desk["record"], desk["source"]
    record.not_for_syndication = True
    record.save()
    _everywhere_absent(desk)
    # The item saying nothing: the desk's default for the source decides.
    record.not_for_syndication = None
    record.save()
    assert desk["wired"].pk in _ids(desk)
    source.rights_not_for_syndication = True
    source.save()
    assert desk["wired"].pk not in _ids(desk)
    # The item's own word beats the default.
    record.not_for_syndication = False
    record.save()
    assert desk["wired"].pk in _ids(desk)


def test_no_archive_after_n_days_expires_it(desk: dict[str, Any]) -> None:
    record, source = desk["record"], desk["source"]
    source.rights_archive_days = 2
    source.save()
    detail = desk["client"].get(f"/api/v1/articles/{desk['wired'].pk}").json()
    expires = detail["rights"]["expires_at"]
    assert expires is not None
    ninjs = desk["client"].get(f"/api/v1/articles/{desk['wired'].pk}?format=ninjs").json()
    assert ninjs["expires"]
    rss = desk["client"].get("/api/v1/flux/articles.rss").content.decode()
    assert "<dcterms:valid>end=" in rss
    record.first_created = timezone.now() - timedelta(days=3)
    record.save()
    _everywhere_absent(desk)
    # The item's own limit (read from its terms at ingest) is a stored instant.
    source.rights_archive_days = None
    source.save()
    record.rights_expires_at = timezone.now() - timedelta(minutes=1)
    record.archive_days = 1
    record.save()
    _everywhere_absent(desk)


def test_photos_not_for_resale_leave_the_text(desk: dict[str, Any]) -> None:
    desk["record"].photo_restriction = PhotoRestriction.NO_RESALE
    desk["record"].save()
    detail = desk["client"].get(f"/api/v1/articles/{desk['wired'].pk}").json()
    assert AGENCY_TEXT in detail["body_html"]
    assert detail["lead_image"] is None
    ninjs = desk["client"].get(f"/api/v1/articles/{desk['wired'].pk}?format=ninjs").json()
    assert "associations" not in ninjs
    # Own journalism keeps its pictures.
    source = desk["source"]
    source.rights_photo_restriction = PhotoRestriction.NO_RESALE
    source.save()
    assert desk["client"].get(f"/api/v1/articles/{desk['own'].pk}").status_code == 200


def test_a_kill_purges_it_at_once(desk: dict[str, Any]) -> None:
    wired = desk["wired"]
    assert AGENCY_TEXT in desk["client"].get(f"/api/v1/articles/{wired.pk}").json()["body_html"]
    version_key = cache_keys.api_item_version_key("article", wired.pk)
    before = cache.get(version_key) or 0
    record = desk["record"]
    record.status = ItemStatus.KILLED
    record.save()
    assert (cache.get(version_key) or 0) > before
    # Even while its article is still live, the killed item is gone everywhere.
    _everywhere_absent(desk)


def test_feeds_refuse_bad_keys_and_bad_limits_in_french(desk: dict[str, Any]) -> None:
    bad = Client(HTTP_AUTHORIZATION="Bearer lede_nope")
    response = bad.get("/api/v1/flux/articles.rss")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "key_malformed"
    response = desk["client"].get("/api/v1/flux/articles.ninjs?limit=abc")
    assert response.status_code == 400
    assert "entier" in response.json()["error"]["message"]
    first = desk["client"].get("/api/v1/flux/articles.rss")
    again = desk["client"].get("/api/v1/flux/articles.rss", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_webhooks_say_nothing_of_a_withheld_item(desk: dict[str, Any]) -> None:
    """The payload names the article and its title: a licensee hears of an
    agency item only when its terms allow it now."""
    endpoint = WebhookEndpoint.objects.create(
        licence=desk["licence"], url="https://veille.example/hook", secret="s" * 64
    )
    record = desk["record"]
    record.not_for_syndication = True
    record.save()
    assert webhooks.webhooks_queue(event=webhooks.PUBLISHED, article=desk["wired"]) == []
    record.not_for_syndication = None
    record.save()
    [delivery_id] = webhooks.webhooks_queue(event=webhooks.PUBLISHED, article=desk["wired"])
    assert WebhookDelivery.objects.get(pk=delivery_id).endpoint == endpoint
